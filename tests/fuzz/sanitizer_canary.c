/*
 * Proves the sanitizer build is live: `sanitizer_canary 64` shifts by 64 (UBSan
 * must stop it), `sanitizer_canary heap` reads past a heap block (ASan must).
 * The amounts come from argv so no compiler can fold them away.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "heap") == 0) {
        volatile char *block = malloc(8);
        int past = (int)strlen(argv[1]) * 2; /* 8 */

        printf("%d\n", block[past]);
        free((void *)block);
        return 0;
    }
    if (argc == 2) {
        unsigned shift = (unsigned)strtoul(argv[1], NULL, 10);

        printf("%llu\n", (unsigned long long)(UINT64_C(1) << shift));
        return 0;
    }
    fputs("usage: sanitizer_canary 64 | heap\n", stderr);
    return 2;
}
