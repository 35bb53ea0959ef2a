/*
 * "Did you mean ...?": the closest candidate to a mistyped name.
 *
 * Distance is the optimal-string-alignment edit distance, ignoring ASCII case
 * (a swap of two neighbouring letters costs 1, as typos usually do).
 */
#ifndef X86MSR_TOOL_SUGGEST_H
#define X86MSR_TOOL_SUGGEST_H

#include <stddef.h>

/* The distance when it is at most `limit`, else limit + 1 (computed only as
 * far as needed to know that). */
size_t edit_distance_within(const char *a, const char *b, size_t limit);

/* Collects the best candidate: feed every candidate, then read `best`. */
#define SUGGEST_CLASSES 38 /* A-Z (either case), 0-9, '_', anything else */

struct suggestion {
    const char *typed;
    const char *best;      /* NULL until a candidate is close enough */
    size_t best_distance;
    size_t typed_length;
    size_t typed_counts[SUGGEST_CLASSES]; /* how often each class occurs in `typed` */
};

void suggestion_init(struct suggestion *s, const char *typed);

/* Offers `candidate`; it is kept when it is close enough to be a plausible
 * typo and strictly closer than every earlier one (so ties go to the first
 * candidate offered, which keeps the output deterministic). `compare_as` is
 * the spelling to measure against (NULL: the candidate itself); lets callers
 * match "VMX_BASIC" against "IA32_VMX_BASIC" with the prefix dropped. */
void suggestion_offer(struct suggestion *s, const char *candidate, const char *compare_as);

/* " (did you mean X?)" when there is a suggestion, "" otherwise. The text is
 * valid until the next call. */
const char *suggestion_hint(const struct suggestion *s);

#endif
