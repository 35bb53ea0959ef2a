/*
 * kvm_host --template: a CPU template applied to a KVM vCPU's feature MSRs
 * (docs/guest-state.md, "CPU templates"; CTest kvm_template).
 *
 *  1. KVM_GET_MSR_FEATURE_INDEX_LIST and KVM_GET_MSRS on the system fd: the
 *     feature MSRs this KVM offers a guest, and their values;
 *  2. a template chosen from them at run time: in each feature register the
 *     spec knows (for this host's vendor) as guest state, the first feature
 *     field (merge rule `and`: a feature, a "not affected" promise) the host
 *     offers and a vCPU takes cleared (a probe vCPU in a VM of its own
 *     tries it) -- something a host can give a guest. It is
 *     written as template JSON and checked by the tool's own parser
 *     (template_file.c), which compiles it to msr_template_ops;
 *     msr_template_apply() gives each register's value, and
 *     msr_baseline_exceeds() must find that it asks for nothing the host lacks;
 *  3. KVM_SET_MSRS of those values on a fresh vCPU (CPUID as KVM supports
 *     it, no KVM_RUN yet), checking KVM took every one;
 *  4. KVM_GET_MSRS on the vCPU: each register holds the template's value.
 *
 * =wrong expects the host's value instead of the template's in step 4: the
 * deliberate mistake the readback must catch (CTest WILL_FAIL). Both modes
 * also try a template setting a feature field the host lacks
 * (beyond_the_host()): msr_baseline_exceeds() must flag it.
 * A feature MSR a vCPU refuses even at the host's own value (this project's
 * kvm_pvm host: IA32_ARCH_CAPABILITIES) is left alone, with the reason.
 * Exit 77 where KVM has no feature MSR list or no register a template can change.
 */
#include "kvm_template.h"

#include <cpuid.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <x86msr/guest.h>
#include <x86msr/meta.h>

#include "format.h"
#include "template_file.h"

#define EXIT_SKIP 77

struct feature_reg {
    const struct msr_instance *msr;
    const struct msr_field_info *field; /* the field the template clears */
    uint64_t host;                      /* KVM's value on the system fd */
    uint64_t applied;                   /* msr_template_apply()'s */
    uint64_t fresh;                     /* the fresh vCPU's before KVM_SET_MSRS */
};

