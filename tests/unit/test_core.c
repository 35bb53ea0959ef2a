/*
 * Unit tests of the handwritten core: read-modify-write semantics, the
 * run-time backend switch, the test backend, metadata lookups and CPUID-based
 * presence detection.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "x86msr/cpuid.h"
#include "x86msr/meta.h"
#include "x86msr/msr_defs.h"
#include "x86msr/msrs.h"
#include "x86msr/test_backend.h"

static struct msr_test_backend tb;

static void setup(void)
{
    msr_test_backend_init(&tb);
    msr_backend_install(&tb.backend);
}

static void teardown(void)
{
    msr_backend_install(NULL);
}

START_TEST(rmw_changes_only_writable_bits_and_never_clears_w1c_by_accident)
{
    const uint64_t writable = 0x00FF, w1c = 0x0F00;
    /* old: reserved 0xF000 set, w1c bits 0x0300 set, writable 0x00AA */
    const uint64_t old = 0xF3AA;
    ck_assert_uint_eq(msr_rmw_value(old, 0, 0, writable, w1c), 0xF0AA);
    ck_assert_uint_eq(msr_rmw_value(old, 0x000F, 0, writable, w1c), 0xF0A0);
    ck_assert_uint_eq(msr_rmw_value(old, 0, 0x0005, writable, w1c), 0xF0AF);
    /* clear and set outside the writable mask are ignored */
    ck_assert_uint_eq(msr_rmw_value(old, 0xF000, 0x0C00, writable, w1c), 0xF0AA);
    /* a w1c bit is written as 1 only when `set` asks and it is writable */
    ck_assert_uint_eq(msr_rmw_value(old, 0, 0x0100, writable | w1c, w1c), 0xF1AA);
}
END_TEST

START_TEST(no_backend_is_an_error_not_a_crash)
{
    uint64_t value = 1;
    msr_backend_install(NULL);
    ck_assert_int_eq(msr_rdmsr_safe(MSR_IA32_EFER_ADDR, &value), MSR_ERR_NO_BACKEND);
    ck_assert_uint_eq(value, 0);
    ck_assert_int_eq(msr_wrmsr_safe(MSR_IA32_EFER_ADDR, 0), MSR_ERR_NO_BACKEND);
    ck_assert_uint_eq(msr_rdmsr(MSR_IA32_EFER_ADDR), 0);
}
END_TEST

START_TEST(plain_access_failure_reaches_the_fault_hook)
{
    ck_assert_uint_eq(msr_rdmsr(MSR_IA32_EFER_ADDR), 0);
    msr_wrmsr(MSR_IA32_LSTAR_ADDR, 5);
    ck_assert_uint_eq(tb.fault_count, 2);
    ck_assert_uint_eq(tb.log_count, 2);
    ck_assert(!tb.log[0].is_write);
    ck_assert(tb.log[1].is_write);
    ck_assert_int_eq(tb.log[1].status, MSR_ERR_FAULT);
}
END_TEST

START_TEST(rejected_write_leaves_the_register_unchanged)
{
    uint64_t value;
    ck_assert_int_eq(msr_test_backend_set(&tb, MSR_IA32_EFER_ADDR, 0x501), MSR_OK);
    ck_assert_int_eq(msr_test_backend_reject(&tb, MSR_IA32_EFER_ADDR, MSR_IA32_EFER_RESERVED_MASK), MSR_OK);
    ck_assert_int_eq(msr_ia32_efer_write_safe((msr_ia32_efer_t){ 0x501 | (UINT64_C(1) << 63) }), MSR_ERR_FAULT);
    ck_assert_int_eq(msr_test_backend_get(&tb, MSR_IA32_EFER_ADDR, &value), MSR_OK);
    ck_assert_uint_eq(value, 0x501);
    /* modify never sets reserved bits, so it succeeds on the same register */
    ck_assert_int_eq(msr_ia32_efer_modify_safe(MSR_ZERO(IA32_EFER), MSR_UNCHECKED(IA32_EFER, ~UINT64_C(0)),
                                               &(msr_ia32_efer_t){ .raw = 0 }),
                     MSR_WRITTEN);
    ck_assert_int_eq(msr_test_backend_get(&tb, MSR_IA32_EFER_ADDR, &value), MSR_OK);
    ck_assert_uint_eq(value & MSR_IA32_EFER_RESERVED_MASK, 0);
    ck_assert_uint_eq(value & MSR_IA32_EFER_NXE_MASK, MSR_IA32_EFER_NXE_MASK);
}
END_TEST

START_TEST(typed_pat_entries_use_memory_type_names)
{
    msr_ia32_pat_t pat = { UINT64_C(0x0007040600070406) }; /* the reset value */
    ck_assert_uint_eq(MSR_GET(IA32_PAT, PA0, pat), MSR_MEMORY_TYPE_WB);
    ck_assert_uint_eq(MSR_GET(IA32_PAT, PA1, pat), MSR_MEMORY_TYPE_WT);
    ck_assert_uint_eq(MSR_GET(IA32_PAT, PA2, pat), MSR_MEMORY_TYPE_UC_MINUS);
    ck_assert_uint_eq(MSR_GET(IA32_PAT, PA3, pat), MSR_MEMORY_TYPE_UC);
    pat = MSR_SET(IA32_PAT, PA1, pat, MSR_MEMORY_TYPE_WC);
    ck_assert_uint_eq(pat.raw, UINT64_C(0x0007040600070106));
    ck_assert_uint_eq(pat.pa1, MSR_MEMORY_TYPE_WC);
}
END_TEST

