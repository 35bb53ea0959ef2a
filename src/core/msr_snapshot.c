/*
 * Snapshot files (x86msr/files.h): parsed from a buffer into the caller's
 * storage. Freestanding.
 */
#include <x86msr/files.h>

struct parser {
    const char *text;
    unsigned long line;
    struct msr_snapshot *s;
    struct msr_file_error *error;
    struct msr_snapshot_cpu *current; /* NULL before the first value or '# cpu' line, or when out of room */
    bool have_current;                /* a CPU section is open (stored or not) */
    bool no_room;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static int fail(struct parser *p, int status, enum msr_file_item item,
                                 size_t word, size_t word_length)
{
    struct msr_file_error *e = p->error;

    if (e != NULL) {
        e->status = status;
        e->item = item;
        e->line = p->line;
        e->word = word;
        e->word_length = word_length;
    }
    return status;
}

static struct msr_snapshot_cpu *find_cpu(const struct msr_snapshot *s, uint32_t cpu)
{
    size_t i;

    for (i = 0; i < s->cpu_count && i < s->cpu_capacity; i++)
        if (s->cpus[i].cpu == cpu)
            return &s->cpus[i];
    return NULL;
}

/* Starts CPU `cpu`'s values (line 0: the implicit CPU 0). */
static int start_cpu(struct parser *p, uint32_t cpu, unsigned long line, size_t word,
                                      size_t word_length)
{
    struct msr_snapshot *s = p->s;
    const struct msr_snapshot_cpu *existing = find_cpu(s, cpu);

    if (existing != NULL) {
        if (p->error != NULL) {
            p->error->first_line = existing->line;
            p->error->cpu = cpu;
        }
        return fail(p, MSR_FILE_ERR_CPU_TWICE, MSR_FILE_ITEM_CPU, word, word_length);
    }
    p->have_current = true;
    if (s->cpu_count < s->cpu_capacity) {
        p->current = &s->cpus[s->cpu_count];
        p->current->values = s->values + (s->value_count < s->value_capacity ? s->value_count : s->value_capacity);
        p->current->count = 0;
        p->current->cpu = cpu;
        p->current->line = line;
    } else {
        p->current = NULL;
        p->no_room = true;
    }
    s->cpu_count++;
    return MSR_OK;
}

/* A comment (from just after its '#' to `end`): "# cpu N" or anything else. */
static int parse_comment(struct parser *p, size_t at, size_t end)
{
    const char *t = p->text;
    struct msr_number_error why;
    size_t number, length;
    uint64_t cpu;

    while (at < end && is_blank(t[at]))
        at++;
    if (end - at < 3 || t[at] != 'c' || t[at + 1] != 'p' || t[at + 2] != 'u' ||
        (at + 3 < end && !is_blank(t[at + 3])))
        return MSR_OK; /* an ordinary comment */
    at += 3;
    while (at < end && is_blank(t[at]))
        at++;
    number = at;
    while (at < end && !is_blank(t[at]))
        at++;
    length = at - number;
    while (at < end && is_blank(t[at]))
        at++;
    if (length == 0 || at != end || length >= 16)
        return fail(p, MSR_FILE_ERR_CPU_LINE, MSR_FILE_ITEM_CPU, 0, 0);
    if (msr_parse_number(t + number, length, 32, &cpu, &why) != MSR_OK) {
        if (p->error != NULL)
            p->error->number = why;
        return fail(p, MSR_FILE_ERR_NUMBER, MSR_FILE_ITEM_CPU, number, length);
    }
    if (p->s->cpu_limit != 0 && cpu >= p->s->cpu_limit) {
        if (p->error != NULL)
            p->error->cpu = (uint32_t)cpu;
        return fail(p, MSR_FILE_ERR_CPU_RANGE, MSR_FILE_ITEM_CPU, number, length);
    }
    return start_cpu(p, (uint32_t)cpu, p->line, number, length);
}

static int add_value(struct parser *p, uint32_t address, uint64_t value)
{
    struct msr_snapshot *s = p->s;
    int status;

    if (!p->have_current && (status = start_cpu(p, 0, 0, 0, 0)) != MSR_OK)
        return status;
    if (p->current != NULL && s->value_count < s->value_capacity) {
        struct msr_snapshot_value *v = &s->values[s->value_count];

        v->address = address;
        v->value = value;
        v->line = p->line;
        p->current->count++;
    } else {
        p->no_room = true;
    }
    s->value_count++;
    return MSR_OK;
}

/* One line, [start, end) of the text (its '\n' left out). */
static int parse_line(struct parser *p, size_t start, size_t end)
{
    const char *t = p->text;
    struct msr_number_error why;
    size_t i, words[2], lengths[2], n = 0;
    uint64_t address, value;

    for (i = start; i < end; i++)
        if (t[i] == '\0')
            return fail(p, MSR_FILE_ERR_NUL, MSR_FILE_ITEM_NONE, 0, 0);
    for (i = start; i < end && t[i] != '#'; i++)
        ;
    if (i < end) { /* a comment; a '# cpu N' line when nothing comes before it */
        size_t first = start;
        int status;

        while (first < i && is_blank(t[first]))
            first++;
        if (first == i && (status = parse_comment(p, i + 1, end)) != MSR_OK)
            return status;
        end = i;
    }
    for (i = start;;) {
        while (i < end && is_blank(t[i]))
            i++;
        if (i == end)
            break;
        if (n == 2)
            return fail(p, MSR_FILE_ERR_MORE_WORDS, MSR_FILE_ITEM_NONE, 0, 0);
        words[n] = i;
        while (i < end && !is_blank(t[i]))
            i++;
        lengths[n] = i - words[n];
        n++;
    }
    if (n == 0)
        return MSR_OK;
    if (n == 1)
        return fail(p, MSR_FILE_ERR_ONE_WORD, MSR_FILE_ITEM_NONE, 0, 0);
    if (msr_parse_number(t + words[0], lengths[0], 32, &address, &why) != MSR_OK) {
        if (p->error != NULL)
            p->error->number = why;
        return fail(p, MSR_FILE_ERR_NUMBER, MSR_FILE_ITEM_ADDRESS, words[0], lengths[0]);
    }
    if (msr_parse_number(t + words[1], lengths[1], 64, &value, &why) != MSR_OK) {
        if (p->error != NULL)
            p->error->number = why;
        return fail(p, MSR_FILE_ERR_NUMBER, MSR_FILE_ITEM_VALUE, words[1], lengths[1]);
    }
    return add_value(p, (uint32_t)address, value);
}

/* Heap sorts, in place (no libc qsort in a freestanding library). */
static bool value_before(const struct msr_snapshot_value *a, const struct msr_snapshot_value *b)
{
    return a->address != b->address ? a->address < b->address : a->line < b->line;
}

static void sift_values(struct msr_snapshot_value *v, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        struct msr_snapshot_value swap;

        if (child >= n)
            return;
        if (child + 1 < n && value_before(&v[child], &v[child + 1]))
            child++;
        if (!value_before(&v[root], &v[child]))
            return;
        swap = v[root];
        v[root] = v[child];
        v[child] = swap;
        root = child;
    }
}

