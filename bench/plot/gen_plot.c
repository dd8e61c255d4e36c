/* gen_plot.c — the data of the plot benchmark, deterministic (splitmix64 and
 * Box-Muller): scatter.csv, N rows of x,y with y = 0.6 x + 0.8 e, and
 * hist.csv, M rows of one normal value v.
 *   gen_plot N M DIR */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state = 42;

static double uniform(void) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void) { return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform()); }

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: gen_plot N M DIR\n");
        return 2;
    }
    long n = atol(argv[1]), m = atol(argv[2]);
    char path[1024];
    snprintf(path, sizeof path, "%s/scatter.csv", argv[3]);
    FILE *f = fopen(path, "w");
    if (!f) return perror(path), 1;
    fputs("x,y\n", f);
    for (long i = 0; i < n; i++) {
        double x = normal();
        fprintf(f, "%.6f,%.6f\n", x, 0.6 * x + 0.8 * normal());
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/hist.csv", argv[3]);
    f = fopen(path, "w");
    if (!f) return perror(path), 1;
    fputs("v\n", f);
    for (long i = 0; i < m; i++) fprintf(f, "%.6f\n", normal());
    fclose(f);
    return 0;
}