START_TEST(typed_values_build_the_writes)
{
    msr_ia32_pat_t pat = MSR_MAKE(IA32_PAT, PA3, MSR_MEMORY_TYPE_WC);
    msr_ia32_efer_t both = MSR_OR(MSR_BITS(IA32_EFER, NXE), MSR_BITS(IA32_EFER, SCE));

    ck_assert_uint_eq(pat.raw, (uint64_t)MSR_MEMORY_TYPE_WC << MSR_SHIFT(IA32_PAT, PA3));
    ck_assert_uint_eq(MSR_BITS(IA32_PAT, PA3).raw, MSR_IA32_PAT_PA3_MASK);
    ck_assert_uint_eq(MSR_ZERO(IA32_PAT).raw, 0);
    ck_assert_uint_eq(both.raw, MSR_IA32_EFER_NXE_MASK | MSR_IA32_EFER_SCE_MASK);
    ck_assert_uint_eq(MSR_UNCHECKED(IA32_EFER, 0x501).raw, 0x501);
    ck_assert_int_eq(MSR_SHIFT(IA32_PAT, PA3), 24);
    ck_assert_int_eq(MSR_WIDTH(IA32_PAT, PA3), 3);
    /* modify clears the bits of `clear`, sets those of `set`, keeps the rest */
    ck_assert_int_eq(msr_test_backend_set(&tb, MSR_IA32_PAT_ADDR, UINT64_C(0x0007040600070406)), MSR_OK);
    ck_assert_int_eq(msr_ia32_pat_modify(MSR_BITS(IA32_PAT, PA3), pat), MSR_WRITTEN);
    ck_assert_uint_eq(msr_ia32_pat_read().raw, UINT64_C(0x0007040601070406));
}
END_TEST

START_TEST(every_register_is_found_by_address_and_name)
{
    uint32_t i;
    ck_assert_uint_gt(msr_spec.instance_count, 30);
    for (i = 0; i < msr_spec.instance_count; i++) {
        const struct msr_instance *inst = &msr_spec.instances[i];
        const struct msr_instance *by_address = msr_find_by_address(inst->address);
        const struct msr_def *def = msr_def_of(inst);
        ck_assert_ptr_nonnull(by_address);
        ck_assert_uint_eq(by_address->address, inst->address);
        ck_assert_ptr_eq(msr_find_by_name(msr_name(inst)), inst);
        ck_assert_ptr_eq(msr_spec.defs[def->id], def);
        ck_assert_uint_eq(inst->address, def->address + inst->index * def->stride);
        ck_assert_uint_lt(inst->index, def->count);
        if (i > 0)
            ck_assert_uint_le(msr_spec.instances[i - 1].address, inst->address);
    }
    ck_assert_ptr_eq(msr_find_by_name("efer"), msr_find_by_address(MSR_IA32_EFER_ADDR));
    ck_assert_ptr_eq(msr_find_by_name("ia32_vmx_basic"), msr_find_by_address(0x480));
    ck_assert_str_eq(msr_name(msr_find_by_name("ia32_mc3_ctl")), "IA32_MC3_CTL");
    ck_assert_str_eq(msr_def_name(msr_def_of(msr_find_by_name("ia32_mc3_ctl"))), "IA32_MC{n}_CTL");
    ck_assert_ptr_null(msr_find_by_address(0xDEADBEEF));
    ck_assert_ptr_null(msr_find_by_name("IA32_EFFER"));
}
END_TEST

START_TEST(records_and_text_agree_with_the_headers)
{
    const struct msr_def *efer = MSR_DEF(IA32_EFER), *pat = MSR_DEF(IA32_PAT);
    const struct msr_field_info *nxe = msr_find_field(efer, "NXE");
    struct msr_enum_value v;
    unsigned i;

    /* one record per definition: MSR_DEF names the same object as the spec's index */
    ck_assert_ptr_eq(msr_def_of(msr_find_by_address(MSR_IA32_EFER_ADDR)), efer);
    ck_assert_uint_eq(sizeof(union msr_cell), 40);
    ck_assert_uint_eq(efer->address, MSR_IA32_EFER_ADDR);
    ck_assert_uint_eq(msr_def_masks(efer)->writable, MSR_IA32_EFER_WRITABLE_MASK);
    ck_assert_str_eq(msr_def_name(efer), "IA32_EFER");
    ck_assert_str_eq(msr_alias(msr_find_by_address(MSR_IA32_EFER_ADDR), 0), "EFER");
    ck_assert_ptr_nonnull(nxe);
    ck_assert_uint_eq(msr_field_mask(nxe), MSR_IA32_EFER_NXE_MASK);
    ck_assert_str_eq(msr_field_name(efer, msr_field_index(efer, nxe)), "NXE");
    ck_assert_ptr_eq(msr_def_field_at(efer, 11), nxe);
    ck_assert_ptr_null(msr_def_field_at(efer, 63));
    /* a strict_enum field: its values in the record, their names in the text */
    ck_assert_uint_ne(msr_def_field(pat, 1)->flags & MSR_FIELD_F_STRICT_ENUM, 0);
    ck_assert_uint_eq(msr_def_field(pat, 1)->value_count, 6);
    ck_assert(msr_field_value_valid(pat, msr_def_field(pat, 1), MSR_MEMORY_TYPE_UC_MINUS));
    ck_assert(!msr_field_value_valid(pat, msr_def_field(pat, 1), 2));
    ck_assert(msr_field_value_valid(efer, nxe, 1));
    ck_assert_uint_eq(msr_field_enum_count(pat, 1), 6);
    ck_assert(msr_field_enum_value(pat, 1, 1, &v));
    ck_assert_str_eq(v.name, "WC");
    ck_assert_uint_eq(v.value, 1);
    ck_assert(!msr_field_enum_value(pat, 1, 6, &v));
    ck_assert_str_eq(msr_field_enum_name(pat, 1, 6), "WB");
    for (i = 0; i < msr_field_enum_count(pat, 1); i++)
        ck_assert(msr_field_enum_value(pat, 1, i, &v) && msr_field_value_valid(pat, msr_def_field(pat, 1), v.value));
}
END_TEST

