/*
 * Internal to the x86msr core: what the presence and mask code
 * (msr_cpuid.c) shares with the value rules (msr_rules.c).
 */
#ifndef X86MSR_CORE_INTERNAL_H
#define X86MSR_CORE_INTERNAL_H

#include "x86msr/cpuid.h"

/* The bits at and above the facts' MAXPHYADDR (0 when it is unknown): in a
 * phys_addr field, reserved. */
uint64_t msr_above_maxphyaddr_(const struct msr_facts *facts);

#endif
