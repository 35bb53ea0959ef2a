/* msr_condition_describe() (x86msr/cpuid.h): a presence condition in the
 * manuals' notation, MSRs named by msr_spec's text. Freestanding string building. */
#include "x86msr/cpuid.h"

struct text {
    char *buf;
    size_t size, len;
};

static void put(struct text *t, const char *s)
{
    for (; *s; s++, t->len++)
        if (t->len + 1 < t->size)
            t->buf[t->len] = *s;
}

static void put_number(struct text *t, uint64_t v, bool hex)
{
    char digits[24];
    unsigned n = 0;
    do {
        unsigned d = (unsigned)(v % (hex ? 16 : 10));
        digits[n++] = (char)(d < 10 ? '0' + d : 'A' + d - 10);
        v /= hex ? 16 : 10;
    } while (v);
    if (hex && digits[n - 1] > '9')
        digits[n++] = '0'; /* 0AH, as the manuals write it */
    while (n) {
        char s[2] = { digits[--n], 0 };
        put(t, s);
    }
    if (hex)
        put(t, "H");
}

static void put_index(struct text *t, uint32_t index, bool has_index)
{
    if (has_index)
        put_number(t, index, false);
    else
        put(t, "n");
}

static void describe(struct text *t, const struct msr_condition *c, uint32_t index, bool has_index, bool nested)
{
    static const char *const ops[] = { "", " = ", " > ", " >= " };
    if (c->kind == MSR_CONDITION_KIND_NOT) {
        put(t, "not (");
        describe(t, msr_condition_child(c), index, has_index, false);
        put(t, ")");
        return;
    }
    if (c->kind == MSR_CONDITION_KIND_ANY_OF || c->kind == MSR_CONDITION_KIND_ALL_OF) {
        const union msr_cell *first = msr_condition_cell(c) + 1, *end = msr_condition_cell(c) + c->size, *child;
        if (nested)
            put(t, "(");
        for (child = first; child < end; child += child->cond.size) {
            if (child != first)
                put(t, c->kind == MSR_CONDITION_KIND_ANY_OF ? " or " : " and ");
            describe(t, &child->cond, index, has_index, true);
        }
        if (nested)
            put(t, ")");
        return;
    }
    if (c->kind == MSR_CONDITION_KIND_CONTEXT) {
        put(t, "only in context ");
        put(t, msr_context_name(c->context) ? msr_context_name(c->context) : "?");
        return;
    }
    if (c->kind == MSR_CONDITION_KIND_INDEX) {
        put(t, "n = ");
        put_number(t, c->operand, false);
        return;
    }
    if (c->kind == MSR_CONDITION_KIND_FAMILY) {
        unsigned i;
        put(t, "family ");
        put_number(t, c->family, true);
        for (i = 0; i < c->model_count; i++) {
            put(t, i ? "/" : ", model ");
            put_number(t, msr_condition_model(c, i), true);
        }
        return;
    }
    if (c->kind == MSR_CONDITION_KIND_CPUID) {
        const char *reg = msr_cpuid_reg_name(c->reg);
        char upper[8];
        unsigned i;
        put(t, "CPUID.(EAX=");
        put_number(t, c->leaf, true);
        if (c->subleaf) {
            put(t, ",ECX=");
            put_number(t, c->subleaf, true);
        }
        put(t, "):");
        /* the manuals write the register in capitals: "eax" -> "EAX" */
        for (i = 0; reg && reg[i] && i + 1 < sizeof upper; i++)
            upper[i] = (char)(reg[i] >= 'a' && reg[i] <= 'z' ? reg[i] - 'a' + 'A' : reg[i]);
        upper[reg ? i : 0] = '\0';
        put(t, reg ? upper : "?");
    } else {
        const char *p = msr_condition_msr_name(c);
        if (p == NULL) {
            put(t, "MSR ");
            put_number(t, c->msr, true);
        } else {
            /* "{n}" in the spec's name stands for the instance of the same index */
            for (; *p; p++) {
                if (has_index && p[0] == '{' && p[1] == 'n' && p[2] == '}') {
                    put_number(t, index, false);
                    p += 2;
                } else {
                    char s[2] = { *p, 0 };
                    put(t, s);
                }
            }
        }
    }
    put(t, "[");
    if (c->flags & MSR_CONDITION_BIT_IS_INDEX) {
        put_index(t, index, has_index);
    } else {
        put_number(t, c->msb, false);
        if (c->msb != c->lsb) {
            put(t, ":");
            put_number(t, c->lsb, false);
        }
    }
    put(t, "]");
    if (c->compare == MSR_COMPARE_NONZERO) {
        put(t, (c->msb == c->lsb || (c->flags & MSR_CONDITION_BIT_IS_INDEX)) ? " = 1" : " != 0");
        return;
    }
    put(t, ops[c->compare & 3u]);
    if (c->flags & MSR_CONDITION_OPERAND_IS_INDEX)
        put_index(t, index, has_index);
    else
        put_number(t, c->operand, false);
}

const char *msr_condition_msr_name(const struct msr_condition *c)
{
    const struct msr_def *def;
    const struct msr_instance *inst, *end = msr_spec.instances + msr_spec.instance_count;

    if (c == NULL || c->kind != MSR_CONDITION_KIND_MSR || c->msr_def >= msr_spec.def_count)
        return NULL;
    def = msr_spec.defs[c->msr_def];
    if (c->msr_stride != 0 || def->count == 1)
        return msr_def_name(def);
    /* one instance of an array: its own name (the registers at one address follow each other) */
    for (inst = msr_find_by_address(c->msr); inst != NULL && inst < end && inst->address == c->msr; inst++)
        if (inst->def == def->id)
            return msr_name(inst);
    return msr_def_name(def);
}

size_t msr_condition_describe(const struct msr_condition *cond, uint32_t index, bool has_index, char *buf,
                              size_t size)
{
    struct text t;
    t.buf = buf;
    t.size = size;
    t.len = 0;
    if (cond)
        describe(&t, cond, index, has_index, false);
    if (size)
        buf[t.len < size ? t.len : size - 1] = '\0';
    return t.len;
}