/* A record or instance that is not msr_spec's has no text: NULL, not the
 * text of whichever register shares its id or its position. */
START_TEST(text_only_for_the_specs_own_records)
{
    const struct msr_def *efer = MSR_DEF(IA32_EFER);
    struct msr_def copy = *efer; /* same id, another object: a record a VMM made */
    const struct msr_def *defs[1] = { efer };
    struct msr_instance storage[1];
    struct msr_spec own;

    ck_assert_ptr_null(msr_def_name(&copy));
    ck_assert_ptr_null(msr_def_description(&copy));
    ck_assert_ptr_null(msr_def_ref(&copy));
    ck_assert_uint_eq(msr_def_spec_line(&copy), 0);
    ck_assert_ptr_null(msr_field_name(&copy, 0));
    ck_assert_ptr_null(msr_field_description(&copy, 0));
    ck_assert_uint_eq(msr_field_enum_count(&copy, 0), 0);
    ck_assert_ptr_null(msr_find_field(&copy, "NXE"));
    ck_assert_ptr_null(msr_def_name(NULL));
    /* the spec's own record still has its text */
    ck_assert_str_eq(msr_def_name(efer), "IA32_EFER");
    ck_assert_ptr_nonnull(msr_find_field(efer, "NXE"));
    /* an instance of a spec made of chosen records is not msr_spec's instance 0 */
    ck_assert_int_eq(msr_spec_from_defs(&own, defs, 1, storage, 1), MSR_OK);
    ck_assert_uint_eq(own.instance_count, 1);
    ck_assert_ptr_null(msr_name(&own.instances[0]));
    ck_assert_uint_eq(msr_alias_count(&own.instances[0]), 0);
    ck_assert_ptr_null(msr_alias(&own.instances[0], 0));
    ck_assert_str_eq(msr_name(msr_find_by_address(MSR_IA32_EFER_ADDR)), "IA32_EFER");
}
END_TEST

START_TEST(field_helpers_handle_full_width_and_top_bit)
{
    const struct msr_def *lstar = MSR_DEF(IA32_LSTAR);
    const struct msr_field_info *f;
    ck_assert_uint_eq(lstar->field_count, 1);
    f = msr_def_field(lstar, 0);
    ck_assert_uint_eq(f->msb - f->lsb + 1, 64);
    ck_assert_uint_eq(msr_field_extract(f, ~UINT64_C(0)), ~UINT64_C(0));
    ck_assert_uint_eq(msr_field_insert(f, 0, UINT64_C(1) << 63), UINT64_C(1) << 63);
    f = msr_find_field(MSR_DEF(IA32_EFER), "nxe");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(msr_field_insert(f, 0, 3), MSR_IA32_EFER_NXE_MASK);
    ck_assert_uint_eq(msr_field_extract(f, MSR_IA32_EFER_NXE_MASK), 1);
}
END_TEST

START_TEST(typed_helpers_at_the_edges_of_the_register)
{
    /* The three shapes where a shift goes wrong (shift by 64, a signed 1 << 63,
     * a mask of width 1 at bit 0); the sanitizer build runs this under UBSan. */
    msr_ia32_lstar_t lstar = MSR_SET(IA32_LSTAR, TARGET_RIP, (msr_ia32_lstar_t){ 0 }, ~UINT64_C(0));
    msr_ia32_ler_info_t ler = { 0 };
    volatile uint64_t two = 2; /* a run-time value: MSR_SET masks it (a constant 2 would not compile) */
    msr_ia32_feature_control_t fc = { ~UINT64_C(0) };

    ck_assert_uint_eq(lstar.raw, ~UINT64_C(0));
    ck_assert_uint_eq(MSR_GET(IA32_LSTAR, TARGET_RIP, lstar), ~UINT64_C(0));
    lstar = MSR_SET(IA32_LSTAR, TARGET_RIP, lstar, UINT64_C(0xFFFFFFFF81000000));
    ck_assert_uint_eq(lstar.raw, UINT64_C(0xFFFFFFFF81000000));

    ler = MSR_SET(IA32_LER_INFO, MISPRED, ler, 1);
    ck_assert_uint_eq(ler.raw, UINT64_C(1) << 63);
    ck_assert_uint_eq(MSR_GET(IA32_LER_INFO, MISPRED, ler), 1);
    ler = MSR_SET(IA32_LER_INFO, MISPRED, ler, two); /* too wide: truncated */
    ck_assert_uint_eq(ler.raw, 0);

    ck_assert_uint_eq(MSR_GET(IA32_FEATURE_CONTROL, LOCK, fc), 1);
    fc = MSR_SET(IA32_FEATURE_CONTROL, LOCK, fc, 0);
    ck_assert_uint_eq(fc.raw, ~UINT64_C(1));
    ck_assert_uint_eq(MSR_GET(IA32_FEATURE_CONTROL, LOCK, fc), 0);
    fc = MSR_SET(IA32_FEATURE_CONTROL, LOCK, (msr_ia32_feature_control_t){ 0 }, two | 1);
    ck_assert_uint_eq(fc.raw, 1);
}
END_TEST

