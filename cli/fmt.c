/* fmt.c — how `lab runs` and `lab models` write times, durations, sizes and
 * metric values, and how they open the store.
 *
 * Tables are for people, so their values are short (minutes, not seconds, in
 * a start time; six significant digits in a metric); --json carries the exact
 * values for scripts. Durations keep two units at most ("3m05s"), which reads
 * at a glance and stays narrow. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli_int.h"
#include "track/journal.h"

const char *fmt_time(char *buf, int64_t ms) {
    if (ms <= 0) return strcpy(buf, "-");
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

const char *fmt_time_sec(char *buf, int64_t ms) {
    if (ms <= 0) return strcpy(buf, "-");
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

const char *fmt_duration(char *buf, int64_t ms) {
    if (ms < 0) ms = 0;
    int64_t s = ms / 1000;
    if (ms < 10000)
        snprintf(buf, 32, "%.1fs", (double)(ms / 100) / 10.0);
    else if (s < 60)
        snprintf(buf, 32, "%llds", (long long)s);
    else if (s < 3600)
        snprintf(buf, 32, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    else if (s < 86400)
        snprintf(buf, 32, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else
        snprintf(buf, 32, "%lldd%02lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
    return buf;
}

const char *fmt_size(char *buf, int64_t bytes) {
    static const char *units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) {
        snprintf(buf, 32, "%lld B", (long long)bytes);
        return buf;
    }
    double v = (double)bytes / 1024.0;
    int u = 0;
    while (v >= 1024.0 && u < 3) {
        v /= 1024.0;
        u++;
    }
    snprintf(buf, 32, v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}

const char *fmt_metric(char *buf, double v) {
    if (isnan(v)) return strcpy(buf, "nan");
    if (isinf(v)) return strcpy(buf, v > 0 ? "inf" : "-inf");
    snprintf(buf, 32, "%.6g", v);
    return buf;
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t run_duration_ms(const store_run *r) {
    if (r->start_ms <= 0) return 0;
    int64_t end = r->end_ms > 0 ? r->end_ms : now_ms();
    return end > r->start_ms ? end - r->start_ms : 0;
}

store *cli_open_store(int *missing, lab_err *e) {
    const char *dir = journal_store_dir();
    size_t n = strlen(dir) + 8;
    char *path = xmalloc(n);
    snprintf(path, n, "%s/lab.db", dir);
    struct stat st;
    int absent = stat(path, &st) != 0 && errno == ENOENT;
    free(path);
    *missing = absent;
    if (absent) {
        lab_fail(e, "no runs yet in %s (lab.db does not exist)", dir);
        return NULL;
    }
    return store_open_readonly(NULL, e);
}

int cli_parse_size(const char *s, size_t *out) {
    if (!s || *s < '0' || *s > '9') return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno) return -1;
    *out = (size_t)v;
    return 0;
}
