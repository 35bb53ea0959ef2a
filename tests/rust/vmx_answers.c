/*
 * The C helpers' answers on one snapshot, as JSON, for tests/rust/compare.py
 * vmx: x86msr_vmx fills the capability snapshot (msr_vmx_caps_from_values),
 * gives each control set's allowed settings (msr_vmx_caps_control_set),
 * adjusts the requests of REQUESTS (msr_vmx_controls_adjust), checks and
 * applies CR0/CR4 values (msr_vmx_cr0_check, ...) and plans
 * IA32_FEATURE_CONTROL (msr_vmx_feature_control_decide). The Rust crate's
 * example vmx (src/rust/examples/vmx.rs) does the same job and prints the
 * same document.
 *
 *     vmx_answers SNAPSHOT REQUESTS
 *
 * SNAPSHOT: the format of `x86msr dump --snapshot` (src/tool/snapshot.h), CPU 0's
 * values. REQUESTS: tests/rust/vmx_requests.txt describes its lines.
 */
#include <x86msr/meta.h>
#include <x86msr/msrs.h>
#include <x86msr/vmx.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 256

static struct msr_vmx_msr_value values[MAX_VALUES];
static size_t value_count;

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "vmx_answers: %s%s\n", what, detail ? detail : "");
    exit(2);
}

static uint64_t number(const char *word)
{
    char *end;
    uint64_t v;

    if (word[0] == '0' && word[1] != 'x' && word[1] != 'X' && word[1] != '\0')
        die("no octal: ", word);
    v = strtoull(word, &end, 0);
    if (*end != '\0' || end == word)
        die("not a number: ", word);
    return v;
}

/* CPU 0's values: those before the first "# cpu N" line, or after "# cpu 0". */
static void load_snapshot(const char *path)
{
    FILE *in = fopen(path, "r");
    char line[1024];
    unsigned cpu = 0;

    if (in == NULL)
        die("cannot open ", path);
    while (fgets(line, sizeof line, in)) {
        char *hash = strchr(line, '#'), *a, *v;

        if (hash != NULL) {
            unsigned n;
            if (sscanf(hash, "# cpu %u", &n) == 1)
                cpu = n;
            *hash = '\0';
        }
        a = strtok(line, " \t\r\n");
        if (a == NULL)
            continue;
        v = strtok(NULL, " \t\r\n");
        if (v == NULL || strtok(NULL, " \t\r\n") != NULL)
            die("expected 'ADDRESS VALUE' in ", path);
        if (cpu != 0)
            continue;
        if (value_count == MAX_VALUES)
            die("too many values in ", path);
        values[value_count].msr = (uint32_t)number(a);
        values[value_count].value = number(v);
        value_count++;
    }
    fclose(in);
}

static const char *status_name(int status)
{
    static char other[32];

    switch (status) {
    case MSR_OK:
        return "ok";
    case MSR_VMX_ERR_UNSUPPORTED:
        return "unsupported";
    case MSR_VMX_ERR_DISABLED:
        return "disabled";
    case MSR_ERR_INVALID:
        return "invalid";
    default:
        snprintf(other, sizeof other, "status %d", status);
        return other;
    }
}

static int set_by_name(const char *name)
{
    size_t i;

    for (i = 0; i < msr_vmx_control_set_count; i++)
        if (strcmp(msr_vmx_control_sets[i].name, name) == 0)
            return (int)i;
    die("no control set named ", name);
    return -1;
}

static uint64_t bit_by_name(int set, const char *name)
{
    const struct msr_vmx_control_set_info *s = &msr_vmx_control_sets[set];
    uint16_t i;

    if (strcmp(name, "ALL") == 0)
        return msr_vmx_control_set_named_mask((enum msr_vmx_control_set_id)set);
    for (i = 0; i < s->bit_count; i++)
        if (strcmp(s->bits[i].name, name) == 0)
            return UINT64_C(1) << s->bits[i].bit;
    die("no control named ", name);
    return 0;
}

static const struct msr_vmx_caps *caps_for_output;
static int first_request = 1, first_cr = 1, first_fc = 1;
static char requests_json[1 << 16], cr_json[1 << 14], fc_json[1 << 13];

#define APPEND(buf, ...) snprintf((buf) + strlen(buf), sizeof(buf) - strlen(buf), __VA_ARGS__)

