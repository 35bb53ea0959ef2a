#define _POSIX_C_SOURCE 200809L /* getline */

#include "snapshot.h"

#include "diag.h"
#include "number.h"

#include <x86msr/linux.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct parser {
    const char *path;
    unsigned long line;
    struct snapshot *snapshot;
    struct snapshot_cpu *current; /* NULL before the first value or cpu line */
};

static int parse_error(const struct parser *p, const char *what, const char *detail)
{
    return usage_error_code(ERR_BAD_FILE, "%s:%lu: %s%s", p->path, p->line, what, detail ? detail : "");
}

/* realloc that ends the program when out of memory, like xmalloc. */
static void *grow(void *array, size_t *capacity, size_t initial, size_t element_size)
{
    size_t wanted = *capacity ? 2 * *capacity : initial;
    void *grown = realloc(array, wanted * element_size);

    if (grown == NULL) {
        runtime_error("out of memory");
        exit(TOOL_EXIT_FAILURE);
    }
    *capacity = wanted;
    return grown;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static struct snapshot_cpu *find_cpu(struct snapshot *s, unsigned cpu)
{
    size_t i;

    for (i = 0; i < s->count; i++)
        if (s->cpus[i].cpu == cpu)
            return &s->cpus[i];
    return NULL;
}

/* Starts CPU `cpu`'s section (line 0: implicit CPU 0). */
static int start_cpu(struct parser *p, unsigned cpu, unsigned long line)
{
    struct snapshot *s = p->snapshot;
    struct snapshot_cpu *existing = find_cpu(s, cpu);

    if (existing != NULL) {
        char detail[96];

        if (existing->line == 0)
            snprintf(detail, sizeof detail, " (values before the first '# cpu' line are cpu 0's)");
        else
            snprintf(detail, sizeof detail, " (first at line %lu)", existing->line);
        return usage_error_code(ERR_BAD_FILE, "%s:%lu: cpu %u appears twice%s", p->path, p->line, cpu, detail);
    }
    if (s->count == s->capacity)
        s->cpus = grow(s->cpus, &s->capacity, 8, sizeof *s->cpus);
    p->current = &s->cpus[s->count++];
    memset(p->current, 0, sizeof *p->current);
    p->current->cpu = cpu;
    p->current->line = line;
    return TOOL_EXIT_OK;
}

/* "# cpu N" (text points after the '#'), or any other comment. */
static int parse_comment(struct parser *p, const char *text)
{
    const char *word, *number_start;
    char number[16], why[128];
    size_t length;
    uint64_t cpu;

    while (is_blank(*text))
        text++;
    word = text;
    if (strncmp(word, "cpu", 3) != 0 || !(word[3] == '\0' || is_blank(word[3])))
        return TOOL_EXIT_OK; /* an ordinary comment */
    text = word + 3;
    while (is_blank(*text))
        text++;
    number_start = text;
    length = strcspn(text, " \t\r");
    text += length;
    while (is_blank(*text))
        text++;
    if (length == 0 || *text != '\0' || length >= sizeof number)
        return parse_error(p, "malformed cpu line (expected '# cpu N')", NULL);
    memcpy(number, number_start, length);
    number[length] = '\0';
    if (!parse_number(number, 32, &cpu, why, sizeof why))
        return usage_error_code(ERR_BAD_FILE, "%s:%lu: invalid cpu number '%s': %s", p->path, p->line, number, why);
    if (cpu >= MSR_LINUX_MAX_CPUS)
        return usage_error_code(ERR_BAD_FILE, "%s:%lu: invalid cpu number '%s': the largest is %u", p->path,
                                p->line, number, MSR_LINUX_MAX_CPUS - 1);
    return start_cpu(p, (unsigned)cpu, p->line);
}

/* Splits `text` at blanks into at most `max` words (NUL-terminating them in
 * place); returns how many there were (max + 1 means "more"). */
static size_t split_words(char *text, char **words, size_t max)
{
    size_t n = 0;

    for (;;) {
        while (is_blank(*text))
            text++;
        if (*text == '\0')
            return n;
        if (n == max)
            return max + 1;
        words[n++] = text;
        while (*text != '\0' && !is_blank(*text))
            text++;
        if (*text != '\0')
            *text++ = '\0';
    }
}

static int add_entry(struct parser *p, uint32_t address, uint64_t value)
{
    struct snapshot_cpu *c;
    int status;

    if (p->current == NULL && (status = start_cpu(p, 0, 0)) != TOOL_EXIT_OK)
        return status;
    c = p->current;
    if (c->count == c->capacity)
        c->entries = grow(c->entries, &c->capacity, 64, sizeof *c->entries);
    c->entries[c->count].address = address;
    c->entries[c->count].value = value;
    c->entries[c->count].line = p->line;
    c->count++;
    return TOOL_EXIT_OK;
}

static int parse_line(struct parser *p, char *line)
{
    char *hash = strchr(line, '#');
    char *words[2];
    char why[128];
    uint64_t address, value;
    size_t n;

    if (hash != NULL) {
        int status;
        char *first = line;

        while (is_blank(*first))
            first++;
        if (first == hash && (status = parse_comment(p, hash + 1)) != TOOL_EXIT_OK)
            return status;
        *hash = '\0';
    }
    n = split_words(line, words, 2);
    if (n == 0)
        return TOOL_EXIT_OK;
    if (n == 1)
        return parse_error(p, "expected 'ADDRESS VALUE', got one word", NULL);
    if (n > 2)
        return parse_error(p, "expected 'ADDRESS VALUE', got more words", NULL);
    if (!parse_number(words[0], 32, &address, why, sizeof why))
        return usage_error_code(ERR_BAD_FILE, "%s:%lu: invalid address '%s': %s", p->path, p->line, words[0], why);
    if (!parse_number(words[1], 64, &value, why, sizeof why))
        return usage_error_code(ERR_BAD_FILE, "%s:%lu: invalid value '%s': %s", p->path, p->line, words[1], why);
    return add_entry(p, (uint32_t)address, value);
}

static int compare_entries(const void *a, const void *b)
{
    const struct snapshot_entry *x = a, *y = b;

    if (x->address != y->address)
        return x->address < y->address ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static int compare_cpus(const void *a, const void *b)
{
    const struct snapshot_cpu *x = a, *y = b;

    return (x->cpu > y->cpu) - (x->cpu < y->cpu);
}

/* Sorts every CPU's values and rejects an address given twice. */
static int finish(const char *path, struct snapshot *s)
{
    size_t i, j;

    if (s->count > 1)
        qsort(s->cpus, s->count, sizeof *s->cpus, compare_cpus);
    for (i = 0; i < s->count; i++) {
        struct snapshot_cpu *c = &s->cpus[i];

        if (c->count > 1)
            qsort(c->entries, c->count, sizeof *c->entries, compare_entries);
        for (j = 1; j < c->count; j++)
            if (c->entries[j].address == c->entries[j - 1].address)
                return usage_error_code(ERR_BAD_FILE,
                                        "%s:%lu: address 0x%08" PRIX32 " given twice for cpu %u (first at line %lu)",
                                        path, c->entries[j].line, c->entries[j].address, c->cpu,
                                        c->entries[j - 1].line);
    }
    return TOOL_EXIT_OK;
}

int snapshot_load(const char *path, struct snapshot *out)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *in = is_stdin ? stdin : fopen(path, "r");
    struct parser p;
    char *line = NULL;
    size_t size = 0;
    ssize_t length;
    int status = TOOL_EXIT_OK;

    memset(out, 0, sizeof *out);
    if (in == NULL)
        return runtime_error("cannot open snapshot '%s': %s", path, strerror(errno));
    p.path = is_stdin ? "(stdin)" : path;
    p.line = 0;
    p.snapshot = out;
    p.current = NULL;
    while (status == TOOL_EXIT_OK && (length = getline(&line, &size, in)) >= 0) {
        p.line++;
        if (length > 0 && line[length - 1] == '\n')
            line[--length] = '\0';
        if (memchr(line, '\0', (size_t)length) != NULL)
            status = parse_error(&p, "NUL byte in the line (not a text file?)", NULL);
        else
            status = parse_line(&p, line);
    }
    if (status == TOOL_EXIT_OK && ferror(in))
        status = runtime_error("cannot read snapshot '%s': %s", p.path, strerror(errno));
    free(line);
    if (!is_stdin)
        fclose(in);
    if (status == TOOL_EXIT_OK)
        status = finish(p.path, out);
    return status;
}

void snapshot_free(struct snapshot *snapshot)
{
    size_t i;

    for (i = 0; i < snapshot->count; i++)
        free(snapshot->cpus[i].entries);
    free(snapshot->cpus);
    memset(snapshot, 0, sizeof *snapshot);
}

const struct snapshot_cpu *snapshot_find_cpu(const struct snapshot *snapshot, unsigned cpu)
{
    size_t i;

    for (i = 0; i < snapshot->count; i++)
        if (snapshot->cpus[i].cpu == cpu)
            return &snapshot->cpus[i];
    return NULL;
}

bool snapshot_lookup(const struct snapshot_cpu *cpu, uint32_t address, uint64_t *value)
{
    size_t low = 0, high = cpu->count;

    while (low < high) {
        size_t mid = low + (high - low) / 2;

        if (cpu->entries[mid].address < address) {
            low = mid + 1;
        } else if (cpu->entries[mid].address > address) {
            high = mid;
        } else {
            *value = cpu->entries[mid].value;
            return true;
        }
    }
    return false;
}

void snapshot_cpu_list(const struct snapshot *snapshot, struct cpu_list *out)
{
    size_t i;

    out->count = snapshot->count;
    out->cpus = xmalloc(snapshot->count * sizeof *out->cpus);
    for (i = 0; i < snapshot->count; i++)
        out->cpus[i] = snapshot->cpus[i].cpu;
}

void snapshot_write_header(FILE *out)
{
    fputs("# x86msr snapshot: one 'ADDRESS VALUE' per line; '# cpu N' starts CPU N's values\n", out);
}

void snapshot_write_cpu(FILE *out, unsigned cpu)
{
    fprintf(out, "# cpu %u\n", cpu);
}

void snapshot_write_entry(FILE *out, uint32_t address, uint64_t value, const char *name)
{
    if (name != NULL)
        fprintf(out, "0x%08" PRIX32 " 0x%016" PRIX64 "  # %s\n", address, value, name);
    else
        fprintf(out, "0x%08" PRIX32 " 0x%016" PRIX64 "\n", address, value);
}
