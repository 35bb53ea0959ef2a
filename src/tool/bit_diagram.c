/*
 * Terminal bit diagrams (bit_diagram.h). A row is laid out on a grid of
 * cells, one per terminal column, each holding one glyph (a UTF-8 string
 * or an ASCII character), so the width in columns never depends on bytes.
 */
#include "bit_diagram.h"

#include "format.h"

#include <stdint.h>
#include <string.h>

#define ROW_BITS 32
#define ROW_COLUMNS (2 * ROW_BITS + 1) /* a border, then per bit a content column and a border */
#define MAX_SEGMENTS ROW_BITS
#define LEGEND_KEYS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

struct glyphs {
    const char *horizontal, *vertical;
    const char *top_left, *top_join, *top_right;
    const char *bottom_left, *bottom_join, *bottom_right;
    const char *shade;
};

static const struct glyphs unicode_glyphs = {
    "\xe2\x94\x80", "\xe2\x94\x82",                 /* ─ │ */
    "\xe2\x94\x8c", "\xe2\x94\xac", "\xe2\x94\x90", /* ┌ ┬ ┐ */
    "\xe2\x94\x94", "\xe2\x94\xb4", "\xe2\x94\x98", /* └ ┴ ┘ */
    "\xe2\x96\x91",                                 /* ░ */
};

static const struct glyphs ascii_glyphs = {"-", "|", "+", "+", "+", "+", "+", "+", "."};

/* One box of a row: a field (the part of it in this row) or reserved bits. */
struct segment {
    const struct msr_field_info *field; /* NULL: reserved */
    unsigned msb, lsb;                  /* within the register */
    unsigned first, last;               /* content columns of the box */
    char key;                           /* legend key, 0 when labelled inside */
};

/* A line of the picture: one glyph per column. */
struct line {
    const char *cell[ROW_COLUMNS + 1];
    char text[ROW_COLUMNS + 1]; /* ASCII characters placed by put_text() */
};

static void line_clear(struct line *l)
{
    size_t i;

    for (i = 0; i < ROW_COLUMNS; i++) {
        l->cell[i] = " ";
        l->text[i] = ' ';
    }
}

static void put_text(struct line *l, unsigned column, const char *text)
{
    for (; *text != '\0' && column < ROW_COLUMNS; text++, column++) {
        l->text[column] = *text;
        l->cell[column] = NULL; /* NULL: print l->text[column] */
    }
}

static void line_print(FILE *out, const char *indent, const struct line *l)
{
    size_t i, end = ROW_COLUMNS;

    while (end > 0 && l->cell[end - 1] != NULL && strcmp(l->cell[end - 1], " ") == 0)
        end--;
    fputs(indent, out);
    for (i = 0; i < end; i++) {
        if (l->cell[i] == NULL)
            fputc(l->text[i], out);
        else
            fputs(l->cell[i], out);
    }
    fputc('\n', out);
}

unsigned bit_diagram_width(const struct msr_def *def)
{
    unsigned i, top = 0;

    if (def->field_count == 0)
        return 64;
    for (i = 0; i < def->field_count; i++) {
        unsigned msb = msr_def_field(def, i)->msb;

        if (msb > top)
            top = msb;
    }
    return top < 32 ? 32 : 64;
}

/* Content column of bit `bit` in the row whose highest bit is `hi`. */
static unsigned column_of(unsigned hi, unsigned bit)
{
    return 1 + 2 * (hi - bit);
}

static size_t split_row(const struct msr_def *def, unsigned hi, struct segment *seg)
{
    size_t n = 0;
    unsigned lo = hi + 1 - ROW_BITS;
    int bit = (int)hi;

    while (bit >= (int)lo) {
        const struct msr_field_info *f = msr_def_field_at(def, (unsigned)bit);
        int end = bit;

        while (end - 1 >= (int)lo && msr_def_field_at(def, (unsigned)(end - 1)) == f)
            end--;
        seg[n].field = f;
        seg[n].msb = (unsigned)bit;
        seg[n].lsb = (unsigned)end;
        seg[n].first = column_of(hi, (unsigned)bit);
        seg[n].last = column_of(hi, (unsigned)end);
        seg[n].key = 0;
        n++;
        bit = end - 1;
    }
    return n;
}

static void format_bits_text(char *buf, size_t size, unsigned msb, unsigned lsb)
{
    if (msb == lsb)
        snprintf(buf, size, "%u", msb);
    else
        snprintf(buf, size, "%u:%u", msb, lsb);
}

/* The bit numbers above a row: each box's msb over its first column and lsb
 * ending at its last, left to right, skipping any that would touch the one
 * before; the row's lowest bit always shows. */