static int finish(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int finish(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fputs(code == EXIT_SKIP ? "kvm: SKIP: " : "kvm: FAIL: ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
    return code;
}

/* MSR_VENDOR_AMD on AMD and Hygon hosts, MSR_VENDOR_INTEL otherwise: the
 * vendor whose register an address shared by both names (0x8B). */
static uint32_t host_vendor(void)
{
    unsigned a, b, c, d;

    __cpuid(0, a, b, c, d);
    (void)a;
    return (b == 0x68747541u || b == 0x6f677948u) ? MSR_VENDOR_AMD : MSR_VENDOR_INTEL; /* "Auth", "Hygo" */
}

/* One KVM_GET_MSRS or KVM_SET_MSRS of `n` entries on `fd`: how many KVM did. */
static int msrs_ioctl(int fd, unsigned long request, struct kvm_msr_entry *e, size_t n)
{
    struct kvm_msrs *m = calloc(1, sizeof *m + n * sizeof *e);
    int r;

    if (!m)
        return -1;
    m->nmsrs = (uint32_t)n;
    memcpy(m->entries, e, n * sizeof *e);
    r = ioctl(fd, request, m);
    if (r > 0)
        memcpy(e, m->entries, (size_t)r * sizeof *e);
    free(m);
    return r;
}

/* The first feature field of `def` (merge rule `and`, documented) whose
 * bits the host does not all offer, or NULL. */
static const struct msr_field_info *lacking_field(const struct msr_def *def, uint64_t host)
{
    for (unsigned i = 0; i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        uint64_t mask = msr_field_mask(f);

        if (f->merge == MSR_MERGE_AND && !(f->flags & MSR_FIELD_F_UNDOCUMENTED) && (host & mask) != mask)
            return f;
    }
    return NULL;
}

/*
 * The first feature field of `msr` the host offers that a vCPU (`probe`)
 * takes cleared, or NULL. KVM ties some fields to others beyond what the spec
 * says (PERF_CAPABILITIES' PEBS bits go together): such a field is passed
 * over, and said so.
 */
static const struct msr_field_info *clearable_field(int probe, const struct msr_instance *msr, uint64_t host)
{
    const struct msr_def *def = msr_def_of(msr);

    for (unsigned i = 0; i < def->field_count; i++) {
        const struct msr_field_info *f = msr_def_field(def, i);
        struct kvm_msr_entry e = {.index = msr->address, .data = host & ~msr_field_mask(f)};

        if (f->merge != MSR_MERGE_AND || (f->flags & MSR_FIELD_F_UNDOCUMENTED) ||
            (host & msr_field_mask(f)) != msr_field_mask(f))
            continue;
        if (msrs_ioctl(probe, KVM_SET_MSRS, &e, 1) == 1)
            return f;
        printf("# host: %s.%s cleared: a vCPU refuses it (KVM ties it to other fields), not chosen\n",
               msr_name(msr), field_name(def, f));
    }
    return NULL;
}

/*
 * Step 1 and the choice of step 2: the registers the template changes, and
 * in *beyond the first with a feature the host does not offer (msr NULL: none).
 * A register a vCPU refuses even at the host's own value (`probe`, a vCPU of
 * its own) is left alone and said so: no template can change it on this KVM.
 */
static size_t choose(int kvm, int probe, struct feature_reg *regs, const struct kvm_msr_list *list,
                     struct feature_reg *beyond)
{
    uint32_t vendor = host_vendor();
    size_t n = 0;

    for (uint32_t i = 0; i < list->nmsrs; i++) {
        struct kvm_msr_entry e = {.index = list->indices[i]};
        const struct msr_instance *msr = msr_find_by_address_for_vendor(e.index, vendor);
        const char *why = NULL;

        if (msrs_ioctl(kvm, KVM_GET_MSRS, &e, 1) != 1)
            why = "KVM_GET_MSRS on the system fd refuses it";
        else if (msr == NULL)
            why = "not in the spec";
        else if (!(msr_def_of(msr)->flags & MSR_REG_F_GUEST_STATE))
            why = "no guest state in the spec";
        else if (msrs_ioctl(probe, KVM_SET_MSRS, &e, 1) != 1)
            why = "a vCPU refuses even the host's value (KVM_SET_MSRS)";
        else {
            const struct msr_field_info *lacking = lacking_field(msr_def_of(msr), e.data);

            if (lacking && !beyond->msr)
                *beyond = (struct feature_reg){msr, lacking, e.data, 0, 0};
            if ((regs[n].field = clearable_field(probe, msr, e.data)) == NULL)
                why = "no feature field the host offers that a vCPU takes cleared";
        }
        printf("# host: feature MSR 0x%x %s = 0x%016" PRIx64 "%s%s\n", e.index, msr ? msr_name(msr) : "?",
               (uint64_t)e.data, why ? ": left alone, " : "", why ? why : "");
        if (why)
            continue;
        regs[n].msr = msr;
        regs[n].host = e.data;
        n++;
    }
    return n;
}

/* Step 2: the template as JSON, through the tool's parser. */
static char *template_text(const struct feature_reg *regs, size_t n, const char *value)
{
    size_t size = 64 + n * 160, used;
    char *text = malloc(size);

    if (!text)
        return NULL;
    used = (size_t)snprintf(text, size, "{\"description\": \"kvm_template\", \"registers\": {");
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(text + used, size - used, "%s\n  \"%s\": {\"%s\": \"%s\"}", i ? "," : "",
                                 msr_name(regs[i].msr), field_name(msr_def_of(regs[i].msr), regs[i].field), value);
    snprintf(text + used, size - used, "\n}}\n");
    return text;
}

static int checks_failed;

static void check(bool ok, const char *text, const char *detail)
{
    static int number;

    checks_failed += !ok;
    printf("%s %d - %s%s%s%s\n", ok ? "ok" : "not ok", ++number, text, detail ? " (" : "", detail ? detail : "",
           detail ? ")" : "");
}

/* A fresh VM and vCPU with the CPUID KVM supports (feature MSRs such as
 * ARCH_CAPABILITIES are settable only when the guest's CPUID has them);
 * -1 (and *vm -1, nothing left open) where KVM cannot. */
static int fresh_vcpu(int kvm, int *vm)
{
    uint32_t nent = 256;
    struct kvm_cpuid2 *c = calloc(1, sizeof *c + nent * sizeof c->entries[0]);
    int vcpu = -1;

    *vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (c && *vm >= 0 && (vcpu = ioctl(*vm, KVM_CREATE_VCPU, 0)) >= 0) {
        c->nent = nent;
        if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) < 0 || ioctl(vcpu, KVM_SET_CPUID2, c) < 0) {
            printf("# host: KVM_GET_SUPPORTED_CPUID/KVM_SET_CPUID2: %s\n", strerror(errno));
            close(vcpu);
            vcpu = -1;
        }
    }
    if (vcpu < 0 && *vm >= 0) {
        close(*vm);
        *vm = -1;
    }
    free(c);
    return vcpu;
}