static void finish_request(const char *name, const struct msr_vmx_controls_request *req)
{
    struct msr_vmx_controls out;
    int status = msr_vmx_controls_adjust(caps_for_output, req, &out);
    unsigned i;

    APPEND(requests_json, "%s{\"name\":\"%s\",\"status\":\"%s\",\"sets\":{", first_request ? "" : ",", name,
           status_name(status));
    for (i = 0; i < MSR_VMX_CTLS_COUNT; i++) {
        const struct msr_vmx_adjusted *a = &out.set[i];
        APPEND(requests_json,
               "%s\"%s\":{\"value\":%" PRIu64 ",\"unsupported\":%" PRIu64 ",\"dropped\":%" PRIu64
               ",\"forced\":%" PRIu64 "}",
               i ? "," : "", msr_vmx_control_sets[i].name, a->value, a->unsupported, a->dropped, a->forced);
    }
    APPEND(requests_json, "}}");
    first_request = 0;
}

static void cr_line(unsigned cr, uint64_t value, int unrestricted)
{
    struct msr_vmx_cr_check check;
    uint64_t applied;
    int status, applied_status;

    if (cr == 0) {
        status = msr_vmx_cr0_check(caps_for_output, value, unrestricted != 0, &check);
        applied_status = msr_vmx_cr0_apply(caps_for_output, value, unrestricted != 0, &applied);
    } else {
        status = msr_vmx_cr4_check(caps_for_output, value, &check);
        applied_status = msr_vmx_cr4_apply(caps_for_output, value, &applied);
    }
    APPEND(cr_json,
           "%s{\"cr\":%u,\"value\":%" PRIu64 ",\"unrestricted\":%s,\"status\":\"%s\",\"missing\":%" PRIu64
           ",\"forbidden\":%" PRIu64 ",\"applied\":%" PRIu64 ",\"apply_status\":\"%s\"}",
           first_cr ? "" : ",", cr, value, unrestricted ? "true" : "false", status_name(status), check.missing,
           check.forbidden, applied, status_name(applied_status));
    first_cr = 0;
}

static void feature_control_line(const char *word)
{
    struct msr_vmx_feature_control_plan plan;
    uint64_t current = 0;
    int status;
    size_t i;
    int found = 0;

    if (strcmp(word, "snapshot") == 0) {
        for (i = 0; i < value_count; i++)
            if (values[i].msr == MSR_IA32_FEATURE_CONTROL_ADDR) {
                current = values[i].value;
                found = 1;
            }
        if (!found) {
            APPEND(fc_json, "%s{\"current\":null}", first_fc ? "" : ",");
            first_fc = 0;
            return;
        }
    } else {
        current = number(word);
    }
    status = msr_vmx_feature_control_decide(current, false, false, &plan);
    APPEND(fc_json,
           "%s{\"current\":%" PRIu64 ",\"status\":\"%s\",\"write\":%s,\"value\":%" PRIu64
           ",\"vmx_outside_smx\":%s,\"vmx_inside_smx\":%s}",
           first_fc ? "" : ",", current, status_name(status), plan.write ? "true" : "false", plan.value,
           plan.vmx_outside_smx ? "true" : "false", plan.vmx_inside_smx ? "true" : "false");
    first_fc = 0;
}