START_TEST(every_status_has_its_own_message)
{
    int a, b;
    for (a = MSR_ERR_NO_BACKEND; a <= MSR_OK; a++) {
        ck_assert_ptr_nonnull(msr_strerror(a));
        for (b = MSR_ERR_NO_BACKEND; b < a; b++)
            ck_assert_str_ne(msr_strerror(a), msr_strerror(b));
    }
}
END_TEST

/* ---- presence conditions ---- */

#define INTEL_VENDOR { 0x16, 0x756E6547u, 0x6C65746Eu, 0x49656E69u }
#define AMD_VENDOR { 0x10, 0x68747541u, 0x444D4163u, 0x69746E65u }
#define KVM_SIGNATURE { 0x40000001u, 0x4B4D564Bu, 0x564B4D56u, 0x0000004Du }

/* Records as the generated table holds them: the definition, its masks, then
 * the condition's nodes in prefix order (cell 2 on). */
#define REC(vendors_, count_)                                                                       \
    { .def = { .vendors = (vendors_), .count = (count_), .present_if = 2 } }, { .masks = { .reserved = 0 } }
#define NO_COND_REC(vendors_) { .def = { .vendors = (vendors_), .count = 1 } }, { .masks = { .reserved = 0 } }
#define CPUID_BIT(leaf_, reg_, bit_)                                                                \
    { .cond = { .kind = MSR_CONDITION_KIND_CPUID, .size = 1, .leaf = (leaf_), .reg = (reg_), .msb = (bit_), \
                .lsb = (bit_) } }
/* (the describer names the MSR by the record the spec has for it) */
#define MSR_BIT(def_, bit_)                                                                         \
    { .cond = { .kind = MSR_CONDITION_KIND_MSR, .size = 1, .msr = (def_)->address, .msr_def = (def_)->id,  \
                .msb = (bit_), .lsb = (bit_) } }
#define ANY(n) { .cond = { .kind = MSR_CONDITION_KIND_ANY_OF, .size = (uint16_t)((n) + 1) } }
#define ALL(n) { .cond = { .kind = MSR_CONDITION_KIND_ALL_OF, .size = (uint16_t)((n) + 1) } }

static const struct msr_condition *cond_of(const union msr_cell *rec)
{
    return msr_def_condition(&rec[0].def, rec[0].def.present_if);
}

/* MSR values for the facts: IA32_VMX_BASIC with or without bit 55, MTRRCAP with 8 variable ranges. */
static uint64_t basic_value;
static int fake_read(void *ctx, uint32_t msr, uint64_t *value)
{
    (void)ctx;
    *value = 0;
    if (msr == 0x480) {
        *value = basic_value;
        return MSR_OK;
    }
    if (msr == 0xFE) {
        *value = 8;
        return MSR_OK;
    }
    return MSR_ERR_FAULT;
}

