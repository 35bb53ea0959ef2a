/*
 * The exit handler's accept/#GP decisions against real processors: for each
 * register VirtualBox's CPU profiles recorded with write probes (data file
 * data/vbox_msr_probes.txt, facts from an Intel Core i7-6700K and an AMD
 * Ryzen 7 1800X), every bit is flipped alone in the recorded value, as
 * VBoxCpuReport probed it, and the handler's decision for a pass-through
 * policy on a virtual CPU with that processor's CPUID is compared with the
 * recorded one.
 *
 * Every difference must be explained in `reasons` below (and every
 * explanation must still be needed): the test prints all of them, so the
 * list is the answer to "where does x86msr's model of the spec differ from
 * the silicon, and why".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virt_fixture.h"

#define MAX_RECORDS 64

struct record {
    uint32_t msr;
    char name[64];
    uint64_t value, ignore, gp;
    bool readonly;
};

struct profile {
    char name[64];
    struct test_cpu cpu;
    struct record rec[MAX_RECORDS];
    size_t n;
};

static struct profile profiles[2];
static size_t n_profiles;

static void load(void)
{
    char path[512], line[256];
    FILE *f;

    snprintf(path, sizeof path, "%s/vbox_msr_probes.txt", VIRT_DATA_DIR);
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    n_profiles = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        struct profile *p = n_profiles ? &profiles[n_profiles - 1] : NULL;
        char name[64], ro[16];
        unsigned leaf, sub, a, b, c, d, msr;
        uint64_t v, ign, gp;

        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "profile %63s", name) == 1) {
            ck_assert_uint_lt(n_profiles, 2);
            p = &profiles[n_profiles++];
            memset(p, 0, sizeof *p);
            snprintf(p->name, sizeof p->name, "%s", name);
            test_cpu_empty(&p->cpu);
        } else if (sscanf(line, "cpuid %x %x %x %x %x %x", &leaf, &sub, &a, &b, &c, &d) == 6) {
            ck_assert_ptr_nonnull(p);
            test_cpu_set(&p->cpu, leaf, sub, a, b, c, d);
        } else if (sscanf(line, "msr %x %63s %" SCNx64 " %15s", &msr, name, &v, ro) == 4 && strcmp(ro, "readonly") == 0) {
            ck_assert_ptr_nonnull(p);
            ck_assert_uint_lt(p->n, MAX_RECORDS);
            p->rec[p->n] = (struct record){ msr, "", v, 0, ~UINT64_C(0), true };
            snprintf(p->rec[p->n].name, sizeof p->rec[p->n].name, "%s", name);
            test_cpu_set_msr(&p->cpu, msr, v);
            p->n++;
        } else if (sscanf(line, "msr %x %63s %" SCNx64 " %" SCNx64 " %" SCNx64, &msr, name, &v, &ign, &gp) == 5) {
            ck_assert_ptr_nonnull(p);
            ck_assert_uint_lt(p->n, MAX_RECORDS);
            p->rec[p->n] = (struct record){ msr, "", v, ign, gp, false };
            snprintf(p->rec[p->n].name, sizeof p->rec[p->n].name, "%s", name);
            test_cpu_set_msr(&p->cpu, msr, v);
            p->n++;
        } else {
            ck_abort_msg("%s: cannot parse: %s", path, line);
        }
    }
    fclose(f);
    ck_assert_uint_eq(n_profiles, 2);
}

/* Why x86msr decides differently from the silicon, per profile, register
 * and direction (ours_gp: x86msr raises #GP where the CPU accepted, else the
 * other way round). `bits` must be exactly the bits that differ. */
struct reason {
    const char *profile;
    uint32_t msr;
    bool ours_gp;
    uint64_t bits;
    const char *why;
};

