/*
 * Decoders for the VMX capability MSRs that are not control sets. Each field
 * goes through the generated getter, so a bit position lives only in
 * spec/msrs.yaml; the decoders add the derived values (MSR-list size) and
 * plain C types.
 */
#include <x86msr/vmx.h>

int msr_vmx_basic_decode(uint64_t raw, struct msr_vmx_basic_info *out)
{
    msr_ia32_vmx_basic_t v = { raw };

    if (out == NULL)
        return MSR_ERR_INVALID;
    out->revision_id = (uint32_t)MSR_GET(IA32_VMX_BASIC, REVISION_ID, v);
    out->vmcs_size = (uint32_t)MSR_GET(IA32_VMX_BASIC, VMCS_SIZE, v);
    out->memory_type = (enum msr_ia32_vmx_basic_memory_type)MSR_GET(IA32_VMX_BASIC, MEMORY_TYPE, v);
    out->physical_address_32bit = MSR_GET(IA32_VMX_BASIC, PHYSICAL_ADDRESS_32BIT, v) != 0;
    out->dual_monitor = MSR_GET(IA32_VMX_BASIC, DUAL_MONITOR, v) != 0;
    out->ins_outs_info = MSR_GET(IA32_VMX_BASIC, INS_OUTS_INFO, v) != 0;
    out->true_controls = MSR_GET(IA32_VMX_BASIC, TRUE_CONTROLS, v) != 0;
    out->no_error_code_check = MSR_GET(IA32_VMX_BASIC, NO_ERROR_CODE_CHECK, v) != 0;
    out->nested_exception = MSR_GET(IA32_VMX_BASIC, NESTED_EXCEPTION, v) != 0;
    return MSR_OK;
}

int msr_vmx_misc_decode(uint64_t raw, struct msr_vmx_misc_info *out)
{
    msr_ia32_vmx_misc_t v = { raw };

    if (out == NULL)
        return MSR_ERR_INVALID;
    out->preemption_timer_rate = (unsigned)MSR_GET(IA32_VMX_MISC, PREEMPTION_TIMER_RATE, v);
    out->store_efer_lma = MSR_GET(IA32_VMX_MISC, STORE_EFER_LMA, v) != 0;
    out->activity_hlt = MSR_GET(IA32_VMX_MISC, ACTIVITY_HLT, v) != 0;
    out->activity_shutdown = MSR_GET(IA32_VMX_MISC, ACTIVITY_SHUTDOWN, v) != 0;
    out->activity_wait_sipi = MSR_GET(IA32_VMX_MISC, ACTIVITY_WAIT_SIPI, v) != 0;
    out->intel_pt_in_vmx = MSR_GET(IA32_VMX_MISC, INTEL_PT_IN_VMX, v) != 0;
    out->rdmsr_smbase_in_smm = MSR_GET(IA32_VMX_MISC, RDMSR_SMBASE_IN_SMM, v) != 0;
    out->cr3_target_count = (unsigned)MSR_GET(IA32_VMX_MISC, CR3_TARGET_COUNT, v);
    /* SDM A.6: the recommended maximum number of MSRs in each VM-entry or
     * VM-exit MSR list is 512 * (N + 1). */
    out->max_msr_list_entries = 512u * ((uint32_t)MSR_GET(IA32_VMX_MISC, MAX_MSR_LIST, v) + 1u);
    out->smm_monitor_ctl_b2 = MSR_GET(IA32_VMX_MISC, SMM_MONITOR_CTL_B2, v) != 0;
    out->vmwrite_all_fields = MSR_GET(IA32_VMX_MISC, VMWRITE_ALL_FIELDS, v) != 0;
    out->zero_length_injection = MSR_GET(IA32_VMX_MISC, ZERO_LENGTH_INSTRUCTION_INJECTION, v) != 0;
    out->mseg_revision = (uint32_t)MSR_GET(IA32_VMX_MISC, MSEG_REVISION, v);
    return MSR_OK;
}