START_TEST(presence_follows_the_facts_and_never_says_a_wrong_yes)
{
    const struct msr_cpuid_entry intel_vmx[] = { { 0, 0, INTEL_VENDOR }, { 1, 0, { 0x506E3, 0, 1u << 5, 0 } } };
    const struct msr_cpuid_entry intel_novmx[] = { { 0, 0, INTEL_VENDOR }, { 1, 0, { 0x306A9, 0, 0, 0 } } };
    const struct msr_cpuid_entry amd_lm[] = { { 0, 0, AMD_VENDOR }, { 0x80000001u, 0, { 0, 0, 0, 1u << 29 } } };
    const struct msr_cpuid_table t1 = { intel_vmx, 2 }, t2 = { intel_novmx, 2 }, t3 = { amd_lm, 2 };
    struct msr_cpuid_source s1 = msr_cpuid_table_source(&t1), s2 = msr_cpuid_table_source(&t2),
                            s3 = msr_cpuid_table_source(&t3);
    struct msr_facts f1 = { &s1, NULL, NULL, 0 }, f2 = { &s2, NULL, NULL, 0 }, f3 = { &s3, NULL, NULL, 0 };
    struct msr_facts f1_msrs = { &s1, fake_read, NULL, 0 }, nothing = { NULL, NULL, NULL, 0 };
    const struct msr_def *basic = MSR_DEF(IA32_VMX_BASIC), *mtrrcap = MSR_DEF(IA32_MTRRCAP);
    const union msr_cell vmx_rec[] = { REC(MSR_VENDOR_INTEL, 1), CPUID_BIT(1, MSR_CPUID_REG_ECX, 5) };
    const union msr_cell syscall_rec[] = { REC(MSR_VENDOR_INTEL | MSR_VENDOR_AMD, 1), ANY(2),
                                           CPUID_BIT(0x80000001u, MSR_CPUID_REG_EDX, 11),
                                           CPUID_BIT(0x80000001u, MSR_CPUID_REG_EDX, 29) };
    /* "VMX and IA32_VMX_BASIC[55]": the TRUE control MSRs. */
    const union msr_cell true_rec[] = { REC(MSR_VENDOR_INTEL, 1), ALL(2), CPUID_BIT(1, MSR_CPUID_REG_ECX, 5),
                                        MSR_BIT(basic, 55) };
    const union msr_cell unconditional_rec[] = { NO_COND_REC(MSR_VENDOR_INTEL) };
    const union msr_cell amd_rec[] = { REC(MSR_VENDOR_AMD, 1), ANY(2), CPUID_BIT(0x80000001u, MSR_CPUID_REG_EDX, 11),
                                       CPUID_BIT(0x80000001u, MSR_CPUID_REG_EDX, 29) };
    const union msr_cell smm_rec[] = {
        REC(MSR_VENDOR_INTEL, 1),
        { .cond = { .kind = MSR_CONDITION_KIND_CONTEXT, .size = 1, .context = MSR_CONTEXT_SMM } } };
    /* IA32_MTRRCAP[7:0] > n: one node, the operand is the array index. */
    const union msr_cell ranges_rec[] = {
        REC(MSR_VENDOR_INTEL, 16),
        { .cond = { .kind = MSR_CONDITION_KIND_MSR, .size = 1, .msr = 0xFE, .msr_def = mtrrcap->id, .msb = 7,
                    .lsb = 0, .compare = MSR_COMPARE_ABOVE, .flags = MSR_CONDITION_OPERAND_IS_INDEX } } };
    const union msr_cell skylake_rec[] = {
        REC(MSR_VENDOR_INTEL, 1),
        { .cond = { .kind = MSR_CONDITION_KIND_FAMILY, .size = 2, .family = 6, .model_count = 2 } },
        { .models = { 0x4E, 0x5E } } };
    const struct msr_def *vmx = &vmx_rec[0].def, *syscall = &syscall_rec[0].def, *true_pin = &true_rec[0].def;
    const struct msr_def *unconditional = &unconditional_rec[0].def, *amd_only = &amd_rec[0].def;
    const struct msr_def *smbase = &smm_rec[0].def, *ranges = &ranges_rec[0].def, *skl = &skylake_rec[0].def;
    char text[128];

    ck_assert_uint_eq(msr_cpu_vendors(&s1), MSR_VENDOR_INTEL);
    ck_assert_uint_eq(msr_cpu_vendors(&s3), MSR_VENDOR_AMD);
    ck_assert_int_eq(msr_is_supported(vmx, 0, &f1), MSR_SUPPORT_YES);
    ck_assert_int_eq(msr_is_supported(vmx, 0, &f2), MSR_SUPPORT_NO);
    ck_assert_int_eq(msr_is_supported(vmx, 0, &f3), MSR_SUPPORT_NO);     /* leaf 1 absent: no feature bits */
    ck_assert_int_eq(msr_is_supported(vmx, 0, &nothing), MSR_SUPPORT_UNKNOWN);
    ck_assert_int_eq(msr_is_supported(syscall, 0, &f3), MSR_SUPPORT_YES); /* second of any_of holds */
    ck_assert_int_eq(msr_is_supported(syscall, 0, &f1), MSR_SUPPORT_NO);
    ck_assert_int_eq(msr_is_supported(unconditional, 0, &f1), MSR_SUPPORT_UNKNOWN);
    ck_assert_int_eq(msr_is_supported(amd_only, 0, &f3), MSR_SUPPORT_YES);
    ck_assert_int_eq(msr_is_supported(amd_only, 0, &f1), MSR_SUPPORT_NO);
    /* a condition on another MSR: unknown from CPUID alone, exact with its value */
    ck_assert_int_eq(msr_is_supported(true_pin, 0, &f1), MSR_SUPPORT_UNKNOWN);
    ck_assert_int_eq(msr_is_supported(true_pin, 0, &f2), MSR_SUPPORT_NO);  /* no VMX at all */
    basic_value = UINT64_C(1) << 55;
    ck_assert_int_eq(msr_is_supported(true_pin, 0, &f1_msrs), MSR_SUPPORT_YES);
    basic_value = 0;
    ck_assert_int_eq(msr_is_supported(true_pin, 0, &f1_msrs), MSR_SUPPORT_NO);
    /* a processor state no fact shows */
    ck_assert_int_eq(msr_is_supported(smbase, 0, &f1_msrs), MSR_SUPPORT_UNKNOWN);
    /* the array index as operand: 8 variable ranges are 0..7 */
    ck_assert_int_eq(msr_is_supported(ranges, 7, &f1_msrs), MSR_SUPPORT_YES);
    ck_assert_int_eq(msr_is_supported(ranges, 8, &f1_msrs), MSR_SUPPORT_NO);
    /* family 6 model 5EH (CPUID.1:EAX 506E3H) is Skylake; 3AH (306A9H) is not */
    ck_assert_int_eq(msr_is_supported(skl, 0, &f1), MSR_SUPPORT_YES);
    ck_assert_int_eq(msr_is_supported(skl, 0, &f2), MSR_SUPPORT_NO);
    ck_assert_str_eq(msr_support_name(MSR_SUPPORT_UNKNOWN), "unknown");
    /* the condition in words, as the generated comments write it */
    msr_condition_describe(cond_of(true_rec), 0, false, text, sizeof text);
    ck_assert_str_eq(text, "CPUID.(EAX=1H):ECX[5] = 1 and IA32_VMX_BASIC[55] = 1");
    msr_condition_describe(cond_of(ranges_rec), 3, true, text, sizeof text);
    ck_assert_str_eq(text, "IA32_MTRRCAP[7:0] > 3");
    msr_condition_describe(cond_of(ranges_rec), 0, false, text, sizeof text);
    ck_assert_str_eq(text, "IA32_MTRRCAP[7:0] > n");
    ck_assert_uint_eq(msr_condition_describe(cond_of(syscall_rec), 0, false, text, 8),
                      strlen("CPUID.(EAX=80000001H):EDX[11] = 1 or CPUID.(EAX=80000001H):EDX[29] = 1"));
    ck_assert_str_eq(text, "CPUID.(");
}
END_TEST