static const struct reason reasons[] = {
    { "Intel", 0x1B, false, UINT64_C(0x000fff8000000000),
      "physical-address width: the CPU has 39 bits (CPUID.80000008H:EAX[7:0]); the spec gives APIC_BASE bits 51:12 and x86msr does not model MAXPHYADDR" },
    { "Intel", 0x3A, false, UINT64_C(0x0000000000040005),
      "the value read has LOCK = 1 and a locked IA32_FEATURE_CONTROL rejects every write; x86msr does not model lock bits (its rwo fields are writable)" },
    { "Intel", 0x9B, false, UINT64_C(0x00000000fffff005),
      "IA32_SMM_MONITOR_CTL is writable only in SMM; the spec gives no SMM condition for writes (the MSR-list builder refuses it by name)" },
    { "Intel", 0x17A, true, UINT64_C(0x0000000000000008),
      "LMCE_S exists only with IA32_MCG_CAP[27] (LMCE_P), clear here (0xc0a), so the spec makes bit 3 reserved; the CPU accepts a write of it all the same" },
    { "Intel", 0x19B, false, UINT64_C(0x0000000000000008),
      "FORCEPR_INT_ENABLE is in the spec without a condition; this CPU has no FORCEPR# input" },
    { "Intel", 0x19C, false, UINT64_C(0x0000000000005000),
      "read-only status bits (CURRENT_LIMIT_STATUS, CROSS_DOMAIN_LIMIT_STATUS): the CPU raises #GP on a change, x86msr keeps the value (its documented choice for read-only fields)" },
    { "Intel", 0x1A0, false, UINT64_C(0x0000000000000800),
      "BTS_UNAVAILABLE is read-only: the CPU raises #GP on a change, x86msr keeps the value (its choice for read-only fields)" },
    { "Intel", 0x200, false, UINT64_C(0x000fff8000000000),
      "physical-address width (39 bits) not modelled: PHYSBASE spans 51:12 in the spec" },
    { "Intel", 0x201, false, UINT64_C(0x000fff8000000000),
      "physical-address width (39 bits) not modelled: PHYSMASK spans 51:12 in the spec" },
    { "Intel", 0x309, false, UINT64_C(0xffff000000000000),
      "counter width: fixed counters have 48 bits here (CPUID.0AH:EDX[12:5]); the spec gives the counter 63:0" },
    { "Intel", 0x570, false, UINT64_C(0x000000cc0803c000),
      "value encodings: MTC_FREQ, PSB_FREQ and ADDRn_CFG accept only the values CPUID.(14H,1) and the SDM allow (MTC periods 0x249, PSB frequencies 0x3f, ADDRn_CFG 0-2); the spec has masks, not legal values" },
    { "Intel", 0x572, false, UINT64_C(0x0000000000000fe0),
      "the CPU rejects CR3 bits 11:5 (it matches 63:12); the spec, after the SDM, gives the field 63:5" },
    { "Intel", 0xC0000084, true, UINT64_C(0xffffffff00000000),
      "bits 63:32 of IA32_FMASK: the CPU ignores writes to them, x86msr treats reserved bits as #GP (the spec has no notion of ignored bits)" },
    { "AMD", 0x1B, false, UINT64_C(0x000f000000000000),
      "physical-address width: bits 51:48 of APIC_BASE lie above the CPU's 48 bits (CPUID.80000008H:EAX[7:0]); x86msr does not model MAXPHYADDR" },
    { "AMD", 0x175, true, UINT64_C(0xffff800000000000),
      "AMD keeps 32 bits of IA32_SYSENTER_ESP and ignores 63:32; the spec marks the register canonical for both vendors (the Intel rule)" },
    { "AMD", 0x176, true, UINT64_C(0xffff800000000000),
      "AMD keeps 32 bits of IA32_SYSENTER_EIP and ignores 63:32; the spec marks the register canonical for both vendors (the Intel rule)" },
    { "AMD", 0x17A, true, UINT64_C(0xfffffffffffffff8),
      "AMD ignores writes to bits 63:3 of IA32_MCG_STATUS (LMCE_S, bit 3, is Intel's, so reserved here); x86msr treats reserved bits as #GP" },
    { "AMD", 0x1D9, true, UINT64_C(0xffffffffffffff84),
      "AMD ignores writes to bits 63:7 of DebugCtl (the Intel fields, reserved for AMD in the spec) and Zen 1 keeps bit 2 as the APM's PB0; the spec gives bit 2 to BUS_LOCK_DETECT, which needs CPUID.(7,0):ECX[24] (0 on Zen 1): x86msr raises #GP" },
    { "AMD", 0x200, false, UINT64_C(0x000f000000000000),
      "physical-address width (48 bits) not modelled" },
    { "AMD", 0x201, false, UINT64_C(0x000f000000000000),
      "physical-address width (48 bits) not modelled" },
    { "AMD", 0xC0000080, true, UINT64_C(0x00000000000000fe),
      "AMD ignores writes to EFER bits 7:1; x86msr treats reserved bits as #GP" },
    { "AMD", 0xC0000084, true, UINT64_C(0xffffffff00000000),
      "bits 63:32 of IA32_FMASK: the CPU ignores writes, x86msr raises #GP for reserved bits" },
    { "AMD", 0xC0000103, true, UINT64_C(0xffffffff00000000),
      "bits 63:32 of IA32_TSC_AUX: the CPU ignores writes, x86msr raises #GP for reserved bits" },
    { "AMD", 0xC0010010, true, UINT64_C(0xfffffffff8000000),
      "AMD ignores writes to the reserved bits 63:27 of SYSCFG; x86msr raises #GP for reserved bits" },
    { "AMD", 0xC0010111, true, UINT64_C(0xffffffff00000000),
      "AMD SMBASE bits 63:32: the CPU ignores writes, x86msr raises #GP for reserved bits" },
    { "AMD", 0xC0010114, true, UINT64_C(0xffffffff00000000),
      "VM_CR bits 63:32: the CPU ignores writes, x86msr raises #GP for reserved bits" },
    { "AMD", 0xC0010117, false, UINT64_C(0x000f780000000000),
      "physical-address width not modelled: the CPU rejects bits 51:48 (above its 48-bit MAXPHYADDR) and 46:43 (SME is on, SYSCFG.MEME = 1 in the value read, and Zen 1's 5-bit physical-address reduction, CPUID.8000001FH:EBX[11:6], leaves 43 bits; bit 47 is the C-bit); the spec gives ADDR 51:12" },
    { "AMD", 0xC0010200, true, UINT64_C(0xfffff4f000280000),
      "AMD ignores writes to the reserved bits of PERF_CTL (and keeps bit 19); x86msr raises #GP for reserved bits" },
    { "Intel", 0x200, true, UINT64_C(0x0000000000000002),
      "the flip makes UC (0) the undefined memory type 2, on which the SDM (Vol. 3, MTRRs), KVM and Xen have WRMSR fault, and x86msr too (strict_enum); the profile's per-bit #GP mask calls bit 1 writable, other values of it being defined types" },
    { "Intel", 0x2FF, true, UINT64_C(0x0000000000000002),
      "the profile records no value (0 stands in): from 0 the flip makes the undefined memory type 2, which x86msr refuses (strict_enum) as the SDM, KVM and Xen do; the per-bit #GP mask calls bit 1 writable" },
    { "AMD", 0x200, true, UINT64_C(0x0000000000000005),
      "the flips make WB (6) the undefined memory types 7 and 2, which x86msr refuses (strict_enum) as the APM, KVM and Xen do; the per-bit #GP mask calls bits 0 and 2 writable" },
    { NULL, 0, false, 0, NULL }
};

