/* replay_csv.c — run fuzz_csv's checks over files natively, without libFuzzer.
 *
 * A corpus grown by libFuzzer with FUZZ_CSV_LARGE=0 never tried its inputs on
 * two threads; replaying it here with -large (the large bit forced on every
 * input) does that at full speed, which libFuzzer's instrumentation cannot.
 * Prints one line per failing file and exits 1 when any failed.
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Iengine -o build/fuzz/replay_csv \
 *       tests/fuzz/replay_csv.c build/rel/libengine.a $(pkg-config --libs sqlite3) -lm -lpthread
 *   build/fuzz/replay_csv [-large] FILE... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_check.h"

int main(int argc, char **argv) {
    int force_large = 0, bad = 0, n = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-large") == 0) {
            force_large = 1;
            continue;
        }
        FILE *fp = fopen(argv[i], "rb");
        if (!fp) {
            fprintf(stderr, "%s: cannot open\n", argv[i]);
            bad = 1;
            continue;
        }
        static uint8_t buf[1 << 16];
        size_t len = fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        if (len && force_large) buf[0] |= 0x40;
        char why[1024];
        if (csv_check_input(buf, len, 0, 1, why, sizeof why) != CHK_OK) {
            printf("%s: %s\n", argv[i], why);
            bad = 1;
        }
        n++;
    }
    fprintf(stderr, "replay_csv: %d files\n", n);
    return bad;
}
