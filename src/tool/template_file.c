/* CPU template files: JSON by register and field name, checked against the
 * spec (template_file.h). */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "template_file.h"

#include "field_args.h"
#include "format.h"
#include "json_read.h"
#include "msr_lookup.h"
#include "number.h"
#include "suggest.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool failed(struct template_error *err, enum tool_error_code code, unsigned line, unsigned col,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static bool failed(struct template_error *err, enum tool_error_code code, unsigned line, unsigned col,
                   const char *fmt, ...)
{
    va_list ap;

    err->code = code;
    err->line = line;
    err->col = col;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return false;
}

static bool same_word(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

#define NO_GUEST_STATE "is no guest state: a template sets a vCPU's feature MSRs and its guest-state registers"

/* Why a template may not set `field` of a guest-state register `msr`, or NULL
 * when it may: any documented field of a feature or set-up register (the
 * vCPU's capabilities), a writable field of any other. */
static const char *refusal(const struct msr_instance *msr, const struct msr_field_info *field)
{
    const struct msr_def *def = msr_def_of(msr);

    if (field->flags & MSR_FIELD_F_UNDOCUMENTED)
        return "is undocumented (implementation-specific): not a feature bit, not writable";
    if (def->guest_state == MSR_GUEST_STATE_FEATURE || def->guest_state == MSR_GUEST_STATE_SETUP)
        return NULL;
    if (field->access == MSR_ACCESS_RO)
        return "is read-only, and its register is no feature register: not writable, not a feature bit";
    return NULL;
}

/* A field's value as the file gives it. */
static bool field_value(const struct msr_instance *msr, const struct msr_field_info *field,
                        const struct json_value *v, struct template_field *out, struct template_error *err)
{
    const struct msr_def *def = msr_def_of(msr);
    const char *name = field_name(def, field);
    uint64_t max = msr_field_mask(field) >> field->lsb;
    struct lookup_failure why;

    if (v->kind == JSON_STRING && (same_word(v->text, "set") || same_word(v->text, "clear"))) {
        out->value = same_word(v->text, "set") ? max : 0;
        return true;
    }
    if (v->kind == JSON_STRING && same_word(v->text, "keep")) {
        out->keep = true;
        return true;
    }
    if (v->kind == JSON_TRUE || v->kind == JSON_FALSE) {
        if (max != 1)
            return failed(err, ERR_BAD_VALUE, v->line, v->col, "%s.%s: true and false are for one-bit fields; this "
                          "one has %u bits (\"set\", \"clear\" or a number)", msr_name(msr), name, field_width(field));
        out->value = v->kind == JSON_TRUE;
        return true;
    }
    if (v->kind == JSON_NUMBER && (v->text[0] == '-' || strpbrk(v->text, ".eE") != NULL))
        return failed(err, ERR_BAD_VALUE, v->line, v->col, "%s.%s: %s is not a whole number of 0 or more",
                      msr_name(msr), name, v->text);
    if (v->kind != JSON_NUMBER && v->kind != JSON_STRING)
        return failed(err, ERR_BAD_VALUE, v->line, v->col,
                      "%s.%s: expected \"set\", \"clear\", \"keep\", a number, a value name or (one bit) true or "
                      "false, not %s", msr_name(msr),
                      name, json_kind_name(v->kind));
    if (v->kind == JSON_STRING && v->text[0] == '\0')
        return failed(err, ERR_BAD_VALUE, v->line, v->col,
                      "%s.%s: an empty value (expected \"set\", \"clear\", \"keep\", a number or a value name)",
                      msr_name(msr), name);
    if (!find_field_value(msr, field, v->text, &out->value, &why))
        return failed(err, why.code, v->line, v->col, "%s", why.message);
    if (!msr_field_value_valid(def, field, out->value))
        return failed(err, ERR_BAD_VALUE, v->line, v->col, "%s.%s: %s is not one of the field's values (a WRMSR "
                      "with it raises #GP)", msr_name(msr), name, v->text);
    return true;
}

/* The index of the step for `address`, or t->op_count. */
static size_t op_index(const struct cpu_template *t, uint32_t address)
{
    size_t i;

    for (i = 0; i < t->op_count && t->ops[i].address != address; i++)
        ;
    return i;
}

/* The fields of one register. */
static bool register_fields(struct cpu_template *t, const struct json_member *m, struct template_error *err)
{
    struct lookup_failure why;
    const struct msr_instance *msr = find_msr(m->key, &why);
    const struct msr_def *def;
    struct msr_template_op *op;
    size_t i, j;

    if (msr == NULL)
        return failed(err, why.code, m->line, m->col, "%s", why.message);
    def = msr_def_of(msr);
    j = op_index(t, msr->address);
    if (j < t->op_count)
        return failed(err, ERR_BAD_FILE, m->line, m->col, "%s is given twice (as \"%s\"; first at line %u)",
                      msr_name(msr), m->key, t->op_lines[j]);
    if (m->value.kind != JSON_OBJECT)
        return failed(err, ERR_BAD_FILE, m->value.line, m->value.col,
                      "%s: expected an object of field names and values, not %s", msr_name(msr),
                      json_kind_name(m->value.kind));
    if (!(def->flags & MSR_REG_F_GUEST_STATE))
        return failed(err, ERR_REFUSED, m->line, m->col, "%s " NO_GUEST_STATE, msr_name(msr));
    t->op_lines[t->op_count] = m->line;
    op = &t->ops[t->op_count++];
    op->address = msr->address;
    op->clear = op->set = 0;
    for (i = 0; i < m->value.count; i++) {
        const struct json_member *f = &m->value.members[i];
        const struct msr_field_info *field = find_field(msr, f->key, &why);
        struct template_field *out = &t->fields[t->field_count];
        const char *no;

        if (field == NULL)
            return failed(err, why.code, f->line, f->col, "%s", why.message);
        for (j = 0; j < t->field_count; j++)
            if (t->fields[j].msr == msr && t->fields[j].field == msr_field_index(def, field))
                return failed(err, ERR_BAD_FILE, f->line, f->col, "field %s of %s is given twice (first at line %u)",
                              field_name(def, field), msr_name(msr), t->fields[j].line);
        no = refusal(msr, field);
        if (no != NULL)
            return failed(err, ERR_REFUSED, f->line, f->col, "field %s of %s %s", field_name(def, field),
                          msr_name(msr), no);
        memset(out, 0, sizeof *out);
        out->msr = msr;
        out->field = msr_field_index(def, field);
        out->line = f->line;
        out->col = f->col;
        if (!field_value(msr, field, &f->value, out, err))
            return false;
        t->field_count++;
        if (!out->keep) {
            op->clear |= msr_field_mask(field);
            op->set = msr_field_insert(field, op->set, out->value);
        }
    }
    return true;
}

/* How many fields the file names at most (the storage to allocate). */
static size_t fields_named(const struct json_value *registers)
{
    size_t n = 0, i;

    for (i = 0; i < registers->count; i++)
        if (registers->members[i].value.kind == JSON_OBJECT)
            n += registers->members[i].value.count;
    return n;
}

static bool document(const struct json_value *root, struct cpu_template *t, struct template_error *err)
{
    const struct json_value *registers = NULL;
    size_t i;

    if (root->kind != JSON_OBJECT)
        return failed(err, ERR_BAD_FILE, root->line, root->col,
                      "a template is an object with \"registers\" (and \"description\"), not %s",
                      json_kind_name(root->kind));
    for (i = 0; i < root->count; i++) {
        const struct json_member *m = &root->members[i];

        if (strcmp(m->key, "description") == 0) {
            if (m->value.kind != JSON_STRING)
                return failed(err, ERR_BAD_FILE, m->value.line, m->value.col,
                              "\"description\" must be a string, not %s", json_kind_name(m->value.kind));
            free(t->description);
            t->description = strdup(m->value.text);
        } else if (strcmp(m->key, "registers") == 0) {
            if (m->value.kind != JSON_OBJECT)
                return failed(err, ERR_BAD_FILE, m->value.line, m->value.col,
                              "\"registers\" must be an object of register names, not %s",
                              json_kind_name(m->value.kind));
            registers = &m->value;
        } else {
            struct suggestion s;

            suggestion_init(&s, m->key);
            suggestion_offer(&s, "description", NULL);
            suggestion_offer(&s, "registers", NULL);
            return failed(err, ERR_BAD_FILE, m->line, m->col, "unknown key \"%s\"%s (a template has \"description\" "
                          "and \"registers\")", m->key, s.best ? suggestion_hint(&s) : "");
        }
    }
    if (registers == NULL)
        return failed(err, ERR_BAD_FILE, root->line, root->col, "a template needs \"registers\"");
    t->ops = calloc(registers->count + 1, sizeof *t->ops);
    t->op_lines = calloc(registers->count + 1, sizeof *t->op_lines);
    t->fields = calloc(fields_named(registers) + 1, sizeof *t->fields);
    if (t->ops == NULL || t->op_lines == NULL || t->fields == NULL || t->description == NULL)
        return failed(err, ERR_IO, 0, 0, "out of memory");
    for (i = 0; i < registers->count; i++)
        if (!register_fields(t, &registers->members[i], err))
            return false;
    return true;
}

bool template_parse(const char *text, size_t size, struct cpu_template *out, struct template_error *err)
{
    struct json_value root;
    struct json_read_error jerr;
    bool ok;

    memset(out, 0, sizeof *out);
    out->description = strdup("");
    if (!json_read(text, size, &root, &jerr)) {
        template_free(out);
        return failed(err, ERR_BAD_FILE, jerr.line, jerr.col, "%s", jerr.message);
    }
    ok = document(&root, out, err);
    json_value_free(&root);
    if (!ok)
        template_free(out);
    return ok;
}

bool template_load(const char *path, struct cpu_template *out, struct template_error *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *text = NULL;
    size_t used = 0, size = 0;
    bool ok;

    memset(out, 0, sizeof *out);
    if (f == NULL)
        return failed(err, ERR_IO, 0, 0, "cannot open: %s", strerror(errno));
    for (;;) {
        size_t n;

        if (used == size) {
            char *more = realloc(text, size ? size * 2 : 4096);
            if (more == NULL) {
                free(text);
                if (f != stdin)
                    fclose(f);
                return failed(err, ERR_IO, 0, 0, "out of memory");
            }
            text = more;
            size = size ? size * 2 : 4096;
        }
        n = fread(text + used, 1, size - used, f);
        used += n;
        if (n == 0)
            break;
    }
    ok = !ferror(f);
    if (f != stdin)
        fclose(f);
    if (!ok) {
        free(text);
        return failed(err, ERR_IO, 0, 0, "cannot read: %s", strerror(errno));
    }
    ok = template_parse(text, used, out, err);
    free(text);
    return ok;
}

void template_free(struct cpu_template *t)
{
    free(t->description);
    free(t->fields);
    free(t->ops);
    free(t->op_lines);
    memset(t, 0, sizeof *t);
}

const struct msr_template_op *template_op(const struct cpu_template *t, uint32_t address)
{
    size_t i = op_index(t, address);

    return i < t->op_count ? &t->ops[i] : NULL;
}