static const struct reason *find_reason(const char *profile, uint32_t msr, bool ours_gp)
{
    size_t i;

    for (i = 0; reasons[i].why != NULL; i++)
        if (strncmp(profile, reasons[i].profile, strlen(reasons[i].profile)) == 0 && reasons[i].msr == msr &&
            reasons[i].ours_gp == ours_gp)
            return &reasons[i];
    return NULL;
}

START_TEST(compare_with_real_cpus)
{
    static const struct msr_virt_policy pass_all = { NULL, 0, MSR_VIRT_PASS, MSR_VIRT_PASS, NULL, &msr_spec };
    size_t pi, used_reasons = 0, unexplained = 0, stale = 0;
    unsigned agree = 0, total = 0, differ = 0;

    load();
    for (pi = 0; pi < n_profiles; pi++) {
        struct profile *p = &profiles[pi];
        struct msr_virt_vcpu vcpu;
        size_t ri;

        test_vcpu(&vcpu, &p->cpu, NULL);
        printf("== %s: %zu registers\n", p->name, p->n);
        for (ri = 0; ri < p->n; ri++) {
            const struct record *r = &p->rec[ri];
            uint64_t ours_only = 0, theirs_only = 0;
            unsigned bit, side;

            for (bit = 0; bit < 64; bit++) {
                bool theirs = r->readonly || ((r->gp >> bit) & 1u);
                bool ours = msr_virt_wrmsr(&pass_all, &vcpu, r->msr, r->value ^ (UINT64_C(1) << bit)) ==
                            MSR_VIRT_INJECT_GP;
                total++;
                if (ours == theirs)
                    agree++;
                else if (ours)
                    ours_only |= UINT64_C(1) << bit;
                else
                    theirs_only |= UINT64_C(1) << bit;
            }
            for (side = 0; side < 2; side++) {
                uint64_t bits = side == 0 ? ours_only : theirs_only;
                const struct reason *why;

                if (bits == 0)
                    continue;
                differ += (unsigned)__builtin_popcountll(bits);
                why = find_reason(p->name, r->msr, side == 0);
                printf("  %-22s bits 0x%016" PRIx64 ": %s -- %s\n", r->name, bits,
                       side == 0 ? "x86msr #GP, CPU accepts" : "CPU #GP, x86msr accepts",
                       why != NULL ? why->why : "UNEXPLAINED");
                if (why == NULL) {
                    unexplained++;
                } else {
                    used_reasons++;
                    if (why->bits != bits) {
                        printf("    (the explanation covers 0x%016" PRIx64 ")\n", why->bits);
                        stale++;
                    }
                }
            }
        }
    }
    {
        size_t n_reasons = 0;
        while (reasons[n_reasons].why != NULL)
            n_reasons++;
        printf("%u of %u (register, bit) probes agree; %u differ, in %zu explained groups\n", agree, total, differ,
               used_reasons);
        ck_assert_msg(unexplained == 0, "%zu unexplained differences", unexplained);
        ck_assert_msg(stale == 0, "%zu explanations cover other bits than the differences", stale);
        ck_assert_msg(used_reasons == n_reasons, "%zu explanations no longer needed", n_reasons - used_reasons);
    }
}
END_TEST

static Suite *vbox_suite(void)
{
    Suite *s = suite_create("virt_vbox_profiles");
    TCase *tc = tcase_create("profiles");

    tcase_add_test(tc, compare_with_real_cpus);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* the listing survives Check's fork */
    return test_run_suite(vbox_suite());
}
