/*
 * Decoders for the VMX capability MSRs that are not control sets. Each field
 * goes through the generated getter, so a bit position lives only in
 * spec/msrs.yaml; the decoders add the derived values (MSR-list size) and
 * plain C types.
 */
#include <x86msr/vmx.h>

int msr_vmx_basic_decode(uint64_t raw, struct msr_vmx_basic_info *out)
{
    msr_ia32_vmx_basic_t v = msr_ia32_vmx_basic_from_raw(raw);

    if (out == NULL)
        return MSR_ERR_INVALID;
    out->revision_id = (uint32_t)msr_ia32_vmx_basic_revision_id_get(v);
    out->vmcs_size = (uint32_t)msr_ia32_vmx_basic_vmcs_size_get(v);
    out->memory_type = (enum msr_ia32_vmx_basic_memory_type)msr_ia32_vmx_basic_memory_type_get(v);
    out->physical_address_32bit = msr_ia32_vmx_basic_physical_address_32bit_get(v) != 0;
    out->dual_monitor = msr_ia32_vmx_basic_dual_monitor_get(v) != 0;
    out->ins_outs_info = msr_ia32_vmx_basic_ins_outs_info_get(v) != 0;
    out->true_controls = msr_ia32_vmx_basic_true_controls_get(v) != 0;
    out->no_error_code_check = msr_ia32_vmx_basic_no_error_code_check_get(v) != 0;
    out->nested_exception = msr_ia32_vmx_basic_nested_exception_get(v) != 0;
    return MSR_OK;
}

int msr_vmx_misc_decode(uint64_t raw, struct msr_vmx_misc_info *out)
{
    msr_ia32_vmx_misc_t v = msr_ia32_vmx_misc_from_raw(raw);

    if (out == NULL)
        return MSR_ERR_INVALID;
    out->preemption_timer_rate = (unsigned)msr_ia32_vmx_misc_preemption_timer_rate_get(v);
    out->store_efer_lma = msr_ia32_vmx_misc_store_efer_lma_get(v) != 0;
    out->activity_hlt = msr_ia32_vmx_misc_activity_hlt_get(v) != 0;
    out->activity_shutdown = msr_ia32_vmx_misc_activity_shutdown_get(v) != 0;
    out->activity_wait_sipi = msr_ia32_vmx_misc_activity_wait_sipi_get(v) != 0;
    out->intel_pt_in_vmx = msr_ia32_vmx_misc_intel_pt_in_vmx_get(v) != 0;
    out->rdmsr_smbase_in_smm = msr_ia32_vmx_misc_rdmsr_smbase_in_smm_get(v) != 0;
    out->cr3_target_count = (unsigned)msr_ia32_vmx_misc_cr3_target_count_get(v);
    /* SDM A.6: the recommended maximum number of MSRs in each VM-entry or
     * VM-exit MSR list is 512 * (N + 1). */
    out->max_msr_list_entries = 512u * ((uint32_t)msr_ia32_vmx_misc_max_msr_list_get(v) + 1u);
    out->smm_monitor_ctl_b2 = msr_ia32_vmx_misc_smm_monitor_ctl_b2_get(v) != 0;
    out->vmwrite_all_fields = msr_ia32_vmx_misc_vmwrite_all_fields_get(v) != 0;
    out->zero_length_injection = msr_ia32_vmx_misc_zero_length_instruction_injection_get(v) != 0;
    out->mseg_revision = (uint32_t)msr_ia32_vmx_misc_mseg_revision_get(v);
    return MSR_OK;
}

int msr_vmx_ept_vpid_decode(uint64_t raw, struct msr_vmx_ept_vpid_info *out)
{
    msr_ia32_vmx_ept_vpid_cap_t v = msr_ia32_vmx_ept_vpid_cap_from_raw(raw);

    if (out == NULL)
        return MSR_ERR_INVALID;
    out->execute_only = msr_ia32_vmx_ept_vpid_cap_execute_only_get(v) != 0;
    out->page_walk_length_4 = msr_ia32_vmx_ept_vpid_cap_page_walk_length_4_get(v) != 0;
    out->page_walk_length_5 = msr_ia32_vmx_ept_vpid_cap_page_walk_length_5_get(v) != 0;
    out->memory_type_uc = msr_ia32_vmx_ept_vpid_cap_memory_type_uc_get(v) != 0;
    out->memory_type_wb = msr_ia32_vmx_ept_vpid_cap_memory_type_wb_get(v) != 0;
    out->pde_2mb = msr_ia32_vmx_ept_vpid_cap_pde_2mb_get(v) != 0;
    out->pdpte_1gb = msr_ia32_vmx_ept_vpid_cap_pdpte_1gb_get(v) != 0;
    out->invept = msr_ia32_vmx_ept_vpid_cap_invept_get(v) != 0;
    out->accessed_dirty = msr_ia32_vmx_ept_vpid_cap_accessed_dirty_get(v) != 0;
    out->advanced_exit_info = msr_ia32_vmx_ept_vpid_cap_advanced_exit_info_get(v) != 0;
    out->supervisor_shadow_stack = msr_ia32_vmx_ept_vpid_cap_supervisor_shadow_stack_get(v) != 0;
    out->invept_single_context = msr_ia32_vmx_ept_vpid_cap_invept_single_context_get(v) != 0;
    out->invept_all_context = msr_ia32_vmx_ept_vpid_cap_invept_all_context_get(v) != 0;
    out->invvpid = msr_ia32_vmx_ept_vpid_cap_invvpid_get(v) != 0;
    out->invvpid_individual_address = msr_ia32_vmx_ept_vpid_cap_invvpid_individual_address_get(v) != 0;
    out->invvpid_single_context = msr_ia32_vmx_ept_vpid_cap_invvpid_single_context_get(v) != 0;
    out->invvpid_all_context = msr_ia32_vmx_ept_vpid_cap_invvpid_all_context_get(v) != 0;
    out->invvpid_single_context_retain_globals =
        msr_ia32_vmx_ept_vpid_cap_invvpid_single_context_retain_globals_get(v) != 0;
    out->max_hlat_prefix_size = (unsigned)msr_ia32_vmx_ept_vpid_cap_max_hlat_prefix_size_get(v);
    return MSR_OK;
}

int msr_vmx_vmfunc_decode(uint64_t raw, struct msr_vmx_vmfunc_info *out)
{
    msr_ia32_vmx_vmfunc_t v = msr_ia32_vmx_vmfunc_from_raw(raw);

    if (out == NULL)
        return MSR_ERR_INVALID;
    out->allowed = v.raw;
    out->eptp_switching = msr_ia32_vmx_vmfunc_eptp_switching_get(v) != 0;
    return MSR_OK;
}

int msr_vmx_vmcs_enum_decode(uint64_t raw, struct msr_vmx_vmcs_enum_info *out)
{
    if (out == NULL)
        return MSR_ERR_INVALID;
    out->max_index = (unsigned)msr_ia32_vmx_vmcs_enum_max_index_get(msr_ia32_vmx_vmcs_enum_from_raw(raw));
    return MSR_OK;
}
