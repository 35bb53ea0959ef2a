/*
 * x86msr's decoding inside Linux, each answer against Linux's own view:
 *  - fields of the registers Linux set up (EFER, APIC_BASE, PAT) through
 *    MSR_GET, the bitfield union and the records, compared with the masks of
 *    <asm/msr-index.h> that sit beside x86msr's names in this file;
 *  - the records and their text: lookups by address and name, fields, enums;
 *  - presence from the CPUID of the processor Linux runs on, compared with
 *    Linux's CPU features.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>

#include <x86msr/cpuid.h>
#include <x86msr/msr_defs.h>
#include <x86msr/msrs.h>

#include "x86msr_test.h"

static void xt_efer(struct xt_run *run)
{
	msr_ia32_efer_t efer = msr_ia32_efer_read();

	xt_check(run, MSR_GET(IA32_EFER, SCE, efer) == !!(efer.raw & EFER_SCE) && efer.sce,
		 "decode.efer_sce", "SCE %llu, Linux's EFER_SCE %d (0x%llx)", MSR_GET(IA32_EFER, SCE, efer),
		 !!(efer.raw & EFER_SCE), efer.raw);
	xt_check(run, MSR_GET(IA32_EFER, LME, efer) == 1 && efer.lme == 1 && (efer.raw & EFER_LME),
		 "decode.efer_lme", "LME %llu (bitfield %u), Linux's EFER_LME %d",
		 MSR_GET(IA32_EFER, LME, efer), (unsigned int)efer.lme, !!(efer.raw & EFER_LME));
	xt_check(run, MSR_GET(IA32_EFER, LMA, efer) == 1 && efer.lma == 1 && (efer.raw & EFER_LMA),
		 "decode.efer_lma", "LMA %llu (bitfield %u), Linux's EFER_LMA %d",
		 MSR_GET(IA32_EFER, LMA, efer), (unsigned int)efer.lma, !!(efer.raw & EFER_LMA));
	xt_check(run, MSR_GET(IA32_EFER, NXE, efer) == !!(efer.raw & EFER_NX) &&
			      MSR_GET(IA32_EFER, NXE, efer) == !!boot_cpu_has(X86_FEATURE_NX),
		 "decode.efer_nxe", "NXE %llu, Linux's EFER_NX %d, X86_FEATURE_NX %d",
		 MSR_GET(IA32_EFER, NXE, efer), !!(efer.raw & EFER_NX), !!boot_cpu_has(X86_FEATURE_NX));
}

static void xt_apic_base(struct xt_run *run)
{
	msr_ia32_apic_base_t apic = msr_ia32_apic_base_read();
	u64 linux_base = (apic.raw & MSR_IA32_APICBASE_BASE) >> 12;

	xt_check(run, MSR_GET(IA32_APIC_BASE, BSP, apic) == 1 && (apic.raw & MSR_IA32_APICBASE_BSP),
		 "decode.apic_base_bsp", "BSP %llu, Linux's MSR_IA32_APICBASE_BSP %d",
		 MSR_GET(IA32_APIC_BASE, BSP, apic), !!(apic.raw & MSR_IA32_APICBASE_BSP));
	xt_check(run, MSR_GET(IA32_APIC_BASE, EN, apic) == 1 && (apic.raw & MSR_IA32_APICBASE_ENABLE),
		 "decode.apic_base_en", "EN %llu, Linux's MSR_IA32_APICBASE_ENABLE %d",
		 MSR_GET(IA32_APIC_BASE, EN, apic), !!(apic.raw & MSR_IA32_APICBASE_ENABLE));
	xt_check(run, MSR_GET(IA32_APIC_BASE, APIC_BASE, apic) == linux_base,
		 "decode.apic_base_address", "APIC_BASE 0x%llx (page number), Linux's mask gives 0x%llx",
		 MSR_GET(IA32_APIC_BASE, APIC_BASE, apic), linux_base);
}

/* Every PAT entry: MSR_GET by field, the record's field at the same bits,
 * its name in the memory-type enumeration, a valid strict_enum value. */
static void xt_pat(struct xt_run *run)
{
	const struct msr_def *def = MSR_DEF(IA32_PAT);
	msr_ia32_pat_t pat = msr_ia32_pat_read();
	const u64 got[8] = {
		MSR_GET(IA32_PAT, PA0, pat), MSR_GET(IA32_PAT, PA1, pat), MSR_GET(IA32_PAT, PA2, pat),
		MSR_GET(IA32_PAT, PA3, pat), MSR_GET(IA32_PAT, PA4, pat), MSR_GET(IA32_PAT, PA5, pat),
		MSR_GET(IA32_PAT, PA6, pat), MSR_GET(IA32_PAT, PA7, pat),
	};
	char names[8 * sizeof("UC_MINUS")];
	bool agree = true;
	size_t used = 0;
	unsigned int i;

	for (i = 0; i < 8; i++) {
		const struct msr_field_info *f = msr_def_field_at(def, 8 * i);
		unsigned int index = f ? msr_field_index(def, f) : 0;
		const char *type = f ? msr_field_enum_name(def, index, got[i]) : NULL;

		agree = agree && f && got[i] == ((pat.raw >> (8 * i)) & 0xff) &&
			got[i] == msr_field_extract(f, pat.raw) && msr_field_value_valid(def, f, got[i]) &&
			type != NULL;
		used += scnprintf(names + used, sizeof(names) - used, "%s%s", i ? " " : "", type ? type : "?");
	}
	xt_check(run, agree, "decode.pat_entries", "0x%llx: %s", pat.raw, names);
}

