/* log_c.c — the tracking store's speed from C (engine/track/store.c): log
 * 1,000,000 metric points as a training loop does (200,000 steps of 5
 * metrics, one store_log_metric call per point, sealed a step at a time), then
 * list 10,000 runs with their last metrics.
 *
 * Build and run from the repository root after `make`:
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Iengine -o build/bench_track_log_c bench/track/log_c.c \
 *      build/rel/libengine.a $(pkg-config --libs sqlite3 plplot cairo) -ldl -lm -lpthread
 *   build/bench_track_log_c [STEPS] [RUNS]
 * It works in a fresh folder under /tmp and removes it. Prints wall and CPU
 * time: on a loaded machine the CPU figure says what the store costs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "track/store.h"

static double wall(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double cpu(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) + (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) * 1e-6;
}

static void die(const char *what, const lab_err *e) {
    fprintf(stderr, "log_c: %s: %s\n", what, e->msg);
    exit(1);
}

int main(int argc, char **argv) {
    long steps = argc > 1 ? atol(argv[1]) : 200000;
    long nruns = argc > 2 ? atol(argv[2]) : 10000;
    char dir[] = "/tmp/lab-bench-track-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    lab_err e;
    store *s = store_open(dir, &e);
    if (!s) die("open", &e);
    char run[33];
    if (store_run_start(s, 0, NULL, run, &e) < 0) die("run", &e);
    static const char *const keys[5] = {"loss", "accuracy", "val_loss", "val_accuracy", "lr"};
    double t0 = wall(), c0 = cpu();
    for (long st = 0; st < steps; st++)
        for (int k = 0; k < 5; k++)
            if (store_log_metric(s, run, keys[k], 1.0 / (double)(st + 1) + k, st, 0, &e) < 0) die("log", &e);
    if (store_flush(s, &e) < 0) die("flush", &e);
    double t = wall() - t0, c = cpu() - c0;
    printf(
        "log: %ld points in %ld steps: %.2f s wall, %.2f s CPU: %.0f points/s (%.0f per CPU second), %.1f us a step\n",
        steps * 5, steps, t, c, (double)steps * 5 / t, (double)steps * 5 / c, t / (double)steps * 1e6);
    if (store_run_end(s, run, RUN_FINISHED, &e) < 0) die("end", &e);
    {
        /* one key's history reads the run's points (they are clustered by step) */
        int64_t *st, *ts;
        double *v;
        t0 = wall();
        long got = store_metric_history(s, run, "val_loss", &st, &v, &ts, &e);
        if (got != steps) die("history", &e);
        printf("history: %ld points of one key out of %ld: %.0f ms\n", got, steps * 5, (wall() - t0) * 1e3);
        free(st);
        free(v);
        free(ts);
    }

    /* runs: 4 metrics of 3 points each, 1 param */
    t0 = wall();
    for (long i = 1; i < nruns; i++) {
        if (store_run_start(s, 0, NULL, run, &e) < 0) die("run", &e);
        char v[32];
        snprintf(v, sizeof v, "%ld", i % 7);
        if (store_log_param(s, run, "depth", v, &e) < 0) die("param", &e);
        for (int st = 0; st < 3; st++)
            for (int k = 0; k < 4; k++)
                if (store_log_metric(s, run, keys[k], (double)(i % 100) / 100 + st, st, 0, &e) < 0) die("log", &e);
        if (store_run_end(s, run, RUN_FINISHED, &e) < 0) die("end", &e);
    }
    printf("made %ld more runs in %.1f s\n", nruns - 1, wall() - t0);
    store_close(s);

    s = store_open_readonly(dir, &e);
    if (!s) die("open", &e);
    double best = 1e9;
    size_t n = 0;
    for (int rep = 0; rep < 5; rep++) {
        t0 = wall();
        store_run_filter f = {0};
        f.status = -1;
        store_run *runs = store_runs_list(s, &f, &n, &e);
        if (!runs) die("list", &e);
        t = wall() - t0;
        if (t < best) best = t;
        store_runs_free(runs, n);
    }
    printf("list: %zu runs with their last metrics: %.1f ms (best of 5)\n", n, best * 1e3);
    best = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        t0 = wall();
        store_run_filter f = {0};
        f.status = -1;
        f.sort_metric = "accuracy";
        f.descending = 1;
        f.metric = "loss";
        f.op = ">";
        f.value = 0.5;
        store_run *runs = store_runs_list(s, &f, &n, &e);
        if (!runs) die("list", &e);
        t = wall() - t0;
        if (t < best) best = t;
        store_runs_free(runs, n);
    }
    printf("list: %zu runs with loss > 0.5 sorted by accuracy: %.1f ms (best of 5)\n", n, best * 1e3);
    store_close(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
