/*
 * The spec checks shared by the exit handler, the MSR lists and the VM-entry
 * checks; status texts and names. Freestanding.
 */
#include "virt_internal.h"

const char *msr_virt_strerror(int status)
{
    switch (status) {
    case MSR_VIRT_ERR_POLICY:
        return "invalid MSR policy";
    case MSR_VIRT_ERR_REFUSED:
        return "the manuals forbid this MSR list entry";
    case MSR_VIRT_ERR_FULL:
        return "no room left (list limit, KVM filter ranges or bitmap storage)";
    default:
        return msr_vmx_strerror(status);
    }
}

const char *msr_virt_action_name(enum msr_virt_action action)
{
    switch (action) {
    case MSR_VIRT_DENY: return "deny";
    case MSR_VIRT_PASS: return "pass";
    case MSR_VIRT_EMULATE: return "emulate";
    case MSR_VIRT_IGNORE: return "ignore";
    case MSR_VIRT_FIXED: return "fixed";
    default: return "?";
    }
}

const char *msr_virt_result_name(enum msr_virt_result result)
{
    switch (result) {
    case MSR_VIRT_HANDLED: return "handled";
    case MSR_VIRT_INJECT_GP: return "inject #GP";
    case MSR_VIRT_FORWARD: return "forward";
    default: return "?";
    }
}

unsigned msr_virt_linear_bits(const struct msr_facts *facts, unsigned linear_bits)
{
    unsigned bits;

    if (linear_bits != 0)
        return linear_bits;
    bits = facts != NULL ? msr_cpu_linear_bits(facts->cpuid) : 0;
    return bits != 0 ? bits : 48;
}

bool msr_virt_pat_valid(uint64_t pat)
{
    unsigned i;

    for (i = 0; i < 8; i++) {
        uint64_t type = (pat >> (8 * i)) & 0xFFu;
        if (type == 2 || type == 3 || type > 7)
            return false;
    }
    return true;
}

const struct msr_def *msr_virt_spec_def_(const struct msr_spec *spec, uint32_t msr, const struct msr_facts *facts,
                                         uint32_t *index)
{
    const struct msr_instance *inst = spec != NULL ? msr_spec_find_for_cpu(spec, msr, facts) : NULL;

    *index = inst != NULL ? inst->index : 0;
    return inst != NULL ? msr_spec_def(spec, inst) : NULL;
}

uint32_t msr_virt_def_index_(const struct msr_def *def, uint32_t msr)
{
    return def->count > 1 && def->stride != 0 && msr >= def->address ? (msr - def->address) / def->stride : 0;
}

bool msr_virt_def_covers_(const struct msr_def *def, uint32_t msr)
{
    if (msr == def->address)
        return true;
    if (def->count <= 1 || def->stride == 0 || msr < def->address)
        return false;
    return (msr - def->address) % def->stride == 0 && (msr - def->address) / def->stride < def->count;
}

static bool deny(struct msr_virt_check_ *out, const char *reason, int field)
{
    out->reason = reason;
    out->field = field;
    return false;
}

static const char *const absent_register =
    "the guest's CPU does not have this register (its presence condition is false)";

static const char *refusal(bool absent, bool wrong_access, const char *why)
{
    return absent ? absent_register : wrong_access ? why : NULL;
}

const char *msr_virt_read_refusal_(const struct msr_def *def, uint32_t index, const struct msr_facts *facts)
{
    return refusal(msr_is_supported(def, index, facts) == MSR_SUPPORT_NO, def->access == MSR_ACCESS_WO,
                   "write-only register: RDMSR raises #GP");
}

void msr_virt_rules_for_(const struct msr_def *def, uint32_t index, const struct msr_facts *facts,
                         unsigned linear_bits, struct msr_virt_rules_ *out)
{
    bool absent = msr_is_supported(def, index, facts) == MSR_SUPPORT_NO;

    out->read_refusal = refusal(absent, def->access == MSR_ACCESS_WO, "write-only register: RDMSR raises #GP");
    out->write_refusal = refusal(absent, def->access == MSR_ACCESS_RO, "read-only register: WRMSR raises #GP");
    msr_write_rules_for(def, index, facts, true, msr_virt_linear_bits(facts, linear_bits), &out->write);
}

/* Why the handler refuses a value that breaks a value rule. */
static const char *fault_reason(enum msr_write_fault fault)
{
    switch (fault) {
    case MSR_WRITE_ABSENT_FIELD:
        return "the field is absent on the guest's CPU (vendor or CPUID): its bits are reserved";
    case MSR_WRITE_ABOVE_MAXPHYADDR:
        return "a physical-address bit at or above the guest's MAXPHYADDR (CPUID.80000008H:EAX[7:0]) is set";
    case MSR_WRITE_NOT_CANONICAL:
        return "not a canonical linear address";
    case MSR_WRITE_UNDEFINED_VALUE:
        return "the field holds a value its enumeration does not define: WRMSR raises #GP";
    case MSR_WRITE_NONZERO:
        return "only 0 may be written here (write_zero) while its writable_if condition does not hold";
    default:
        return "a reserved bit is set";
    }
}

bool msr_virt_value_allowed_(const struct msr_def *def, const struct msr_write_rules *rules, uint64_t value,
                             struct msr_virt_check_ *out)
{
    int field = -1;
    enum msr_write_fault fault = msr_write_check(def, rules, value, &field);

    out->reason = NULL;
    out->field = -1;
    return fault == MSR_WRITE_OK || deny(out, fault_reason(fault), field);
}

const char *msr_virt_lock_reason_(int lock)
{
    return lock == MSR_LOCK_WRITES_FAULT     ? "the register is locked (its lock field is 1): WRMSR raises #GP until reset"
           : lock == MSR_LOCK_WRITES_IGNORED ? "the register is locked (its lock field is 1): the write is ignored"
                                             : NULL;
}

bool msr_virt_read_allowed_(const struct msr_def *def, uint32_t index, const struct msr_facts *facts,
                            struct msr_virt_check_ *out)
{
    const char *why;

    out->reason = NULL;
    out->field = -1;
    if (def == NULL)
        return true;
    why = msr_virt_read_refusal_(def, index, facts);
    return why == NULL || deny(out, why, -1);
}

bool msr_virt_write_allowed_(const struct msr_def *def, uint32_t index, const struct msr_facts *facts,
                             unsigned linear_bits, uint64_t value, struct msr_virt_check_ *out)
{
    struct msr_virt_rules_ rules;

    out->reason = NULL;
    out->field = -1;
    if (def == NULL)
        return true;
    msr_virt_rules_for_(def, index, facts, linear_bits, &rules);
    if (rules.write_refusal != NULL)
        return deny(out, rules.write_refusal, -1);
    return msr_virt_value_allowed_(def, &rules.write, value, out);
}

void msr_virt_fail_(struct msr_virt_failure *out, size_t max, size_t *count, uint32_t msr, const char *field,
                    const char *rule, uint64_t value)
{
    if (out != NULL && *count < max) {
        out[*count].msr = msr;
        out[*count].field = field;
        out[*count].rule = rule;
        out[*count].value = value;
    }
    (*count)++;
}