START_TEST(hypervisor_signatures_add_to_the_vendor_set)
{
    const struct msr_cpuid_entry kvm_guest[] = { { 0, 0, INTEL_VENDOR }, { 0x40000000u, 0, KVM_SIGNATURE } };
    const struct msr_cpuid_table t = { kvm_guest, 2 };
    struct msr_cpuid_source s = msr_cpuid_table_source(&t);
    ck_assert_uint_eq(msr_cpu_vendors(&s), MSR_VENDOR_INTEL | MSR_VENDOR_KVM);
    ck_assert_str_eq(msr_vendor_name(MSR_VENDOR_KVM), "kvm");
    ck_assert_ptr_null(msr_vendor_name(MSR_VENDOR_INTEL | MSR_VENDOR_AMD));
}
END_TEST

START_TEST(registers_of_other_vendors_are_absent_unless_asked)
{
    /* An AMD processor: Intel's IA32_MISC_ENABLE is absent, as Intel's DEBUGCTL.TR field is; asked
     * for the old answer (MSR_FACTS_OTHER_VENDORS_UNKNOWN) the register is unknown, the field stays
     * absent. With no vendor recognised, unknown. */
    const struct msr_cpuid_entry amd[] = { { 0, 0, AMD_VENDOR } };
    const struct msr_cpuid_entry anon[] = { { 0, 0, { 0x10, 0x12345678u, 0x12345678u, 0x12345678u } } };
    const struct msr_cpuid_table ta = { amd, 1 }, tn = { anon, 1 };
    struct msr_cpuid_source sa = msr_cpuid_table_source(&ta), sn = msr_cpuid_table_source(&tn);
    struct msr_facts strict = { &sa, NULL, NULL, 0 }, lenient = { &sa, NULL, NULL, MSR_FACTS_OTHER_VENDORS_UNKNOWN };
    struct msr_facts anonymous = { &sn, NULL, NULL, 0 };
    const struct msr_def *misc = MSR_DEF(IA32_MISC_ENABLE), *debugctl = MSR_DEF(IA32_DEBUGCTL);
    const struct msr_field_info *tr = msr_find_field(debugctl, "TR");

    ck_assert_ptr_nonnull(tr);
    ck_assert_int_eq(msr_is_supported(misc, 0, &strict), MSR_SUPPORT_NO);
    ck_assert_int_eq(msr_is_supported(misc, 0, &lenient), MSR_SUPPORT_UNKNOWN);
    ck_assert_int_eq(msr_is_supported(misc, 0, &anonymous), MSR_SUPPORT_UNKNOWN);
    ck_assert_int_eq(msr_field_is_supported(debugctl, 0, tr, &strict), MSR_SUPPORT_NO);
    ck_assert_int_eq(msr_field_is_supported(debugctl, 0, tr, &lenient), MSR_SUPPORT_NO);
    /* the lookup by address still names the register there */
    ck_assert_str_eq(msr_name(msr_find_by_address_for_cpu(MSR_IA32_MISC_ENABLE_ADDR, &strict)), "IA32_MISC_ENABLE");
    /* a hypervisor MSR without the hypervisor's signature is absent too */
    ck_assert_int_eq(msr_is_supported(MSR_DEF(KVM_SYSTEM_TIME_NEW), 0, &strict), MSR_SUPPORT_NO);
}
END_TEST

START_TEST(a_field_of_one_array_instance)
{
    /* IN_TXCP (bit 33) exists on IA32_PERFEVTSEL2 only, with RTM: {all_of: [{index: 2}, RTM]}. */
    const struct msr_cpuid_entry rtm[] = { { 0, 0, INTEL_VENDOR }, { 7, 0, { 0, 1u << 11, 0, 0 } } };
    const struct msr_cpuid_table t = { rtm, 2 };
    struct msr_cpuid_source src = msr_cpuid_table_source(&t);
    struct msr_facts f = { &src, NULL, NULL, 0 };
    const struct msr_def *evtsel = MSR_DEF(IA32_PERFEVTSELx);
    const struct msr_field_info *txcp = msr_find_field(evtsel, "IN_TXCP");
    struct msr_masks m1, m2;
    char text[96];

    ck_assert_ptr_nonnull(txcp);
    ck_assert_int_eq(msr_condition_eval(msr_def_condition(evtsel, txcp->present_if), 2, &f), MSR_SUPPORT_YES);
    ck_assert_int_eq(msr_condition_eval(msr_def_condition(evtsel, txcp->present_if), 1, &f), MSR_SUPPORT_NO);
    /* the index alone decides against, whatever else is unknown */
    ck_assert_int_eq(msr_condition_eval(msr_def_condition(evtsel, txcp->present_if), 3, NULL), MSR_SUPPORT_NO);
    msr_masks_for(evtsel, 2, &f, true, &m2);
    msr_masks_for(evtsel, 1, &f, true, &m1);
    ck_assert_uint_eq(m2.reserved & MSR_IA32_PERFEVTSELx_IN_TXCP_MASK, 0);
    ck_assert_uint_eq(m1.reserved & MSR_IA32_PERFEVTSELx_IN_TXCP_MASK, MSR_IA32_PERFEVTSELx_IN_TXCP_MASK);
    msr_condition_describe(msr_def_condition(evtsel, txcp->present_if), 2, true, text, sizeof text);
    ck_assert_str_eq(text, "n = 2 and CPUID.(EAX=7H):EBX[11] = 1");
}
END_TEST

