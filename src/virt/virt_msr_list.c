/*
 * VMX MSR load/store lists: the VM-entry MSR-load list, the VM-exit
 * MSR-store list and the VM-exit MSR-load list, with the entries the SDM
 * forbids refused up front (SDM Vol. 3C "VM-Entry Loading MSRs" 27.4,
 * "Saving MSRs" 28.4 and "Loading MSRs" 28.6 in the 2023-2025 editions).
 * Freestanding.
 */
#include <x86msr/msrs.h>

#include "virt_internal.h"

static void set_error(struct msr_virt_failure *error, uint32_t msr, const char *field, const char *rule,
                      uint64_t value)
{
    if (error != NULL) {
        error->msr = msr;
        error->field = field;
        error->rule = rule;
        error->value = value;
    }
}

int msr_virt_msr_list_init(struct msr_virt_msr_list *list, enum msr_virt_msr_list_kind kind,
                           struct msr_virt_msr_entry *storage, uint32_t capacity, uint64_t vmx_misc,
                           const struct msr_facts *facts, struct msr_virt_failure *error)
{
    struct msr_vmx_misc_info misc;

    set_error(error, 0, NULL, NULL, 0);
    if (list == NULL) {
        set_error(error, 0, NULL, "no list (NULL)", 0);
        return MSR_ERR_INVALID;
    }
    list->entries = NULL;
    list->capacity = list->count = list->limit = 0;
    list->kind = kind;
    list->facts = facts;
    list->linear_bits = 0;
    list->in_smm = false;
    if (kind != MSR_VIRT_LIST_VMENTRY_LOAD && kind != MSR_VIRT_LIST_VMEXIT_STORE &&
        kind != MSR_VIRT_LIST_VMEXIT_LOAD) {
        set_error(error, 0, NULL, "unknown list kind", (uint64_t)kind);
        return MSR_ERR_INVALID;
    }
    if (storage == NULL && capacity > 0) {
        set_error(error, 0, NULL, "no storage (NULL) for a nonzero capacity", capacity);
        return MSR_ERR_INVALID;
    }
    if (((uintptr_t)storage & 15u) != 0) {
        set_error(error, 0, NULL,
                  "SDM 27.2.1.2/27.2.1.3: an MSR-load or MSR-store area address must be 16-byte aligned "
                  "(bits 3:0 zero)",
                  (uint64_t)(uintptr_t)storage);
        return MSR_ERR_INVALID;
    }
    (void)msr_vmx_misc_decode(vmx_misc, &misc);
    list->entries = storage;
    list->capacity = capacity;
    list->limit = misc.max_msr_list_entries;
    return MSR_OK;
}

/* Whether a node of the spec's presence condition of `def` requires SMM
 * (IA32_SMBASE). */
static bool smm_only(const struct msr_def *def)
{
    const struct msr_condition *cond = def != NULL ? msr_def_condition(def, def->present_if) : NULL;
    const union msr_cell *c, *end;

    if (cond == NULL)
        return false;
    end = msr_condition_cell(cond) + cond->size;
    /* Prefix order: a composite node's children follow it; a leaf spans its
     * size (a FAMILY leaf's models are cells of its own). */
    for (c = msr_condition_cell(cond); c < end;) {
        uint8_t kind = c->cond.kind;
        if (kind == MSR_CONDITION_KIND_CONTEXT && c->cond.context == MSR_CONTEXT_SMM)
            return true;
        c += kind == MSR_CONDITION_KIND_ANY_OF || kind == MSR_CONDITION_KIND_ALL_OF ||
                     kind == MSR_CONDITION_KIND_NOT
                 ? 1
                 : c->cond.size;
    }
    return false;
}

int msr_virt_msr_list_add(struct msr_virt_msr_list *list, uint32_t msr, uint64_t data,
                          struct msr_virt_failure *error)
{
    bool load;
    const struct msr_def *def;
    struct msr_virt_check_ check;
    uint32_t i, index;

    set_error(error, msr, NULL, NULL, data);
    if (list == NULL || (list->entries == NULL && list->capacity > 0)) {
        set_error(error, msr, NULL, "no list (NULL), or a list not prepared by msr_virt_msr_list_init()", data);
        return MSR_ERR_INVALID;
    }
    load = list->kind != MSR_VIRT_LIST_VMEXIT_STORE;
    if (!load)
        data = 0;

