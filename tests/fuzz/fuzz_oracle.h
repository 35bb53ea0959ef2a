/*
 * The oracle check the libFuzzer harnesses share: a broken promise aborts, so
 * libFuzzer records the input as a crash like any sanitizer report.
 */
#ifndef X86MSR_FUZZ_ORACLE_H
#define X86MSR_FUZZ_ORACLE_H

#include <stdio.h>
#include <stdlib.h>

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: oracle failed: %s\n", __FILE__, __LINE__, #cond);             \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