START_TEST(hypervisor_blocks_after_the_first_add_their_vendors)
{
    /* KVM with Hyper-V's interface first: Hyper-V at 40000000H, KVM at 40000100H (Linux finds it
     * there, hypervisor_cpuid_base()). A block the CPU does not answer ends the scan. */
    const struct msr_cpuid_entry both[] = { { 0, 0, INTEL_VENDOR },
                                            { 0x40000000u, 0, { 0x4000000Au, 0x7263694Du, 0x666F736Fu, 0x76482074u } },
                                            { 0x40000100u, 0, KVM_SIGNATURE } };
    const struct msr_cpuid_entry gap[] = { { 0, 0, INTEL_VENDOR }, { 0x40000200u, 0, KVM_SIGNATURE } };
    const struct msr_cpuid_table with_hv = { both, 3 }, with_gap = { gap, 2 };
    struct msr_cpuid_source sb = msr_cpuid_table_source(&with_hv), sg = msr_cpuid_table_source(&with_gap);

    ck_assert_uint_eq(msr_cpu_vendors(&sb), MSR_VENDOR_INTEL | MSR_VENDOR_HYPERV | MSR_VENDOR_KVM);
    ck_assert_uint_eq(msr_cpu_vendors(&sg), MSR_VENDOR_INTEL);
}
END_TEST

START_TEST(every_generated_condition_describes_like_the_generator)
{
    /* Each MSR's condition, evaluated with no facts, is never "yes"; and its
     * text names the registers it reads by their spec names. */
    uint32_t i;
    struct msr_facts nothing = { NULL, NULL, NULL, 0 };
    for (i = 0; i < msr_spec.instance_count; i++) {
        const struct msr_instance *inst = &msr_spec.instances[i];
        const struct msr_def *def = msr_def_of(inst);
        char text[1024];
        ck_assert_int_ne(msr_is_supported(def, inst->index, &nothing), MSR_SUPPORT_YES);
        if (def->present_if) {
            size_t n = msr_condition_describe(msr_def_condition(def, def->present_if), inst->index, def->count > 1,
                                              text, sizeof text);
            ck_assert_uint_gt(n, 0);
            ck_assert_uint_lt(n, sizeof text);
            ck_assert_ptr_null(strstr(text, "?"));
        }
    }
}
END_TEST

START_TEST(not_and_shared_addresses_follow_the_processor)
{
    /* NOT swaps yes and no and keeps unknown. */
    const union msr_cell not_p4_cells[] = { { .cond = { .kind = MSR_CONDITION_KIND_NOT, .size = 2 } },
                                            { .cond = { .kind = MSR_CONDITION_KIND_FAMILY, .size = 1, .family = 0xF } } };
    const struct msr_condition *not_p4 = &not_p4_cells[0].cond;
    const struct msr_cpuid_entry p4[] = { { 0, 0, INTEL_VENDOR }, { 1, 0, { 0xF43, 0, 0, 0 } } };
    const struct msr_cpuid_entry slm[] = { { 0, 0, INTEL_VENDOR }, { 1, 0, { 0x30678, 0, 0, 0 } },
                                           { 0xA, 0, { 0, 0, 0, 3 } } };
    const struct msr_cpuid_entry core2[] = { { 0, 0, INTEL_VENDOR }, { 1, 0, { 0x6F6, 0, 0, 0 } } };
    const struct msr_cpuid_table tp = { p4, 2 }, ts = { slm, 3 }, tc = { core2, 2 };
    struct msr_cpuid_source sp = msr_cpuid_table_source(&tp), ss = msr_cpuid_table_source(&ts),
                            sc = msr_cpuid_table_source(&tc);
    struct msr_facts fp = { &sp, NULL, NULL, 0 }, fs = { &ss, NULL, NULL, 0 }, fc = { &sc, NULL, NULL, 0 },
                     none = { NULL, NULL, NULL, 0 };
    char text[64];

    ck_assert_int_eq(msr_condition_eval(not_p4, 0, &fp), MSR_SUPPORT_NO);
    ck_assert_int_eq(msr_condition_eval(not_p4, 0, &fs), MSR_SUPPORT_YES);
    ck_assert_int_eq(msr_condition_eval(not_p4, 0, &none), MSR_SUPPORT_UNKNOWN);
    msr_condition_describe(not_p4, 0, false, text, sizeof text);
    ck_assert_str_eq(text, "not (family 0FH)");
    /* 0CDH: FSB_FREQ on Core 2, SILVERMONT_FSB_FREQ on Silvermont. */
    ck_assert_str_eq(msr_name(msr_find_by_address_for_cpu(MSR_FSB_FREQ_ADDR, &fc)), "FSB_FREQ");
    ck_assert_str_eq(msr_name(msr_find_by_address_for_cpu(MSR_SILVERMONT_FSB_FREQ_ADDR, &fs)), "SILVERMONT_FSB_FREQ");
    /* 309H: the NetBurst counter on family 0FH, the fixed counter where CPUID.0AH reports it. */
    ck_assert_str_eq(msr_name(msr_find_by_address_for_cpu(0x309, &fp)), "FLAME_COUNTER1");
    ck_assert_str_eq(msr_name(msr_find_by_address_for_cpu(0x309, &fs)), "IA32_FIXED_CTR0");
    ck_assert_ptr_null(msr_find_by_address_for_cpu(0x7FFFFFFF, &fs));
}
END_TEST

