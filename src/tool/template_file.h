/*
 * CPU template files: the values a VMM gives a vCPU's registers, by register
 * and field name, checked against the spec. JSON (json_read.h):
 *
 *   {
 *     "description": "what the template is for (optional)",
 *     "registers": {
 *       "IA32_ARCH_CAPABILITIES": { "RDCL_NO": "set", "RSBA": "clear", "TSX_CTRL": "keep" },
 *       "IA32_PERF_CAPABILITIES": { "LBR_FMT": 0, "PEBS_REC_FMT": "0x3" },
 *       "IA32_MISC_ENABLE": { "FAST_STRINGS": "set" }
 *     }
 *   }
 *
 * A register is named by its name or an alias (an array instance by its own
 * name, IA32_MC3_CTL), case-insensitively; a field likewise. A value is
 * "set" (all ones), "clear" (0), "keep" (the host's), a number (JSON, or a
 * string: 0x1F, 0b101, 31), one of the field's named values ("WB"), or for
 * a one-bit field true or false. The
 * register must be guest state (the spec's guest_state) and the field a
 * feature bit (any documented field of a `feature` or `setup` register) or
 * writable. Every mistake is an error at FILE:LINE:COL.
 */
#ifndef X86MSR_TOOL_TEMPLATE_FILE_H
#define X86MSR_TOOL_TEMPLATE_FILE_H

#include "diag.h"

#include <x86msr/guest.h>
#include <x86msr/meta.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One field the template names. */
struct template_field {
    const struct msr_instance *msr;
    unsigned field;               /* index in msr_def_of(msr) */
    bool keep;                    /* "keep": the host's value stays */
    uint64_t value;               /* otherwise the field's value (not shifted) */
    unsigned line, col;           /* where the file gives it */
};

struct cpu_template {
    char *description;            /* "" when the file gives none */
    struct template_field *fields; /* in file order */
    size_t field_count;
    struct msr_template_op *ops;   /* one per register, in file order: the compiled form */
    unsigned *op_lines;            /* where the file names each register */
    size_t op_count;
};

struct template_error {
    enum tool_error_code code;    /* ERR_BAD_FILE (syntax, shape), ERR_UNKNOWN_MSR, ERR_UNKNOWN_FIELD,
                                     ERR_BAD_VALUE, ERR_REFUSED (not guest state, not writable) */
    unsigned line, col;           /* 0: the file as a whole (cannot be read) */
    char message[256];
};

/* Parses and checks a template held in memory. true, or false with *err set
 * (nothing to free then). */
bool template_parse(const char *text, size_t size, struct cpu_template *out, struct template_error *err);

/* The same from a file ("-": standard input). */
bool template_load(const char *path, struct cpu_template *out, struct template_error *err);

void template_free(struct cpu_template *t);

/* The step of `t` for the register at `address`, or NULL. */
const struct msr_template_op *template_op(const struct cpu_template *t, uint32_t address);

#endif