static void sort_values(struct msr_snapshot_value *v, size_t n)
{
    size_t i;

    for (i = n / 2; i-- > 0;)
        sift_values(v, i, n);
    while (n > 1) {
        struct msr_snapshot_value swap = v[0];

        v[0] = v[n - 1];
        v[n - 1] = swap;
        sift_values(v, 0, --n);
    }
}

static void sift_cpus(struct msr_snapshot_cpu *c, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        struct msr_snapshot_cpu swap;

        if (child >= n)
            return;
        if (child + 1 < n && c[child].cpu < c[child + 1].cpu)
            child++;
        if (c[root].cpu >= c[child].cpu)
            return;
        swap = c[root];
        c[root] = c[child];
        c[child] = swap;
        root = child;
    }
}

static void sort_cpus(struct msr_snapshot_cpu *c, size_t n)
{
    size_t i;

    for (i = n / 2; i-- > 0;)
        sift_cpus(c, i, n);
    while (n > 1) {
        struct msr_snapshot_cpu swap = c[0];

        c[0] = c[n - 1];
        c[n - 1] = swap;
        sift_cpus(c, 0, --n);
    }
}

/* Sorts the CPUs and each CPU's values; an address given twice is a mistake
 * (the first in CPU and address order). */
static int finish(struct parser *p)
{
    struct msr_snapshot *s = p->s;
    size_t i, j;

    sort_cpus(s->cpus, s->cpu_count);
    for (i = 0; i < s->cpu_count; i++) {
        struct msr_snapshot_cpu *c = &s->cpus[i];
        struct msr_snapshot_value *v = s->values + (c->values - s->values);

        sort_values(v, c->count);
        for (j = 1; j < c->count; j++)
            if (v[j].address == v[j - 1].address) {
                p->line = v[j].line;
                if (p->error != NULL) {
                    p->error->first_line = v[j - 1].line;
                    p->error->cpu = c->cpu;
                    p->error->address = v[j].address;
                }
                return fail(p, MSR_FILE_ERR_ADDRESS_TWICE, MSR_FILE_ITEM_ADDRESS, 0, 0);
            }
    }
    return MSR_OK;
}

