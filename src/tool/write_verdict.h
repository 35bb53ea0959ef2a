/*
 * Would a WRMSR of a value be accepted? The answer decode prints and encode
 * refuses by: the core's value rules (x86msr/cpuid.h: msr_write_rules_for(),
 * msr_write_check(), msr_write_lock() -- the same the MSR-exit handler, the
 * VM-entry checks and the MSR lists apply) for the CPU the tool judges by
 * (lookup_facts(): a --cpuid dump, else this machine), plus the register's
 * own access and presence.
 *
 *   text:  WRMSR: accepted by the value rules on this machine's CPU
 *          WRMSR: raises #GP (canonical): field ESP is not a canonical address (48-bit ...)
 *          LOCK = 1: WRMSRs after this one raise #GP until reset   (a register with a lock field)
 *   JSON:  "wrmsr": {"accepted", "rule" (null when accepted), "field" (null: none),
 *                    "reason" (null when accepted), ["writable_if", "writable_if_holds"],
 *                    ["lock_set", "lock_writes"]}
 */
#ifndef X86MSR_TOOL_WRITE_VERDICT_H
#define X86MSR_TOOL_WRITE_VERDICT_H

#include "json.h"

#include <x86msr/cpuid.h>
#include <x86msr/meta.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct write_verdict {
    bool accepted;
    /* The rule at fault, by the spec's name for it: "read_only" and
     * "absent_register" (the register's access and presence), "reserved",
     * "absent_field", "phys_addr", "canonical", "strict_enum", "write_zero";
     * NULL when accepted. */
    const char *rule;
    enum msr_write_fault fault;                /* msr_write_check()'s answer (MSR_WRITE_OK for the register rules) */
    int field;                                 /* the field at fault (index in the definition), -1: none */
    char reason[512];                          /* one clause, "" when accepted */
    const struct msr_condition *writable_if;   /* write_zero: the condition that would lift it, or NULL */
    enum msr_support writable_if_holds;
    int lock;                                  /* msr_write_lock() of the value: -1 unlocked or no lock */
};

/* The verdict on a WRMSR of `value` to `msr`. `allow_undefined`: a value a
 * strict enumeration does not define is not a fault (encode's
 * --allow-undefined), so the rules after it still get their say. */
void write_verdict_of(const struct msr_instance *msr, uint64_t value, bool allow_undefined,
                      struct write_verdict *out);

/* The text lines (decode). */
void print_write_verdict(FILE *out, const struct msr_instance *msr, const struct write_verdict *v);

/* The "wrmsr" member (and nothing for the lock of a register without one). */
void json_write_verdict(struct json_writer *w, const struct msr_instance *msr, const struct write_verdict *v);

#endif