static void xt_records(struct xt_run *run)
{
	const struct msr_instance *efer = msr_find_by_address(MSR_EFER);
	const struct msr_instance *pat = msr_find_by_name("ia32_pat");
	const struct msr_instance *mc3 = msr_find_by_name("IA32_MC3_CTL");
	const struct msr_def *def = efer ? msr_def_of(efer) : NULL;
	const struct msr_field_info *nxe = def ? msr_find_field(def, "NXE") : NULL;

	xt_check(run, efer && !strcmp(msr_name(efer), "IA32_EFER") && msr_alias_count(efer) > 0 &&
			      !strcmp(msr_alias(efer, 0), "EFER"),
		 "records.by_address", "0x%x is %s (alias %s)", MSR_EFER, efer ? msr_name(efer) : "nothing",
		 efer && msr_alias_count(efer) ? msr_alias(efer, 0) : "none");
	xt_check(run, nxe && nxe->lsb == 11 && nxe->msb == 11 && msr_field_mask(nxe) == EFER_NX,
		 "records.field", "IA32_EFER.NXE at bits %u:%u, Linux's EFER_NX 0x%llx",
		 nxe ? nxe->msb : 0, nxe ? nxe->lsb : 0, (u64)EFER_NX);
	xt_check(run, pat && pat->address == MSR_IA32_CR_PAT && msr_def_of(pat) == MSR_DEF(IA32_PAT),
		 "records.by_name", "ia32_pat (any case) at 0x%x, Linux's MSR_IA32_CR_PAT 0x%x",
		 pat ? pat->address : 0, MSR_IA32_CR_PAT);
	xt_check(run, mc3 && mc3->address == MSR_IA32_MCx_CTL(3) && mc3->index == 3 &&
			      mc3->address == MSR_IA32_MCx_CTL_ADDR(3),
		 "records.array_instance", "IA32_MC3_CTL at 0x%x (index %u), Linux's MSR_IA32_MCx_CTL(3) 0x%x",
		 mc3 ? mc3->address : 0, mc3 ? mc3->index : 0, MSR_IA32_MCx_CTL(3));
}

/* x86msr's presence answers from CPUID against Linux's CPU features. */
static void xt_presence(struct xt_run *run)
{
	const struct msr_facts facts = { &msr_cpuid_native, NULL, NULL, 0 };
	u32 vendors = msr_cpu_vendors(&msr_cpuid_native);
	bool intel = boot_cpu_data.x86_vendor == X86_VENDOR_INTEL;
	bool amd = boot_cpu_data.x86_vendor == X86_VENDOR_AMD;
	enum msr_support vmx = msr_is_supported(MSR_DEF(IA32_VMX_BASIC), 0, &facts);
	enum msr_support pat = msr_is_supported(MSR_DEF(IA32_PAT), 0, &facts);
	enum msr_support tsc_aux = msr_is_supported(MSR_DEF(IA32_TSC_AUX), 0, &facts);
	enum msr_support misc = msr_is_supported(MSR_DEF(IA32_MISC_ENABLE), 0, &facts);

	xt_check(run, !!(vendors & MSR_VENDOR_INTEL) == intel && !!(vendors & MSR_VENDOR_AMD) == amd,
		 "presence.vendor", "x86msr's vendor set 0x%x; Linux's x86_vendor %u (Intel %d, AMD %d)",
		 vendors, boot_cpu_data.x86_vendor, intel, amd);
	xt_check(run, (vmx == MSR_SUPPORT_YES) == boot_cpu_has(X86_FEATURE_VMX) &&
			      (vmx == MSR_SUPPORT_NO) == !boot_cpu_has(X86_FEATURE_VMX),
		 "presence.vmx_basic", "IA32_VMX_BASIC: %s; X86_FEATURE_VMX %d", msr_support_name(vmx),
		 !!boot_cpu_has(X86_FEATURE_VMX));
	xt_check(run, (pat == MSR_SUPPORT_YES) == boot_cpu_has(X86_FEATURE_PAT), "presence.pat",
		 "IA32_PAT: %s; X86_FEATURE_PAT %d", msr_support_name(pat), !!boot_cpu_has(X86_FEATURE_PAT));
	xt_check(run, (tsc_aux == MSR_SUPPORT_YES) == boot_cpu_has(X86_FEATURE_RDTSCP), "presence.tsc_aux",
		 "IA32_TSC_AUX: %s; X86_FEATURE_RDTSCP %d", msr_support_name(tsc_aux),
		 !!boot_cpu_has(X86_FEATURE_RDTSCP));
	/* An Intel register: never a wrong yes on an AMD processor, never a
	 * wrong no on an Intel one. */
	xt_check(run, amd ? misc != MSR_SUPPORT_YES : misc != MSR_SUPPORT_NO, "presence.misc_enable",
		 "IA32_MISC_ENABLE (Intel's) on this %s processor: %s", amd ? "AMD" : "Intel",
		 msr_support_name(misc));
}

void xt_decode(struct xt_run *run)
{
	xt_efer(run);
	xt_apic_base(run);
	xt_pat(run);
	xt_records(run);
	xt_presence(run);
}
