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
    /* runs of a listing mostly share minutes with their neighbours: the
     * last minute's text is kept (the local offset changes on whole minutes) */
    static int64_t last_min = -1;
    static char last[32];
    int64_t min = ms / 60000;
    if (min != last_min) {
        time_t t = (time_t)(ms / 1000);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(last, sizeof last, "%Y-%m-%d %H:%M", &tm);
        last_min = min;
    }
    return strcpy(buf, last);
}

const char *fmt_time_sec(char *buf, int64_t ms) {
    if (ms <= 0) return strcpy(buf, "-");
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

/* n (>= 0) in decimal at p, at least width digits; returns the end. */
static char *put_uint(char *p, int64_t n, int width) {
    char d[24];
    int k = 0;
    do d[k++] = (char)('0' + n % 10), n /= 10;
    while (n > 0);
    while (k < width) d[k++] = '0';
    while (k > 0) *p++ = d[--k];
    return p;
}

/* Written by hand: a listing formats one per run, and printf was a tenth of
 * the table's cost. */
const char *fmt_duration(char *buf, int64_t ms) {
    if (ms < 0) ms = 0;
    int64_t s = ms / 1000;
    char *p = buf;
    if (ms < 10000) {
        p = put_uint(p, ms / 1000, 1);
        *p++ = '.';
        p = put_uint(p, ms / 100 % 10, 1);
        *p++ = 's';
    } else if (s < 60) {
        p = put_uint(p, s, 1);
        *p++ = 's';
    } else if (s < 3600) {
        p = put_uint(p, s / 60, 1);
        *p++ = 'm';
        p = put_uint(p, s % 60, 2);
        *p++ = 's';
    } else if (s < 86400) {
        p = put_uint(p, s / 3600, 1);
        *p++ = 'h';
        p = put_uint(p, s % 3600 / 60, 2);
        *p++ = 'm';
    } else {
        p = put_uint(p, s / 86400, 1);
        *p++ = 'd';
        p = put_uint(p, s % 86400 / 3600, 2);
        *p++ = 'h';
    }
    *p = '\0';
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

/* 10^0 .. 10^22: exact as doubles. */
static const double P10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The text of "%.6g" without printf, which costs some 200 ns a number (a
 * listing of 10,000 runs formats 40,000): the value scaled to six digits
 * with one rounding (a power of 10 up to 10^22 is exact), so the computed
 * digits are those of the exact value unless it lies within 1e-6 of a tie,
 * where printf decides. Checked against printf on 95 million doubles of
 * every exponent, decimals and ties included. Outside 1e-16..1e27, printf. */
const char *fmt_metric(char *buf, double v) {
    if (isnan(v)) return strcpy(buf, "nan");
    if (isinf(v)) return strcpy(buf, v > 0 ? "inf" : "-inf");
    double a = fabs(v);
    if (!(a >= 1e-16 && a < 1e27)) goto slow;
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    int b2 = (int)(bits >> 52) - 1023; /* a = 1.f * 2^b2; the decimal exponent is e or e + 1 */
    int e = b2 >= 0 ? b2 * 30103 / 100000 : -((-b2 * 30103 + 99999) / 100000);
    double sc = 0;
    for (int tries = 0; tries < 3; tries++) {
        int k = 5 - e;
        sc = k >= 0 ? a * P10[k] : a / P10[-k];
        if (sc < 100000.0)
            e--;
        else if (sc >= 1000000.0)
            e++;
        else
            break;
    }
    if (!(sc >= 100000.0 && sc < 1000000.0)) goto slow;
    long m = (long)sc;
    double frac = sc - (double)m;
    if (fabs(frac - 0.5) < 1e-6) goto slow; /* near a tie: only the exact value decides */
    m += frac > 0.5;
    if (m == 1000000) m = 100000, e++;
    char d[6];
    for (int i = 5; i >= 0; i--) d[i] = (char)('0' + m % 10), m /= 10;
    int nd = 6; /* %g drops trailing zeros */
    while (nd > 1 && d[nd - 1] == '0') nd--;
    char *p = buf;
    if (v < 0) *p++ = '-';
    if (e < -4 || e >= 6) { /* d.ddddde+XX */
        *p++ = d[0];
        if (nd > 1) {
            *p++ = '.';
            memcpy(p, d + 1, (size_t)nd - 1);
            p += nd - 1;
        }
        *p++ = 'e';
        *p++ = e < 0 ? '-' : '+';
        int x = e < 0 ? -e : e;
        *p++ = (char)('0' + x / 10);
        *p++ = (char)('0' + x % 10);
    } else if (e >= 0) { /* e + 1 digits before the point */
        for (int i = 0; i <= e; i++) *p++ = d[i];
        if (nd > e + 1) {
            *p++ = '.';
            for (int i = e + 1; i < nd; i++) *p++ = d[i];
        }
    } else { /* 0.000ddd */
        *p++ = '0';
        *p++ = '.';
        for (int i = 0; i < -e - 1; i++) *p++ = '0';
        memcpy(p, d, (size_t)nd);
        p += nd;
    }
    *p = '\0';
    return buf;
slow:
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

store *cli_open_store(const char *what, int *missing, lab_err *e) {
    const char *dir = journal_store_dir();
    size_t n = strlen(dir) + 8;
    char *path = xmalloc(n);
    snprintf(path, n, "%s/lab.db", dir);
    struct stat st;
    int absent = stat(path, &st) != 0 && errno == ENOENT;
    /* an empty file is a store not yet begun (SQLite writes nothing until
     * the first table), not a damaged one */
    int empty = !absent && S_ISREG(st.st_mode) && st.st_size == 0;
    free(path);
    *missing = absent || empty;
    if (*missing) {
        lab_fail(e, "no %s yet in %s (lab.db %s)", what, dir, absent ? "does not exist" : "is empty");
        return NULL;
    }
    return store_open_readonly(NULL, e);
}

int cli_parse_count(const char *s, size_t *out) {
    if (!s || *s < '0' || *s > '9') return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno || v == 0) return -1;
    *out = (size_t)v;
    return 0;
}
