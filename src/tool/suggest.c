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

size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    /* Three rows of the dynamic-programming matrix: i-2, i-1 and i. */
    size_t *rows = xmalloc(3 * (lb + 1) * sizeof *rows);
    size_t *before = rows, *prev = rows + (lb + 1), *cur = rows + 2 * (lb + 1);
    size_t i, j, result;

    for (j = 0; j <= lb; j++)
        prev[j] = j;
    for (i = 1; i <= la; i++) {
        cur[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t cost = fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1;
            size_t best = min2(min2(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);

            if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1]))
                best = min2(best, before[j - 2] + 1);
            cur[j] = best;
        }
        {
            size_t *recycled = before;
            before = prev;
            prev = cur;
            cur = recycled;
        }
    }
    result = prev[lb];
    free(rows);
    return result;
}

void suggestion_init(struct suggestion *s, const char *typed)
{
    s->typed = typed;
    s->best = NULL;
    s->best_distance = (size_t)-1;
}

/* A third of the typed length, but at least 2: "EFR" still finds "EFER",
 * while "FOO" does not drag in an unrelated three-letter name. */
static bool plausible(const char *typed, size_t distance)
{
    size_t allowed = strlen(typed) / 3;

    return distance <= (allowed < 2 ? 2 : allowed) && distance < strlen(typed);
}

void suggestion_offer(struct suggestion *s, const char *candidate, const char *compare_as)
{
    const char *other = compare_as ? compare_as : candidate;
    size_t la = strlen(s->typed), lb = strlen(other);
    size_t at_least = la > lb ? la - lb : lb - la; /* the distance is never below the length difference */
    size_t d;

    if (!plausible(s->typed, at_least) || at_least >= s->best_distance)
        return; /* cannot win: skip the quadratic edit distance (a 20 kB argument took seconds) */
    d = edit_distance(s->typed, other);
    if (plausible(s->typed, d) && d < s->best_distance) {
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
