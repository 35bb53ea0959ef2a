/*
 * Aligned text tables: collect rows of cells, then print with every column
 * as wide as its widest cell. Shared by every table the tool prints, so all
 * of them line up the same way.
 */
#ifndef X86MSR_TOOL_TEXT_TABLE_H
#define X86MSR_TOOL_TEXT_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct text_table;

struct text_table *text_table_new(size_t columns);
void text_table_free(struct text_table *table);

/* Appends a row of `columns` cells (copied; NULL means empty). Control
 * characters in a cell (a newline in a description) become spaces, so one
 * row is always one line. */
void text_table_add(struct text_table *table, const char *const *cells);

/* Prints every row, each line starting with `indent`. Columns are separated
 * by two spaces; trailing empty cells leave no trailing blanks. */
void text_table_print(const struct text_table *table, FILE *out, const char *indent);

#endif
