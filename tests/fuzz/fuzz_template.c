/*
 * libFuzzer harness: CPU template files (template_file.c) and the JSON reader
 * under them (json_read.c). The input is the file's text.
 *
 * Oracles besides the sanitizers:
 *  - the reader: every position it reports (a value's, a key's, an error's)
 *    lies in the input; a document it accepts, written back out, reads back
 *    as the same tree (kinds, keys, strings, numbers, order);
 *  - the template: an error has a message and a position in the input; an
 *    accepted template names guest-state registers only, each field once,
 *    each value fits its field and is one of its values, every step sets only
 *    bits it clears and clears exactly the fields it decides, and
 *    msr_template_apply() gives (value & ~clear) | set for its register and
 *    leaves every other register alone; written back out by field name and
 *    number, the template compiles to the same steps (a register named
 *    with no fields decides nothing and is left out).
 */
#include "json_read.h"
#include "template_file.h"
#include "fuzz_oracle.h"

#include <x86msr/guest.h>
#include <x86msr/meta.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A growing text for writing a document back out. */
struct out {
    char *s;
    size_t used, size;
};

static void put(struct out *o, const char *text, size_t n)
{
    if (o->used + n + 1 > o->size) {
        o->size = (o->used + n + 1) * 2;
        o->s = realloc(o->s, o->size);
        REQUIRE(o->s != NULL);
    }
    memcpy(o->s + o->used, text, n);
    o->used += n;
    o->s[o->used] = '\0';
}

static void put_text(struct out *o, const char *text)
{
    put(o, text, strlen(text));
}

static void put_string(struct out *o, const char *s)
{
    put(o, "\"", 1);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];

        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(o, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04X", c);
            put(o, esc, 6);
        } else {
            put(o, s, 1);
        }
    }
    put(o, "\"", 1);
}

static void write_value(struct out *o, const struct json_value *v)
{
    size_t i;

    switch (v->kind) {
    case JSON_NULL: put_text(o, "null"); break;
    case JSON_FALSE: put_text(o, "false"); break;
    case JSON_TRUE: put_text(o, "true"); break;
    case JSON_NUMBER: put_text(o, v->text); break;
    case JSON_STRING: put_string(o, v->text); break;
    case JSON_ARRAY:
        put_text(o, "[");
        for (i = 0; i < v->count; i++) {
            if (i)
                put_text(o, ",\n");
            write_value(o, &v->items[i]);
        }
        put_text(o, "]");
        break;
    case JSON_OBJECT:
        put_text(o, "{");
        for (i = 0; i < v->count; i++) {
            if (i)
                put_text(o, ", ");
            put_string(o, v->members[i].key);
            put_text(o, ": ");
            write_value(o, &v->members[i].value);
        }
        put_text(o, "}");
        break;
    }
}

static bool same_tree(const struct json_value *a, const struct json_value *b)
{
    size_t i;

    if (a->kind != b->kind || a->count != b->count)
        return false;
    if ((a->kind == JSON_STRING || a->kind == JSON_NUMBER) && strcmp(a->text, b->text) != 0)
        return false;
    for (i = 0; a->kind == JSON_ARRAY && i < a->count; i++)
        if (!same_tree(&a->items[i], &b->items[i]))
            return false;
    for (i = 0; a->kind == JSON_OBJECT && i < a->count; i++)
        if (strcmp(a->members[i].key, b->members[i].key) != 0 || !same_tree(&a->members[i].value, &b->members[i].value))
            return false;
    return true;
}

/* The line and column just past the input's end: the last position a message may name. */
struct positions {
    unsigned last_line, last_col; /* of the end of the input */
};

static struct positions positions_of(const uint8_t *data, size_t size)
{
    struct positions p = {1, 1};
    size_t i;

    for (i = 0; i < size; i++) {
        if (data[i] == '\n') {
            p.last_line++;
            p.last_col = 1;
        } else {
            p.last_col++;
        }
    }
    return p;
}

/* Whether LINE:COL can be a position of the input (at most its end). */
static bool in_input(const struct positions *p, unsigned line, unsigned col)
{
    return line >= 1 && col >= 1 && (line < p->last_line || (line == p->last_line && col <= p->last_col));
}

static void check_positions(const struct positions *p, const struct json_value *v)
{
    size_t i;

    REQUIRE(in_input(p, v->line, v->col));
    for (i = 0; v->kind == JSON_ARRAY && i < v->count; i++)
        check_positions(p, &v->items[i]);
    for (i = 0; v->kind == JSON_OBJECT && i < v->count; i++) {
        REQUIRE(in_input(p, v->members[i].line, v->members[i].col));
        check_positions(p, &v->members[i].value);
    }
}

static void check_reader(const uint8_t *data, size_t size, const struct positions *p)
{
    struct json_value root, again;
    struct json_read_error err;
    struct out o = {NULL, 0, 0};

    if (!json_read((const char *)data, size, &root, &err)) {
        REQUIRE(err.message[0] != '\0');
        REQUIRE(in_input(p, err.line, err.col));
        return;
    }
    check_positions(p, &root);
    write_value(&o, &root);
    REQUIRE(json_read(o.s, o.used, &again, &err));
    REQUIRE(same_tree(&root, &again));
    json_value_free(&again);
    json_value_free(&root);
    free(o.s);
}

