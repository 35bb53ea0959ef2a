/*
 * The bit diagram of a register in the terminal: the same picture as the
 * generated reference's SVG (codegen/docs.py), drawn with box-drawing
 * characters (or plain ASCII) in at most 80 columns.
 *
 * A register whose fields all lie in bits 31:0 is drawn 32 bits wide (and
 * says bits 63:32 are reserved), any other 64 bits wide as two rows of 32.
 * Each bit takes two columns. A field whose name and access mode fit in its
 * box is labelled there ("APIC_BASE rw"); a narrower one gets a key letter,
 * explained in a legend under its row ("d NXE 11 rw"). Runs of reserved bits
 * are shaded. Bit numbers above each row mark where boxes begin and end.
 *
 *   31                  22 21 20 19 18 17 16 15 14 13 12 11 10  9  8  7            1  0
 *   ┌─────────────────────┬─┬─┬─┬─┬─┬─┬─┬─┬─┬─┬─┬─┬─┬─┬─────────────┬─┐
 *   │░░░░░reserved░░░░░░░░│a│b│░│c│d│░│e│f│g│h│i│j│░│k│░░reserved░░░│l│
 *   └─────────────────────┴─┴─┴─┴─┴─┴─┴─┴─┴─┴─┴─┴─┴─┴─┴─────────────┴─┘
 *   a AIBRSE 21 rw   b UAIE 20 rw   ...
 */
#ifndef X86MSR_TOOL_BIT_DIAGRAM_H
#define X86MSR_TOOL_BIT_DIAGRAM_H

#include <x86msr/meta.h>

#include <stdbool.h>
#include <stdio.h>

#define BIT_DIAGRAM_MAX_COLUMNS 80

/* 32 or 64: the width the diagram of register `def` is drawn at. */
unsigned bit_diagram_width(const struct msr_def *def);

/* Prints the diagram of register `def` on `out`, every line starting with
 * `indent` (at most 4 characters); `ascii` draws with + - | and . instead of
 * box-drawing characters and shading. */
void bit_diagram_print(FILE *out, const struct msr_def *def, bool ascii, const char *indent);

#endif
