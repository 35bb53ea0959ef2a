#include "suggest.h"

#include "diag.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char fold(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static size_t min2(size_t a, size_t b)
{
    return a < b ? a : b;
}

static size_t min_of(const size_t *row, size_t n)
{
    size_t i, m = row[0];

    for (i = 1; i < n; i++)
        m = min2(m, row[i]);
    return m;
}

size_t edit_distance_within(const char *a, const char *b, size_t limit)
{
    size_t la = strlen(a), lb = strlen(b);
    /* Three rows of the dynamic-programming matrix: i-2, i-1 and i. */
    size_t *rows;
    size_t *before, *prev, *cur;
    size_t i, j, result;

    if ((la > lb ? la - lb : lb - la) > limit)
        return limit + 1; /* the distance is never below the length difference */
    rows = xmalloc(3 * (lb + 1) * sizeof *rows);
    before = rows;
    prev = rows + (lb + 1);
    cur = rows + 2 * (lb + 1);
    for (j = 0; j <= lb; j++)
        prev[j] = j;
    result = (size_t)-1;
    for (i = 1; i <= la; i++) {
        size_t row_min;

        cur[0] = i;
        row_min = i;
        for (j = 1; j <= lb; j++) {
            size_t cost = fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1;
            size_t best = min2(min2(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);

            if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1]))
                best = min2(best, before[j - 2] + 1);
            cur[j] = best;
            row_min = min2(row_min, best);
        }
        /* Each cell is at least the minimum of the two rows above it, so once
         * two consecutive rows exceed the limit, so does the answer. */
        if (row_min > limit && (i == 1 || min_of(prev, lb + 1) > limit)) {
            result = limit + 1;
            break;
        }
        {
            size_t *recycled = before;
            before = prev;
            prev = cur;
            cur = recycled;
        }
    }
    if (result == (size_t)-1)
        result = min2(prev[lb], limit + 1);
    free(rows);
    return result;
}

static unsigned char_class(char c)
{
    c = fold(c);
    if (c >= 'A' && c <= 'Z')
        return (unsigned)(c - 'A');
    if (c >= '0' && c <= '9')
        return 26u + (unsigned)(c - '0');
    return c == '_' ? 36u : 37u;
}

void suggestion_init(struct suggestion *s, const char *typed)
{
    const char *p;

    s->typed = typed;
    s->best = NULL;
    s->best_distance = (size_t)-1;
    s->typed_length = strlen(typed);
    memset(s->typed_counts, 0, sizeof s->typed_counts);
    for (p = typed; *p != '\0'; p++)
        s->typed_counts[char_class(*p)]++;
}

/* A lower bound of the edit distance from the letters alone: a substitution
 * changes two letter counts by one, an insertion or deletion one count, a
 * swap none; so the distance is at least half the summed count differences
 * (rounded up). Costs one pass over the candidate instead of the matrix. */
static size_t letter_bound(const struct suggestion *s, const char *other)
{
    long diff[SUGGEST_CLASSES];
    size_t i, total = 0;

    for (i = 0; i < SUGGEST_CLASSES; i++)
        diff[i] = (long)s->typed_counts[i];
    for (; *other != '\0'; other++)
        diff[char_class(*other)]--;
    for (i = 0; i < SUGGEST_CLASSES; i++)
        total += (size_t)(diff[i] < 0 ? -diff[i] : diff[i]);
    return (total + 1) / 2;
}

/* A third of the typed length, but at least 2: "EFR" still finds "EFER",
 * while "FOO" does not drag in an unrelated three-letter name. */
static size_t allowed_distance(size_t length)
{
    size_t allowed = length / 3;

    allowed = allowed < 2 ? 2 : allowed;
    /* Never as far as the whole name: that would suggest anything. */
    return length == 0 ? 0 : (allowed < length ? allowed : length - 1);
}

void suggestion_offer(struct suggestion *s, const char *candidate, const char *compare_as)
{
    const char *other = compare_as ? compare_as : candidate;
    size_t other_length = strlen(other);
    size_t limit = allowed_distance(s->typed_length), d;

    if (s->best_distance <= limit)
        limit = s->best_distance - 1; /* only a strictly closer candidate wins */
    if (s->typed_length == 0 || limit == (size_t)-1)
        return;
    /* Cheap lower bounds first (the length difference, then the letters): a
     * fuzzer's or a pasted log line's argument seldom needs the matrix. */
    if ((s->typed_length > other_length ? s->typed_length - other_length : other_length - s->typed_length) > limit ||
        letter_bound(s, other) > limit)
        return;
    /* Bounded: stops as soon as the distance must exceed the limit (a 20 kB
     * argument against 2,000 names took seconds with the full matrix). */
    d = edit_distance_within(s->typed, other, limit);
    if (d <= limit) {
        s->best = candidate;
        s->best_distance = d;
    }
}

const char *suggestion_hint(const struct suggestion *s)
{
    static char *text;
    size_t size;

    if (s->best == NULL)
        return "";
    free(text);
    size = strlen(s->best) + sizeof " (did you mean ?)";
    text = xmalloc(size);
    snprintf(text, size, " (did you mean %s?)", s->best);
    return text;
}
