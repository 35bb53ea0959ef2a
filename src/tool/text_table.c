#include "text_table.h"

#include "diag.h"

#include <stdlib.h>
#include <string.h>

struct text_table {
    size_t columns;
    size_t rows;
    size_t capacity; /* rows */
    char **cells;    /* rows * columns, row-major */
};

struct text_table *text_table_new(size_t columns)
{
    struct text_table *table = xcalloc(1, sizeof *table);

    table->columns = columns;
    return table;
}

void text_table_free(struct text_table *table)
{
    size_t i;

    if (table == NULL)
        return;
    for (i = 0; i < table->rows * table->columns; i++)
        free(table->cells[i]);
    free(table->cells);
    free(table);
}

/* Control characters become spaces; trailing blanks (a YAML block scalar's
 * final newline) are dropped so no line ends in whitespace. */
static char *copy_as_one_line(const char *text)
{
    size_t length = text ? strlen(text) : 0;
    char *copy = xmalloc(length + 1);
    size_t i;

    for (i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];
        copy[i] = (c < 0x20 || c == 0x7F) ? ' ' : (char)c;
    }
    while (length > 0 && copy[length - 1] == ' ')
        length--;
    copy[length] = '\0';
    return copy;
}

void text_table_add(struct text_table *table, const char *const *cells)
{
    size_t i;

    if (table->rows == table->capacity) {
        size_t capacity = table->capacity ? 2 * table->capacity : 16;
        char **grown = realloc(table->cells, capacity * table->columns * sizeof *grown);

        if (grown == NULL) {
            runtime_error("out of memory");
            exit(TOOL_EXIT_FAILURE);
        }
        table->cells = grown;
        table->capacity = capacity;
    }
    for (i = 0; i < table->columns; i++)
        table->cells[table->rows * table->columns + i] = copy_as_one_line(cells[i]);
    table->rows++;
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t display_width(const char *text)
{
    size_t width = 0;

    for (; *text != '\0'; text++)
        if (((unsigned char)*text & 0xC0u) != 0x80u)
            width++;
    return width;
}

/* `n` spaces, a run at a time: the padding is much of a table's bytes, and a
 * write per space takes the stream's lock each time. */
static void put_spaces(FILE *out, size_t n)
{
    static const char spaces[] = "                                ";

    while (n > 0) {
        size_t run = n < sizeof spaces - 1 ? n : sizeof spaces - 1;

        fwrite(spaces, 1, run, out);
        n -= run;
    }
}

void text_table_print(const struct text_table *table, FILE *out, const char *indent)
{
    size_t *widths = xcalloc(table->columns, sizeof *widths);
    size_t row, col;

    for (row = 0; row < table->rows; row++)
        for (col = 0; col < table->columns; col++) {
            size_t w = display_width(table->cells[row * table->columns + col]);
            if (w > widths[col])
                widths[col] = w;
        }
    for (row = 0; row < table->rows; row++) {
        char *const *cells = &table->cells[row * table->columns];
        size_t last = table->columns; /* one past the last non-empty cell */

        while (last > 0 && cells[last - 1][0] == '\0')
            last--;
        fputs(indent, out);
        for (col = 0; col < last; col++) {
            fputs(cells[col], out);
            if (col + 1 < last)
                put_spaces(out, widths[col] - display_width(cells[col]) + 2);
        }
        fputc('\n', out);
    }
    free(widths);
}
