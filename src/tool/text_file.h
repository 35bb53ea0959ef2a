/*
 * A whole file in memory, for the parsers of x86msr/files.h (which read
 * from a buffer): snapshot files and CPUID dumps.
 */
#ifndef X86MSR_TOOL_TEXT_FILE_H
#define X86MSR_TOOL_TEXT_FILE_H

#include <stddef.h>
#include <stdio.h>

/* Reads `in` to its end into *text (malloc'ed, *length bytes, plus a NUL
 * the parsers do not need). Returns 0, or the errno of the failed read (then
 * *text is NULL). */
int text_file_read(FILE *in, char **text, size_t *length);

#endif