static void run_requests(const char *path)
{
    FILE *in = fopen(path, "r");
    char line[1024], name[128] = "";
    struct msr_vmx_controls_request req;
    int open_request = 0;

    if (in == NULL)
        die("cannot open ", path);
    while (fgets(line, sizeof line, in)) {
        char *hash = strchr(line, '#'), *w;

        if (hash != NULL)
            *hash = '\0';
        w = strtok(line, " \t\r\n");
        if (w == NULL)
            continue;
        if (strcmp(w, "request") == 0 || strcmp(w, "cr0") == 0 || strcmp(w, "cr4") == 0 ||
            strcmp(w, "feature_control") == 0) {
            if (open_request)
                finish_request(name, &req);
            open_request = 0;
        }
        if (strcmp(w, "request") == 0) {
            char *n = strtok(NULL, " \t\r\n");
            if (n == NULL || strlen(n) >= sizeof name)
                die("a request needs a name in ", path);
            strcpy(name, n);
            memset(&req, 0, sizeof req);
            open_request = 1;
        } else if (strcmp(w, "cr0") == 0 || strcmp(w, "cr4") == 0) {
            char *v = strtok(NULL, " \t\r\n"), *mode = strtok(NULL, " \t\r\n");
            if (v == NULL)
                die("a CR line needs a value in ", path);
            cr_line(w[2] == '0' ? 0 : 4, number(v), mode != NULL && strcmp(mode, "unrestricted") == 0);
        } else if (strcmp(w, "feature_control") == 0) {
            char *v = strtok(NULL, " \t\r\n");
            if (v == NULL)
                die("feature_control needs a value in ", path);
            feature_control_line(v);
        } else {
            int set;
            char *kind = strtok(NULL, " \t\r\n"), *b;
            uint64_t *bits;
            if (!open_request || kind == NULL)
                die("a set line outside a request in ", path);
            set = set_by_name(w);
            if (strcmp(kind, "required") == 0)
                bits = &req.required[set];
            else if (strcmp(kind, "optional") == 0)
                bits = &req.optional[set];
            else
                die("required or optional, not ", kind);
            while ((b = strtok(NULL, " \t\r\n")) != NULL)
                *bits |= bit_by_name(set, b);
        }
    }
    if (open_request)
        finish_request(name, &req);
    fclose(in);
}

int main(int argc, char **argv)
{
    struct msr_vmx_caps caps;
    int status;
    unsigned i;

    if (argc != 3)
        die("usage: vmx_answers SNAPSHOT REQUESTS", NULL);
    load_snapshot(argv[1]);
    status = msr_vmx_caps_from_values(&caps, values, value_count);
    caps_for_output = &caps;
    printf("{\"caps_status\":\"%s\",\"msrs\":[", status_name(status));
    for (i = 0; i < MSR_VMX_CAP_COUNT; i++) {
        static int first = 1;
        if (!msr_vmx_caps_has(&caps, (enum msr_vmx_cap_msr)i))
            continue;
        printf("%s{\"address\":%" PRIu32 ",\"value\":%" PRIu64 "}", first ? "" : ",",
               msr_vmx_cap_msr_address((enum msr_vmx_cap_msr)i), caps.value[i]);
        first = 0;
    }
    {
        msr_ia32_vmx_basic_t basic = {caps.value[MSR_VMX_CAP_BASIC]};
        printf("],\"basic\":{\"revision_id\":%" PRIu64 ",\"vmcs_size\":%" PRIu64 ",\"memory_type\":%" PRIu64
               ",\"true_controls\":%s},",
               (uint64_t)MSR_GET(IA32_VMX_BASIC, REVISION_ID, basic), (uint64_t)MSR_GET(IA32_VMX_BASIC, VMCS_SIZE, basic),
               (uint64_t)MSR_GET(IA32_VMX_BASIC, MEMORY_TYPE, basic),
               MSR_GET(IA32_VMX_BASIC, TRUE_CONTROLS, basic) ? "true" : "false");
    }
    printf("\"sets\":{");
    for (i = 0; i < MSR_VMX_CTLS_COUNT; i++) {
        struct msr_vmx_control_caps cc;
        int present = msr_vmx_caps_control_set(&caps, (enum msr_vmx_control_set_id)i, &cc) == MSR_OK;
        printf("%s\"%s\":{\"present\":%s,\"true\":%s,\"allowed0\":%" PRIu64 ",\"allowed1\":%" PRIu64
               ",\"defaults\":%" PRIu64 "}",
               i ? "," : "", msr_vmx_control_sets[i].name, present ? "true" : "false", cc.has_true ? "true" : "false",
               cc.allowed0, cc.allowed1, cc.defaults);
    }
    printf("},\"fixed\":{\"cr0_fixed0\":%" PRIu64 ",\"cr0_fixed1\":%" PRIu64 ",\"cr4_fixed0\":%" PRIu64
           ",\"cr4_fixed1\":%" PRIu64 "},",
           caps.value[MSR_VMX_CAP_CR0_FIXED0], caps.value[MSR_VMX_CAP_CR0_FIXED1], caps.value[MSR_VMX_CAP_CR4_FIXED0],
           caps.value[MSR_VMX_CAP_CR4_FIXED1]);
    run_requests(argv[2]);
    printf("\"requests\":[%s],\"cr\":[%s],\"feature_control\":[%s]}\n", requests_json, cr_json, fc_json);
    return 0;
}
