/* The top-level help, `x86msr --help`. */
#ifndef X86MSR_TOOL_TOOL_HELP_H
#define X86MSR_TOOL_TOOL_HELP_H

#include <stdio.h>

void print_tool_help(FILE *out);

#endif