/*
 * The negative control beside =wrong: a template setting a feature field
 * the host does not offer. The library must say it asks for more than the
 * host has (what `x86msr template --from` reports); KVM's answer is shown,
 * not asserted: not every KVM checks every feature MSR's bits.
 */
static void beyond_the_host(int probe, const struct feature_reg *beyond)
{
    struct cpu_template t;
    struct template_error err = {0};
    char *text = template_text(beyond, 1, "set"), what[160], detail[160];
    const struct msr_def *def = msr_def_of(beyond->msr);
    struct kvm_msr_entry e = {.index = beyond->msr->address};
    uint64_t exceeds = 0;

    if (!text || !template_parse(text, strlen(text), &t, &err)) {
        check(false, "the tool's template parser accepts the template beyond the host", err.message);
        free(text);
        return;
    }
    e.data = msr_template_apply(t.ops, t.op_count, e.index, beyond->host);
    exceeds = msr_baseline_exceeds(def, beyond->host, e.data, t.ops[0].clear);
    snprintf(what, sizeof what, "%s: a template setting %s, which the host lacks, asks for more than it has",
             msr_name(beyond->msr), field_name(def, beyond->field));
    snprintf(detail, sizeof detail, "host 0x%016" PRIx64 ", template 0x%016" PRIx64 ", beyond 0x%" PRIx64,
             beyond->host, (uint64_t)e.data, exceeds);
    check(exceeds == msr_field_mask(beyond->field), what, detail);
    printf("# host: KVM_SET_MSRS of that value: %s\n", msrs_ioctl(probe, KVM_SET_MSRS, &e, 1) == 1 ?
           "taken (this KVM does not check that register's bits)" : "refused, as it should be");
    template_free(&t);
    free(text);
}

/* Steps 2 (the values), 3 and 4 for the registers `regs` of the parsed
 * template `t`. Returns the exit status. */
static int apply_on_fresh_vcpu(int kvm, bool wrong, struct feature_reg *regs, size_t n, const struct cpu_template *t)
{
    struct kvm_msr_entry *e = calloc(n, sizeof *e);
    char detail[200];
    int vm, vcpu, r;

    if (!e)
        return finish(1, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const struct msr_def *def = msr_def_of(regs[i].msr);
        const struct msr_template_op *op = template_op(t, regs[i].msr->address);
        char what[120];

        regs[i].applied = msr_template_apply(t->ops, t->op_count, regs[i].msr->address, regs[i].host);
        snprintf(what, sizeof what, "%s: the template clears %s, asks for nothing the host lacks",
                 msr_name(regs[i].msr), field_name(def, regs[i].field));
        snprintf(detail, sizeof detail, "host 0x%016" PRIx64 ", template 0x%016" PRIx64, regs[i].host,
                 regs[i].applied);
        check(op && regs[i].applied == (regs[i].host & ~msr_field_mask(regs[i].field)) &&
              msr_baseline_exceeds(def, regs[i].host, regs[i].applied, op->clear) == 0, what, detail);
        e[i] = (struct kvm_msr_entry){.index = regs[i].msr->address, .data = regs[i].applied};
    }

    /* step 3: a fresh vCPU, before its first KVM_RUN */
    vcpu = fresh_vcpu(kvm, &vm);
    if (vcpu < 0) {
        free(e);
        return finish(EXIT_SKIP, "cannot create a vCPU with KVM's CPUID: %s", strerror(errno));
    }
    for (size_t i = 0; i < n; i++) {
        struct kvm_msr_entry d = {.index = e[i].index};

        regs[i].fresh = msrs_ioctl(vcpu, KVM_GET_MSRS, &d, 1) == 1 ? d.data : 0;
    }
    r = msrs_ioctl(vcpu, KVM_SET_MSRS, e, n);
    snprintf(detail, sizeof detail, "KVM took %d of %zu%s", r, n, r < 0 ? ": error" : "");
    check(r == (int)n, "KVM_SET_MSRS on a fresh vCPU takes every register of the template", detail);
    if (r >= 0 && (size_t)r < n)
        printf("# host: KVM_SET_MSRS stopped at 0x%x = 0x%016" PRIx64 "\n", e[r].index, regs[r].applied);

    /* step 4: read back */
    for (size_t i = 0; i < n; i++)
        e[i] = (struct kvm_msr_entry){.index = regs[i].msr->address};
    r = msrs_ioctl(vcpu, KVM_GET_MSRS, e, n);
    for (size_t i = 0; i < n; i++) {
        uint64_t expected = wrong ? regs[i].host : regs[i].applied;
        char what[120];

        snprintf(what, sizeof what, "the vCPU's %s is the template's value%s", msr_name(regs[i].msr),
                 wrong ? " (=wrong: the host's expected)" : "");
        snprintf(detail, sizeof detail, "read 0x%016" PRIx64 ", expected 0x%016" PRIx64 "; 0x%016" PRIx64
                 " before KVM_SET_MSRS", (uint64_t)e[i].data, expected, regs[i].fresh);
        check(r > (int)i && e[i].data == expected, what, detail);
    }
    close(vcpu);
    close(vm);
    free(e);
    return checks_failed ? 1 : 0;
}