static void number_line(struct line *l, unsigned hi, const struct segment *seg, size_t n)
{
    char low[4];
    unsigned low_start, next_free = 0;
    size_t i;

    line_clear(l);
    snprintf(low, sizeof low, "%u", hi + 1 - ROW_BITS);
    low_start = seg[n - 1].last + 1 - (unsigned)strlen(low);
    for (i = 0; i < n; i++) {
        unsigned marks[2], starts[2], count = 0, k;
        char text[2][4];

        snprintf(text[0], sizeof text[0], "%u", seg[i].msb);
        marks[count] = seg[i].msb;
        starts[count++] = seg[i].msb == seg[i].lsb ? seg[i].first + 1 - (unsigned)strlen(text[0]) : seg[i].first;
        if (seg[i].msb != seg[i].lsb) {
            snprintf(text[1], sizeof text[1], "%u", seg[i].lsb);
            marks[count] = seg[i].lsb;
            starts[count++] = seg[i].last + 1 - (unsigned)strlen(text[1]);
        }
        for (k = 0; k < count; k++) {
            unsigned end = starts[k] + (unsigned)strlen(text[k]);
            bool is_low = marks[k] == hi + 1 - ROW_BITS;

            if (is_low || starts[k] < next_free || end + 1 > low_start)
                continue; /* the lowest bit is placed last, where it must be */
            put_text(l, starts[k], text[k]);
            next_free = end + 1;
        }
    }
    put_text(l, low_start, low);
}

static void border_line(struct line *l, const struct glyphs *g, const struct segment *seg, size_t n, bool top)
{
    size_t i;
    unsigned c;

    line_clear(l);
    l->cell[0] = top ? g->top_left : g->bottom_left;
    for (i = 0; i < n; i++) {
        for (c = seg[i].first; c <= seg[i].last; c++)
            l->cell[c] = g->horizontal;
        l->cell[seg[i].last + 1] = i + 1 == n ? (top ? g->top_right : g->bottom_right)
                                              : (top ? g->top_join : g->bottom_join);
    }
}

static void content_line(struct line *l, const struct glyphs *g, const struct msr_def *def, struct segment *seg,
                         size_t n)
{
    size_t i, keys = 0;

    line_clear(l);
    l->cell[0] = g->vertical;
    for (i = 0; i < n; i++) {
        unsigned width = seg[i].last - seg[i].first + 1, c;
        char label[80];

        l->cell[seg[i].last + 1] = g->vertical;
        if (seg[i].field == NULL) {
            for (c = seg[i].first; c <= seg[i].last; c++)
                l->cell[c] = g->shade;
            if (width >= strlen("reserved") + 2)
                put_text(l, seg[i].first + (width - (unsigned)strlen("reserved")) / 2, "reserved");
            continue;
        }
        snprintf(label, sizeof label, "%s %s", field_name(def, seg[i].field), msr_access_name(seg[i].field->access));
        if (strlen(label) <= width) {
            put_text(l, seg[i].first + (width - (unsigned)strlen(label)) / 2, label);
        } else {
            char key[2] = {LEGEND_KEYS[keys % (sizeof LEGEND_KEYS - 1)], '\0'};

            seg[i].key = key[0];
            keys++;
            put_text(l, seg[i].first + (width - 1) / 2, key);
        }
    }
}

/* "a NXE 11 rw" for every keyed box, in columns, wrapped to the line width. */
static void legend(FILE *out, const char *indent, const struct msr_def *def, const struct segment *seg, size_t n)
{
    char entry[MAX_SEGMENTS][96];
    size_t count = 0, i, widest = 0, per_line, room;

    for (i = 0; i < n; i++) {
        char bits[12];

        if (seg[i].key == 0)
            continue;
        format_bits_text(bits, sizeof bits, seg[i].msb, seg[i].lsb);
        snprintf(entry[count], sizeof entry[count], "%c %s %s %s", seg[i].key, field_name(def, seg[i].field), bits,
                 msr_access_name(seg[i].field->access));
        if (strlen(entry[count]) > widest)
            widest = strlen(entry[count]);
        count++;
    }
    if (count == 0)
        return;
    room = BIT_DIAGRAM_MAX_COLUMNS - strlen(indent);
    per_line = (room + 3) / (widest + 3);
    if (per_line == 0)
        per_line = 1;
    for (i = 0; i < count; i++) {
        bool last_on_line = (i + 1) % per_line == 0 || i + 1 == count;

        if (i % per_line == 0)
            fputs(indent, out);
        if (last_on_line)
            fprintf(out, "%s\n", entry[i]);
        else
            fprintf(out, "%-*s   ", (int)widest, entry[i]);
    }
}

void bit_diagram_print(FILE *out, const struct msr_def *def, bool ascii, const char *indent)
{
    const struct glyphs *g = ascii ? &ascii_glyphs : &unicode_glyphs;
    unsigned width = bit_diagram_width(def);
    int hi;

    for (hi = (int)width - 1; hi >= 0; hi -= ROW_BITS) {
        struct segment seg[MAX_SEGMENTS];
        size_t n = split_row(def, (unsigned)hi, seg);
        struct line l;

        if (hi != (int)width - 1)
            fputc('\n', out); /* a blank line between the two rows */
        number_line(&l, (unsigned)hi, seg, n);
        line_print(out, indent, &l);
        border_line(&l, g, seg, n, true);
        line_print(out, indent, &l);
        content_line(&l, g, def, seg, n);
        line_print(out, indent, &l);
        border_line(&l, g, seg, n, false);
        line_print(out, indent, &l);
        legend(out, indent, def, seg, n);
    }
    if (width == 32)
        fprintf(out, "%sbits 63:32 are reserved\n", indent);
}