    if (load && (msr == MSR_IA32_FS_BASE_ADDR || msr == MSR_IA32_GS_BASE_ADDR)) {
        set_error(error, msr, NULL,
                  list->kind == MSR_VIRT_LIST_VMENTRY_LOAD
                      ? "SDM 27.4: IA32_FS_BASE and IA32_GS_BASE cannot be loaded from the VM-entry MSR-load "
                        "area (load them through the VMCS segment base fields)"
                      : "SDM 28.6: IA32_FS_BASE and IA32_GS_BASE cannot be loaded from the VM-exit MSR-load "
                        "area (load them through the VMCS host FS/GS base fields)",
                  data);
        return MSR_VIRT_ERR_REFUSED;
    }
    if ((msr >> 8) == 0x8u) {
        set_error(error, msr, NULL,
                  list->kind == MSR_VIRT_LIST_VMENTRY_LOAD
                      ? "SDM 27.4: an MSR-list index with bits 31:8 = 000008H (x2APIC MSRs) fails VM entry"
                  : list->kind == MSR_VIRT_LIST_VMEXIT_STORE
                      ? "SDM 28.4: an MSR-list index with bits 31:8 = 000008H (x2APIC MSRs) fails the MSR store "
                        "(VMX abort)"
                      : "SDM 28.6: an MSR-list index with bits 31:8 = 000008H (x2APIC MSRs) fails the MSR load "
                        "(VMX abort)",
                  data);
        return MSR_VIRT_ERR_REFUSED;
    }
    def = msr_virt_spec_def_(&msr_spec, msr, list->facts, &index);
    if (!list->in_smm && load && msr == MSR_IA32_SMM_MONITOR_CTL_ADDR) {
        set_error(error, msr, NULL,
                  "SDM 27.4/28.6: IA32_SMM_MONITOR_CTL can be written only in SMM: it cannot be in an MSR-load "
                  "list outside SMM",
                  data);
        return MSR_VIRT_ERR_REFUSED;
    }
    if (!list->in_smm && smm_only(def)) {
        set_error(error, msr, NULL,
                  load ? "SDM 27.4/28.6: an MSR accessible only in SMM (spec: context smm) cannot be in an "
                         "MSR-load list outside SMM"
                       : "SDM 28.4: an MSR readable only in SMM (IA32_SMBASE) cannot be in the VM-exit MSR-store "
                         "list outside SMM",
                  data);
        return MSR_VIRT_ERR_REFUSED;
    }
    if (msr == MSR_IA32_BIOS_UPDT_TRIG_ADDR || msr == MSR_IA32_BIOS_SIGN_ID_ADDR) {
        set_error(error, msr, NULL,
                  "SDM Vol. 4 Table 2-2: a processor may prevent loading and storing IA32_BIOS_UPDT_TRIG and "
                  "IA32_BIOS_SIGN_ID on VM entries and exits (model-specific refusal; microcode updates "
                  "must not happen in VMX non-root operation)",
                  data);
        return MSR_VIRT_ERR_REFUSED;
    }
    if (load ? !msr_virt_write_allowed_(def, index, list->facts, list->linear_bits, data, NULL, &check)
             : !msr_virt_read_allowed_(def, index, list->facts, &check)) {
        set_error(error, msr, msr_virt_field_name_(def, check.field),
                  load ? "SDM 27.4/28.6: an entry whose value WRMSR at CPL 0 would reject fails the load "
                         "(see the field; spec and facts decide)"
                       : "SDM 28.4: an entry whose MSR RDMSR at CPL 0 would reject fails the store "
                         "(absent or write-only register)",
                  data);
        return MSR_VIRT_ERR_REFUSED;
    }
    for (i = 0; i < list->count; i++) {
        if (list->entries[i].index == msr) {
            set_error(error, msr, NULL,
                      "x86msr: an MSR appears once per list (the processor would process both entries, in "
                      "order; a second entry is almost always a mistake)",
                      data);
            return MSR_VIRT_ERR_REFUSED;
        }
    }
    if (list->count >= list->capacity) {
        set_error(error, msr, NULL, "the list's storage is full", list->capacity);
        return MSR_VIRT_ERR_FULL;
    }
    if (list->count >= list->limit) {
        set_error(error, msr, NULL,
                  "SDM A.6: at most 512 * (N + 1) entries per list, N = IA32_VMX_MISC[27:25] (more may cause "
                  "undefined behaviour, a machine check among them)",
                  list->limit);
        return MSR_VIRT_ERR_FULL;
    }
    list->entries[list->count].index = msr;
    list->entries[list->count].reserved = 0;
    list->entries[list->count].data = data;
    list->count++;
    return MSR_OK;
}