/* Step 2's template, parsed, then the rest. Returns the exit status. */
static int template_and_apply(int kvm, int probe, bool wrong, struct feature_reg *regs, size_t n,
                              const struct feature_reg *beyond)
{
    struct cpu_template t;
    struct template_error err = {0};
    char *text = template_text(regs, n, "clear");
    int rc;

    if (!text)
        return finish(1, "out of memory");
    printf("# host: the template:\n%s", text);
    check(template_parse(text, strlen(text), &t, &err), "the tool's template parser accepts the template",
          err.code ? err.message : NULL);
    free(text);
    if (checks_failed)
        return 1;
    rc = apply_on_fresh_vcpu(kvm, wrong, regs, n, &t);
    template_free(&t);
    if (rc == EXIT_SKIP)
        return rc;
    if (beyond->msr)
        beyond_the_host(probe, beyond);
    else
        printf("# host: no register taken has a feature field the host lacks: no template beyond the host\n");
    return checks_failed ? 1 : 0;
}

int kvm_template_mode(int kvm, bool wrong)
{
    struct kvm_msr_list probe_list = {0}, *list;
    struct feature_reg *regs, beyond = {0};
    size_t n;
    int probe_vm = -1, probe = -1, rc;

    if (ioctl(kvm, KVM_GET_MSR_FEATURE_INDEX_LIST, &probe_list) == 0 || errno != E2BIG)
        return finish(EXIT_SKIP, "KVM has no KVM_GET_MSR_FEATURE_INDEX_LIST");
    list = calloc(1, sizeof *list + probe_list.nmsrs * sizeof list->indices[0]);
    regs = calloc(probe_list.nmsrs + 1, sizeof *regs);
    if (!list || !regs)
        rc = finish(1, "out of memory");
    else if ((list->nmsrs = probe_list.nmsrs, ioctl(kvm, KVM_GET_MSR_FEATURE_INDEX_LIST, list)) < 0)
        rc = finish(1, "KVM_GET_MSR_FEATURE_INDEX_LIST: %s", strerror(errno));
    else if ((probe = fresh_vcpu(kvm, &probe_vm)) < 0)
        rc = finish(EXIT_SKIP, "cannot create a vCPU with KVM's CPUID: %s", strerror(errno));
    else if ((n = choose(kvm, probe, regs, list, &beyond)) == 0)
        rc = finish(EXIT_SKIP, "none of KVM's %u feature MSRs has a feature field the host offers and a "
                    "vCPU takes (nothing a template can change)", list->nmsrs);
    else {
        rc = template_and_apply(kvm, probe, wrong, regs, n, &beyond);
        printf("kvm: %zu register(s) of KVM's %u feature MSRs templated, %d check(s) failed\n", n, list->nmsrs,
               checks_failed);
    }
    if (probe >= 0)
        close(probe);
    if (probe_vm >= 0)
        close(probe_vm);
    free(regs);
    free(list);
    return rc;
}