static void check_template(const struct cpu_template *t)
{
    size_t i, j, op;

    for (op = 0; op < t->op_count; op++) {
        const struct msr_template_op *o = &t->ops[op];
        uint64_t decided = 0, probe = 0x5A5AA5A5C3C33C3Cull;

        REQUIRE((o->set & ~o->clear) == 0);
        for (i = 0; i < t->field_count; i++)
            if (t->fields[i].msr->address == o->address && !t->fields[i].keep)
                decided |= msr_field_mask(msr_def_field(msr_def_of(t->fields[i].msr), t->fields[i].field));
        REQUIRE(decided == o->clear);
        REQUIRE(msr_template_apply(t->ops, t->op_count, o->address, probe) == ((probe & ~o->clear) | o->set));
        REQUIRE(msr_template_apply(t->ops, t->op_count, o->address, ~probe) == ((~probe & ~o->clear) | o->set));
        for (j = 0; j < op; j++)
            REQUIRE(t->ops[j].address != o->address);
        REQUIRE(template_op(t, o->address) == o);
    }
    /* an address no step names: a register a template cannot name (no MSR lies there) */
    REQUIRE(template_op(t, 0xFFFFFFFFu) == NULL);
    REQUIRE(msr_template_apply(t->ops, t->op_count, 0xFFFFFFFFu, 42) == 42);
    for (i = 0; i < t->field_count; i++) {
        const struct template_field *f = &t->fields[i];
        const struct msr_def *def = msr_def_of(f->msr);
        const struct msr_field_info *field;

        REQUIRE(def->flags & MSR_REG_F_GUEST_STATE);
        REQUIRE(f->field < def->field_count);
        field = msr_def_field(def, f->field);
        REQUIRE(!(field->flags & MSR_FIELD_F_UNDOCUMENTED));
        REQUIRE(template_op(t, f->msr->address) != NULL);
        if (!f->keep) {
            REQUIRE((msr_field_mask(field) >> field->lsb) >= f->value);
            REQUIRE(msr_field_value_valid(def, field, f->value));
            REQUIRE(msr_field_extract(field, template_op(t, f->msr->address)->set) == f->value);
        }
        for (j = 0; j < i; j++)
            REQUIRE(!(t->fields[j].msr == f->msr && t->fields[j].field == f->field));
    }
}

/* The template written back by register and field name, values as numbers. */
static void rewrite(const struct cpu_template *t, struct out *o)
{
    size_t op, i;
    bool first_reg = true;

    put_text(o, "{\"registers\": {");
    for (op = 0; op < t->op_count; op++) {
        bool first = true, named = false;

        for (i = 0; i < t->field_count; i++) {
            const struct template_field *f = &t->fields[i];
            const struct msr_def *def;
            char number[32];

            if (f->msr->address != t->ops[op].address)
                continue;
            def = msr_def_of(f->msr);
            if (!named) {
                put_text(o, first_reg ? "" : ", ");
                put_string(o, msr_name(f->msr));
                put_text(o, ": {");
                named = true;
                first_reg = false;
            }
            put_text(o, first ? "" : ", ");
            put_string(o, msr_field_name(def, f->field));
            snprintf(number, sizeof number, "\"0x%" PRIX64 "\"", f->value);
            put_text(o, ": ");
            put_text(o, f->keep ? "\"keep\"" : number);
            first = false;
        }
        if (!named) /* a register with no fields decides nothing: left out */
            continue;
        put_text(o, "}");
    }
    put_text(o, "}}");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct positions p = positions_of(data, size);
    struct cpu_template t, again;
    struct template_error err;
    struct out o = {NULL, 0, 0};
    size_t i;

    check_reader(data, size, &p);
    if (!template_parse((const char *)data, size, &t, &err)) {
        REQUIRE(err.message[0] != '\0');
        REQUIRE(err.line == 0 || in_input(&p, err.line, err.col));
        return 0;
    }
    check_template(&t);
    rewrite(&t, &o);
    if (!template_parse(o.s, o.used, &again, &err)) {
        fprintf(stderr, "rewritten template refused: %u:%u: %s\n%s\n", err.line, err.col, err.message, o.s);
        abort();
    }
    REQUIRE(again.field_count == t.field_count);
    for (i = 0; i < t.op_count; i++) {
        const struct msr_template_op *same = template_op(&again, t.ops[i].address);

        REQUIRE(same != NULL || (t.ops[i].clear == 0 && t.ops[i].set == 0));
        REQUIRE(same == NULL || (same->clear == t.ops[i].clear && same->set == t.ops[i].set));
    }
    for (i = 0; i < again.op_count; i++)
        REQUIRE(template_op(&t, again.ops[i].address) != NULL);
    template_free(&again);
    template_free(&t);
    free(o.s);
    return 0;
}