int msr_snapshot_parse(const char *text, size_t length, struct msr_snapshot *snapshot,
                                        struct msr_file_error *error)
{
    struct parser p;
    size_t start = 0;

    if (error != NULL) {
        struct msr_file_error none = { MSR_OK, MSR_FILE_ITEM_NONE, 0, 0, 0, 0, { MSR_NUMBER_OK, 0, 0 }, 0, 0 };
        *error = none;
    }
    snapshot->cpu_count = 0;
    snapshot->value_count = 0;
    p.text = text;
    p.line = 0;
    p.s = snapshot;
    p.error = error;
    p.current = NULL;
    p.have_current = false;
    p.no_room = false;
    while (start < length) {
        size_t end = start;
        int status;

        while (end < length && text[end] != '\n')
            end++;
        p.line++;
        if ((status = parse_line(&p, start, end)) != MSR_OK)
            return status;
        start = end + 1;
    }
    if (p.no_room) {
        p.line = 0;
        return fail(&p, MSR_FILE_ERR_NO_ROOM, MSR_FILE_ITEM_NONE, 0, 0);
    }
    return finish(&p);
}

const struct msr_snapshot_cpu *msr_snapshot_find_cpu(const struct msr_snapshot *snapshot, uint32_t cpu)
{
    size_t low = 0, high = snapshot->cpu_count;

    while (low < high) {
        size_t mid = low + (high - low) / 2;

        if (snapshot->cpus[mid].cpu < cpu)
            low = mid + 1;
        else if (snapshot->cpus[mid].cpu > cpu)
            high = mid;
        else
            return &snapshot->cpus[mid];
    }
    return NULL;
}

bool msr_snapshot_lookup(const struct msr_snapshot_cpu *cpu, uint32_t address, uint64_t *value)
{
    size_t low = 0, high = cpu->count;

    while (low < high) {
        size_t mid = low + (high - low) / 2;

        if (cpu->values[mid].address < address) {
            low = mid + 1;
        } else if (cpu->values[mid].address > address) {
            high = mid;
        } else {
            *value = cpu->values[mid].value;
            return true;
        }
    }
    return false;
}

int msr_snapshot_read(void *ctx, uint32_t msr, uint64_t *value)
{
    if (ctx == NULL || value == NULL)
        return MSR_ERR_INVALID;
    if (!msr_snapshot_lookup((const struct msr_snapshot_cpu *)ctx, msr, value)) {
        *value = 0;
        return MSR_ERR_FAULT;
    }
    return MSR_OK;
}
