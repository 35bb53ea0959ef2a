#include "write_verdict.h"

#include "format.h"
#include "msr_lookup.h"

#include <stdarg.h>
#include <stdio.h>

/* The spec's name of the rule behind each msr_write_check() answer. */
static const char *const fault_rule[] = {
    [MSR_WRITE_OK] = NULL,
    [MSR_WRITE_RESERVED] = "reserved",
    [MSR_WRITE_ABSENT_FIELD] = "absent_field",
    [MSR_WRITE_ABOVE_MAXPHYADDR] = "phys_addr",
    [MSR_WRITE_NOT_CANONICAL] = "canonical",
    [MSR_WRITE_UNDEFINED_VALUE] = "strict_enum",
    [MSR_WRITE_NONZERO] = "write_zero",
};

static const char *judged_cpu(void)
{
    return lookup_judges_dump() ? "the CPU of the --cpuid dump" : "this machine's CPU";
}

static void deny(struct write_verdict *v, const char *rule, const char *format, ...)
{
    va_list ap;

    v->accepted = false;
    v->rule = rule;
    va_start(ap, format);
    vsnprintf(v->reason, sizeof v->reason, format, ap);
    va_end(ap);
}

/* write_zero: and the condition that would lift it (the field's, else the
 * register's), with why it does not: false, or not known from CPUID alone
 * (a condition on another MSR). */
static void explain_write_zero(const struct msr_instance *msr, struct write_verdict *v)
{
    const struct msr_def *def = msr_def_of(msr);
    const char *name = v->field >= 0 ? msr_field_name(def, (unsigned)v->field) : NULL;
    uint16_t cell = v->field >= 0 ? msr_def_field(def, (unsigned)v->field)->writable_if : def->writable_if;
    char condition[FORMAT_CONDITION_SIZE];

    if (cell == MSR_NO_CELL) {
        deny(v, fault_rule[MSR_WRITE_NONZERO], "only 0 may be written to %s%s", name != NULL ? "field " : "",
             name != NULL ? name : "the register");
        return;
    }
    v->writable_if = msr_def_condition(def, cell);
    v->writable_if_holds = msr_condition_eval(v->writable_if, msr->index, lookup_facts());
    format_condition(condition, v->writable_if, msr);
    deny(v, fault_rule[MSR_WRITE_NONZERO], "only 0 may be written to %s%s unless %s (%s on %s)",
         name != NULL ? "field " : "", name != NULL ? name : "the register", condition,
         v->writable_if_holds == MSR_SUPPORT_NO ? "it does not hold" : "not known from CPUID alone", judged_cpu());
}

static void explain_fault(const struct msr_instance *msr, uint64_t value, const struct msr_write_rules *rules,
                          struct write_verdict *v)
{
    const struct msr_def *def = msr_def_of(msr);
    const struct msr_field_info *f = v->field >= 0 ? msr_def_field(def, (unsigned)v->field) : NULL;
    const char *name = f != NULL ? msr_field_name(def, (unsigned)v->field) : NULL;
    char hex[FORMAT_NUMBER_SIZE], bits[FORMAT_TEXT_SIZE];

    switch (v->fault) {
    case MSR_WRITE_RESERVED:
        format_bit_ranges(bits, value & rules->masks.reserved);
        deny(v, fault_rule[v->fault], "reserved bits set (%s)", bits);
        break;
    case MSR_WRITE_ABSENT_FIELD:
        deny(v, fault_rule[v->fault], "field %s is absent on %s (its vendors or presence condition): its bits are "
             "reserved", name, judged_cpu());
        break;
    case MSR_WRITE_ABOVE_MAXPHYADDR:
        deny(v, fault_rule[v->fault], "field %s sets a physical-address bit at or above MAXPHYADDR (%u bits on %s, "
             "CPUID.80000008H:EAX[7:0])", name, msr_cpu_max_phys_addr(lookup_facts()->cpuid), judged_cpu());
        break;
    case MSR_WRITE_NOT_CANONICAL:
        deny(v, fault_rule[v->fault], "field %s is not a canonical address (%u-bit linear addresses)",
             name != NULL ? name : "?", rules->linear_bits);
        break;
    case MSR_WRITE_UNDEFINED_VALUE:
        format_field_value(hex, f, msr_field_extract(f, value));
        deny(v, fault_rule[v->fault], "%s = %s is not a value its enumeration defines", name, hex);
        break;
    default:
        explain_write_zero(msr, v);
        break;
    }
}