START_TEST(masks_follow_the_processor)
{
    /* IA32_EFER.SVME and friends are AMD's: on an Intel CPU they are reserved. Each EFER field
     * also needs its CPUID bit (SYSCALL 11, NX 20, LM 29; AMD: SVM, TCE, FFXSR, MCOMMIT, INT_WBINVD,
     * upper address ignore, automatic IBRS); the AMD CPU here has all of them. */
    const uint32_t edx = (1u << 11) | (1u << 20) | (1u << 29);
    const struct msr_cpuid_entry intel[] = { { 0, 0, INTEL_VENDOR }, { 0x80000001u, 0, { 0, 0, 0, edx } } };
    const struct msr_cpuid_entry amd[] = { { 0, 0, AMD_VENDOR },
                                           { 0x80000001u, 0, { 0, 0, (1u << 2) | (1u << 17), edx | (1u << 25) } },
                                           { 0x80000008u, 0, { 0, (1u << 8) | (1u << 13), 0, 0 } },
                                           { 0x80000021u, 0, { (1u << 7) | (1u << 8), 0, 0, 0 } } };
    const struct msr_cpuid_table ti = { intel, 2 }, ta = { amd, 4 };
    struct msr_cpuid_source si = msr_cpuid_table_source(&ti), sa = msr_cpuid_table_source(&ta);
    struct msr_facts fi = { &si, NULL, NULL, 0 }, fa = { &sa, NULL, NULL, 0 };
    const struct msr_def *efer = MSR_DEF(IA32_EFER), *lstar = MSR_DEF(IA32_LSTAR);
    struct msr_masks m;

    msr_masks_for(efer, 0, &fi, true, &m);
    ck_assert_uint_ne(m.reserved & MSR_IA32_EFER_SVME_MASK, 0);
    ck_assert_uint_eq(m.writable & MSR_IA32_EFER_SVME_MASK, 0);
    ck_assert_uint_eq(m.writable & MSR_IA32_EFER_NXE_MASK, MSR_IA32_EFER_NXE_MASK);
    msr_masks_for(efer, 0, &fa, true, &m);
    ck_assert_uint_eq(m.reserved & MSR_IA32_EFER_SVME_MASK, 0);
    ck_assert_uint_eq(m.reserved, msr_def_masks(efer)->reserved);
    msr_masks_for(lstar, 0, &fi, true, &m);
    ck_assert_uint_eq(m.canonical, ~UINT64_C(0));
    ck_assert(msr_is_canonical(UINT64_C(0xFFFFFFFF81000000), 48));
    ck_assert(msr_is_canonical(UINT64_C(0x00007FFFFFFFFFFF), 48));
    ck_assert(!msr_is_canonical(UINT64_C(0x0000800000000000), 48));
    ck_assert(msr_is_canonical(UINT64_C(0x0000800000000000), 57));
    ck_assert(!msr_is_canonical(UINT64_C(0x8000000000000000), 57));
}
END_TEST

START_TEST(native_cpuid_answers_for_this_machine)
{
    /* Whatever the host is, the generated EFER condition (long mode) holds on x86-64. */
    struct msr_facts here = { &msr_cpuid_native, NULL, NULL, 0 };
    ck_assert_uint_ne(msr_cpu_vendors(&msr_cpuid_native), 0);
    ck_assert_int_eq(msr_is_supported(MSR_DEF(IA32_EFER), 0, &here), MSR_SUPPORT_YES);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, rmw_changes_only_writable_bits_and_never_clears_w1c_by_accident);
    tcase_add_test(tc, no_backend_is_an_error_not_a_crash);
    tcase_add_test(tc, plain_access_failure_reaches_the_fault_hook);
    tcase_add_test(tc, rejected_write_leaves_the_register_unchanged);
    tcase_add_test(tc, typed_pat_entries_use_memory_type_names);
    tcase_add_test(tc, typed_values_build_the_writes);
    tcase_add_test(tc, every_register_is_found_by_address_and_name);
    tcase_add_test(tc, records_and_text_agree_with_the_headers);
    tcase_add_test(tc, text_only_for_the_specs_own_records);
    tcase_add_test(tc, field_helpers_handle_full_width_and_top_bit);
    tcase_add_test(tc, typed_helpers_at_the_edges_of_the_register);
    tcase_add_test(tc, every_status_has_its_own_message);
    tcase_add_test(tc, presence_follows_the_facts_and_never_says_a_wrong_yes);
    tcase_add_test(tc, hypervisor_signatures_add_to_the_vendor_set);
    tcase_add_test(tc, registers_of_other_vendors_are_absent_unless_asked);
    tcase_add_test(tc, hypervisor_blocks_after_the_first_add_their_vendors);
    tcase_add_test(tc, a_field_of_one_array_instance);
    tcase_add_test(tc, masks_follow_the_processor);
    tcase_add_test(tc, not_and_shared_addresses_follow_the_processor);
    tcase_add_test(tc, every_generated_condition_describes_like_the_generator);
    tcase_add_test(tc, native_cpuid_answers_for_this_machine);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