int msr_vmx_ept_vpid_decode(uint64_t raw, struct msr_vmx_ept_vpid_info *out)
{
    msr_ia32_vmx_ept_vpid_cap_t v = { raw };

    if (out == NULL)
        return MSR_ERR_INVALID;
    out->execute_only = MSR_GET(IA32_VMX_EPT_VPID_CAP, EXECUTE_ONLY, v) != 0;
    out->page_walk_length_4 = MSR_GET(IA32_VMX_EPT_VPID_CAP, PAGE_WALK_LENGTH_4, v) != 0;
    out->page_walk_length_5 = MSR_GET(IA32_VMX_EPT_VPID_CAP, PAGE_WALK_LENGTH_5, v) != 0;
    out->memory_type_uc = MSR_GET(IA32_VMX_EPT_VPID_CAP, MEMORY_TYPE_UC, v) != 0;
    out->memory_type_wb = MSR_GET(IA32_VMX_EPT_VPID_CAP, MEMORY_TYPE_WB, v) != 0;
    out->pde_2mb = MSR_GET(IA32_VMX_EPT_VPID_CAP, PDE_2MB, v) != 0;
    out->pdpte_1gb = MSR_GET(IA32_VMX_EPT_VPID_CAP, PDPTE_1GB, v) != 0;
    out->invept = MSR_GET(IA32_VMX_EPT_VPID_CAP, INVEPT, v) != 0;
    out->accessed_dirty = MSR_GET(IA32_VMX_EPT_VPID_CAP, ACCESSED_DIRTY, v) != 0;
    out->advanced_exit_info = MSR_GET(IA32_VMX_EPT_VPID_CAP, ADVANCED_EXIT_INFO, v) != 0;
    out->supervisor_shadow_stack = MSR_GET(IA32_VMX_EPT_VPID_CAP, SUPERVISOR_SHADOW_STACK, v) != 0;
    out->invept_single_context = MSR_GET(IA32_VMX_EPT_VPID_CAP, INVEPT_SINGLE_CONTEXT, v) != 0;
    out->invept_all_context = MSR_GET(IA32_VMX_EPT_VPID_CAP, INVEPT_ALL_CONTEXT, v) != 0;
    out->invvpid = MSR_GET(IA32_VMX_EPT_VPID_CAP, INVVPID, v) != 0;
    out->invvpid_individual_address = MSR_GET(IA32_VMX_EPT_VPID_CAP, INVVPID_INDIVIDUAL_ADDRESS, v) != 0;
    out->invvpid_single_context = MSR_GET(IA32_VMX_EPT_VPID_CAP, INVVPID_SINGLE_CONTEXT, v) != 0;
    out->invvpid_all_context = MSR_GET(IA32_VMX_EPT_VPID_CAP, INVVPID_ALL_CONTEXT, v) != 0;
    out->invvpid_single_context_retain_globals =
        MSR_GET(IA32_VMX_EPT_VPID_CAP, INVVPID_SINGLE_CONTEXT_RETAIN_GLOBALS, v) != 0;
    out->max_hlat_prefix_size = (unsigned)MSR_GET(IA32_VMX_EPT_VPID_CAP, MAX_HLAT_PREFIX_SIZE, v);
    return MSR_OK;
}

int msr_vmx_vmfunc_decode(uint64_t raw, struct msr_vmx_vmfunc_info *out)
{
    msr_ia32_vmx_vmfunc_t v = { raw };

    if (out == NULL)
        return MSR_ERR_INVALID;
    out->allowed = v.raw;
    out->eptp_switching = MSR_GET(IA32_VMX_VMFUNC, EPTP_SWITCHING, v) != 0;
    return MSR_OK;
}

int msr_vmx_vmcs_enum_decode(uint64_t raw, struct msr_vmx_vmcs_enum_info *out)
{
    if (out == NULL)
        return MSR_ERR_INVALID;
    out->max_index = (unsigned)MSR_GET(IA32_VMX_VMCS_ENUM, MAX_INDEX, (msr_ia32_vmx_vmcs_enum_t){ raw });
    return MSR_OK;
}