void write_verdict_of(const struct msr_instance *msr, uint64_t value, bool allow_undefined,
                      struct write_verdict *out)
{
    const struct msr_def *def = msr_def_of(msr);
    struct msr_write_rules rules;

    out->accepted = true;
    out->rule = NULL;
    out->fault = MSR_WRITE_OK;
    out->field = -1;
    out->reason[0] = '\0';
    out->writable_if = NULL;
    out->writable_if_holds = MSR_SUPPORT_UNKNOWN;
    out->lock = msr_write_lock(def, value);
    if (def->access == MSR_ACCESS_RO) {
        deny(out, "read_only", "the register is read-only");
        return;
    }
    if (msr_is_supported(def, msr->index, lookup_facts()) == MSR_SUPPORT_NO) {
        deny(out, "absent_register", "%s does not have the register", judged_cpu());
        return;
    }
    /* Not strict: a field whose presence the CPUID facts cannot decide
     * counts as there, as for decode's reserved-bit warning. */
    msr_write_rules_for(def, msr->index, lookup_facts(), false, 0, &rules);
    rules.strict_enum = rules.strict_enum && !allow_undefined;
    out->fault = msr_write_check(def, &rules, value, &out->field);
    if (out->fault != MSR_WRITE_OK)
        explain_fault(msr, value, &rules, out);
}

static const char *const lock_effect[] = {
    [MSR_LOCK_WRITES_FAULT] = "fault",
    [MSR_LOCK_WRITES_IGNORED] = "ignored",
};

static const char *lock_field_name(const struct msr_def *def)
{
    return msr_field_name(def, def->lock_field - 1u);
}

void print_write_verdict(FILE *out, const struct msr_instance *msr, const struct write_verdict *v)
{
    const struct msr_def *def = msr_def_of(msr);

    if (v->accepted)
        fprintf(out, "WRMSR: accepted by the value rules on %s\n", judged_cpu());
    else
        fprintf(out, "WRMSR: raises #GP (%s): %s\n", v->rule, v->reason);
    if (def->flags & MSR_REG_F_LOCKED_BY)
        fprintf(out, "%s = %d: %s\n", lock_field_name(def), v->lock >= 0,
                v->lock == MSR_LOCK_WRITES_FAULT     ? "WRMSRs after this one raise #GP until reset"
                : v->lock == MSR_LOCK_WRITES_IGNORED ? "WRMSRs after this one are ignored until reset"
                                                     : "the register stays writable");
}

void json_write_verdict(struct json_writer *w, const struct msr_instance *msr, const struct write_verdict *v)
{
    const struct msr_def *def = msr_def_of(msr);
    char condition[FORMAT_CONDITION_SIZE];

    json_key(w, "wrmsr");
    json_begin_object(w);
    json_key(w, "accepted");
    json_bool(w, v->accepted);
    json_key(w, "rule");
    json_string(w, v->rule);
    json_key(w, "field");
    json_string(w, v->field >= 0 ? msr_field_name(def, (unsigned)v->field) : NULL);
    json_key(w, "reason");
    json_string(w, v->accepted ? NULL : v->reason);
    if (v->writable_if != NULL) {
        format_condition(condition, v->writable_if, msr);
        json_key(w, "writable_if");
        json_string(w, condition);
        json_key(w, "writable_if_holds");
        json_string(w, msr_support_name(v->writable_if_holds));
    }
    if (def->flags & MSR_REG_F_LOCKED_BY) {
        json_key(w, "lock_set");
        json_bool(w, v->lock >= 0);
        json_key(w, "lock_writes");
        json_string(w, lock_effect[def->lock_writes]);
    }
    json_end_object(w);
}
