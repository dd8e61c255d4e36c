/* gen_csv.c — the benchmark's input: a deterministic CSV of N rows x 12 columns.
 *
 * Eight number columns of different shapes (mixed magnitudes, 1 to 17
 * significant digits, scientific notation in one, a few NA as empty fields or
 * "NA"), two integer columns and two categorical string columns (26 and 40
 * levels). The same seed gives the same bytes on every machine: the generator
 * uses its own PRNG (splitmix64) and prints with fixed formats. The trade-off:
 * values come from simple distributions, not real data, but every parser has
 * to exercise its fast and slow number paths and a small string dictionary.
 *
 * usage: gen_csv ROWS OUT.csv */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state = 0x5eed1234abcdULL;

static uint64_t next_u64(void) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* uniform in [0, 1) with 53 random bits */
static double unif(void) { return (double)(next_u64() >> 11) * 0x1.0p-53; }

/* standard normal (Box-Muller; one value a call is enough here) */
static double normal(void) {
    double u = unif(), v = unif();
    return sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

static const char *const letters[26] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
                                        "hotel", "india", "juliett", "kilo", "lima", "mike", "november",
                                        "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform",
                                        "victor", "whiskey", "xray", "yankee", "zulu"};

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: gen_csv ROWS OUT.csv\n");
        return 2;
    }
    long rows = atol(argv[1]);
    FILE *fp = fopen(argv[2], "w");
    if (!fp || rows < 1) {
        fprintf(stderr, "gen_csv: cannot write %s\n", argv[2]);
        return 1;
    }
    static char buf[1 << 20];
    setvbuf(fp, buf, _IOFBF, sizeof buf);
    fputs("x1,x2,x3,x4,x5,x6,x7,x8,n1,n2,s1,s2\n", fp);
    for (long i = 0; i < rows; i++) {
        uint64_t r = next_u64();
        /* x1: standard normal, 6 decimals; NA (empty) about 1 row in 200 */
        if (r % 200 == 0) fputs(",", fp);
        else fprintf(fp, "%.6f,", normal());
        /* x2: uniform 0..1000, 2 decimals */
        fprintf(fp, "%.2f,", unif() * 1000.0);
        /* x3: log-uniform 1e-3..1e6, 6 significant digits (%g: some in e-notation) */
        fprintf(fp, "%.6g,", pow(10.0, unif() * 9.0 - 3.0));
        /* x4: prices, 2 decimals; NA written "NA" about 1 row in 500 */
        if ((r >> 8) % 500 == 0) fputs("NA,", fp);
        else fprintf(fp, "%.2f,", floor(exp(normal() * 1.5 + 4.0) * 100.0) / 100.0);
        /* x5: large, around 1e9, 1 decimal */
        fprintf(fp, "%.1f,", 1e9 + normal() * 2.5e8);
        /* x6: tiny, around 1e-5, 8 decimals */
        fprintf(fp, "%.8f,", fabs(normal()) * 1e-5);
        /* x7: whole numbers written with ".0" and some halves; NA (empty) 1 in 300 */
        if ((r >> 20) % 300 == 0) fputs(",", fp);
        else fprintf(fp, "%.1f,", floor(unif() * 200.0) / 2.0 - 50.0);
        /* x8: full-precision doubles (17 significant digits: the slow path) */
        fprintf(fp, "%.17g,", normal() * 1000.0);
        /* n1: integer id-like, up to 10 digits; n2: small signed counts */
        fprintf(fp, "%llu,", (unsigned long long)(next_u64() % 10000000000ULL));
        fprintf(fp, "%d,", (int)(next_u64() % 1001) - 500);
        /* s1: 26 levels, skewed; s2: 40 levels */
        double u = unif();
        fprintf(fp, "%s,", letters[(int)(u * u * 26.0)]);
        fprintf(fp, "city_%02d\n", (int)(next_u64() % 40));
    }
    if (fclose(fp) != 0) {
        fprintf(stderr, "gen_csv: cannot write %s\n", argv[2]);
        return 1;
    }
    return 0;
}
