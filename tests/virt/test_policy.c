/*
 * The policy table: first match wins, msr_virt_policy_check() refuses every
 * malformed policy and names the entries, the error text.
 */
#include <stdlib.h>
#include <string.h>

#include "virt_fixture.h"

static const struct msr_virt_emulator half_emulator = { NULL, NULL };

static void expect_error(const struct msr_virt_policy *p, int status, size_t entry, size_t other, const char *rule_part)
{
    struct msr_virt_policy_error e;
    char text[256];

    ck_assert_int_eq(msr_virt_policy_check(p, &e), status);
    ck_assert_uint_eq(e.entry, entry);
    ck_assert_uint_eq(e.other, other);
    ck_assert_ptr_nonnull(e.rule);
    ck_assert_msg(strstr(e.rule, rule_part) != NULL, "rule '%s' lacks '%s'", e.rule, rule_part);
    ck_assert_uint_gt(msr_virt_policy_error_describe(p, &e, text, sizeof text), 0);
    ck_assert_ptr_nonnull(strstr(text, rule_part));
}

START_TEST(first_match_wins)
{
    static const struct msr_virt_entry entries[] = {
        MSR_VIRT_ONE(0x830, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE), /* the exception before the range */
        MSR_VIRT_RANGE(0x800, 0x8FF, MSR_VIRT_PASS, MSR_VIRT_PASS),
        MSR_VIRT_RANGE(0x8F0, 0x900, MSR_VIRT_IGNORE, MSR_VIRT_DENY), /* partly shadowed: allowed */
    };
    const struct msr_virt_policy p = { entries, 3, MSR_VIRT_DENY, MSR_VIRT_PASS, &test_emulator, &msr_spec };

    ck_assert_int_eq(msr_virt_policy_check(&p, NULL), MSR_OK);
    ck_assert_ptr_eq(msr_virt_policy_lookup(&p, 0x830), &entries[0]);
    ck_assert_ptr_eq(msr_virt_policy_lookup(&p, 0x82F), &entries[1]);
    ck_assert_ptr_eq(msr_virt_policy_lookup(&p, 0x8FF), &entries[1]);
    ck_assert_ptr_eq(msr_virt_policy_lookup(&p, 0x900), &entries[2]);
    ck_assert_ptr_null(msr_virt_policy_lookup(&p, 0x901));
    ck_assert_ptr_null(msr_virt_policy_lookup(NULL, 0x830));
    ck_assert_int_eq(msr_virt_policy_action(&p, 0x830, MSR_VMX_INTERCEPT_READ), MSR_VIRT_EMULATE);
    ck_assert_int_eq(msr_virt_policy_action(&p, 0x831, MSR_VMX_INTERCEPT_WRITE), MSR_VIRT_PASS);
    ck_assert_int_eq(msr_virt_policy_action(&p, 0x900, MSR_VMX_INTERCEPT_READ), MSR_VIRT_IGNORE);
    ck_assert_int_eq(msr_virt_policy_action(&p, 0x900, MSR_VMX_INTERCEPT_WRITE), MSR_VIRT_DENY);
    ck_assert_int_eq(msr_virt_policy_action(&p, 0x901, MSR_VMX_INTERCEPT_READ), MSR_VIRT_DENY);
    ck_assert_int_eq(msr_virt_policy_action(&p, 0x901, MSR_VMX_INTERCEPT_WRITE), MSR_VIRT_PASS);
    ck_assert_int_eq(msr_virt_policy_action(&p, 0x901, MSR_VMX_INTERCEPT_READ_WRITE), MSR_VIRT_DENY);
    ck_assert_int_eq(msr_virt_policy_action(NULL, 0x901, MSR_VMX_INTERCEPT_WRITE), MSR_VIRT_DENY);
}
END_TEST

START_TEST(zero_policy_denies_everything)
{
    struct msr_virt_policy p;
    memset(&p, 0, sizeof p);
    ck_assert_int_eq(msr_virt_policy_check(&p, NULL), MSR_OK);
    ck_assert_int_eq(msr_virt_policy_action(&p, 0xC0000080, MSR_VMX_INTERCEPT_READ), MSR_VIRT_DENY);
    ck_assert_int_eq(msr_virt_policy_action(&p, 0, MSR_VMX_INTERCEPT_WRITE), MSR_VIRT_DENY);
}
END_TEST

START_TEST(check_errors)
{
    struct msr_virt_policy_error e;
    struct msr_virt_entry bad[3];
    struct msr_virt_policy p = { bad, 1, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, &msr_spec };
    const size_t none = MSR_VIRT_NO_ENTRY;
    struct msr_field_info dummy;

    (void)dummy;
    /* NULL policy, NULL entries. */
    ck_assert_int_eq(msr_virt_policy_check(NULL, &e), MSR_ERR_INVALID);
    ck_assert_ptr_nonnull(e.rule);
    ck_assert_int_eq(msr_virt_policy_check(NULL, NULL), MSR_ERR_INVALID);
    {
        struct msr_virt_policy q = { NULL, 2, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, &msr_spec };
        expect_error(&q, MSR_ERR_INVALID, none, none, "entries is NULL");
    }

    /* Defaults. */
    p.count = 0;
    p.default_read = (enum msr_virt_action)5;
    expect_error(&p, MSR_VIRT_ERR_POLICY, none, none, "outside enum");
    p.default_read = MSR_VIRT_FIXED;
    expect_error(&p, MSR_VIRT_ERR_POLICY, none, none, "cannot be FIXED");
    p.default_read = MSR_VIRT_EMULATE;
    expect_error(&p, MSR_VIRT_ERR_POLICY, none, none, "EMULATE default");
    p.default_read = MSR_VIRT_DENY;
    p.emulator = &half_emulator;
    expect_error(&p, MSR_VIRT_ERR_POLICY, none, none, "policy's emulator lacks");
    p.emulator = NULL;

    /* Entries. */
    p.count = 1;
    bad[0] = (struct msr_virt_entry)MSR_VIRT_RANGE(0x20, 0x10, MSR_VIRT_PASS, MSR_VIRT_PASS);
    expect_error(&p, MSR_VIRT_ERR_POLICY, 0, none, "first is above last");
    bad[0] = (struct msr_virt_entry)MSR_VIRT_ONE(0x10, (enum msr_virt_action)7, MSR_VIRT_PASS);
    expect_error(&p, MSR_VIRT_ERR_POLICY, 0, none, "outside enum");
    bad[0] = (struct msr_virt_entry)MSR_VIRT_ONE(0x10, MSR_VIRT_PASS, (enum msr_virt_action)-1);
    expect_error(&p, MSR_VIRT_ERR_POLICY, 0, none, "outside enum");
    bad[0] = (struct msr_virt_entry)MSR_VIRT_ONE(0x10, MSR_VIRT_PASS, MSR_VIRT_PASS);
    bad[0].flags = 0x80;
    expect_error(&p, MSR_VIRT_ERR_POLICY, 0, none, "unknown flags");
    bad[0] = (struct msr_virt_entry)MSR_VIRT_ONE(0x10, MSR_VIRT_PASS, MSR_VIRT_EMULATE);
    expect_error(&p, MSR_VIRT_ERR_POLICY, 0, none, "EMULATE needs an emulator");
    bad[0].emulator = &half_emulator;
    expect_error(&p, MSR_VIRT_ERR_POLICY, 0, none, "EMULATE needs an emulator");
    bad[0] = (struct msr_virt_entry)MSR_VIRT_ONE(0x10, MSR_VIRT_PASS, MSR_VIRT_PASS);
    bad[0].emulator = &half_emulator;
    expect_error(&p, MSR_VIRT_ERR_POLICY, 0, none, "entry's emulator lacks");
    bad[0] = (struct msr_virt_entry)MSR_VIRT_RANGE(0x10, 0x11, MSR_VIRT_PASS, MSR_VIRT_PASS);
    bad[0].def = MSR_DEF(IA32_TIME_STAMP_COUNTER);
    expect_error(&p, MSR_VIRT_ERR_POLICY, 0, none, "def on a range");
    bad[0] = (struct msr_virt_entry)MSR_VIRT_ONE(0x11, MSR_VIRT_PASS, MSR_VIRT_PASS);
    bad[0].def = MSR_DEF(IA32_TIME_STAMP_COUNTER);
    expect_error(&p, MSR_VIRT_ERR_POLICY, 0, none, "def describes other MSRs");

    /* Shadowed entries: by one earlier entry, and by the union of two. */
    p.count = 2;
    bad[0] = (struct msr_virt_entry)MSR_VIRT_RANGE(0x0, 0x1FFF, MSR_VIRT_PASS, MSR_VIRT_PASS);
    bad[1] = (struct msr_virt_entry)MSR_VIRT_ONE(0x10, MSR_VIRT_DENY, MSR_VIRT_DENY);
    expect_error(&p, MSR_VIRT_ERR_POLICY, 1, 0, "can never apply");
    p.count = 3;
    bad[0] = (struct msr_virt_entry)MSR_VIRT_RANGE(0x100, 0x1FF, MSR_VIRT_PASS, MSR_VIRT_PASS);
    bad[1] = (struct msr_virt_entry)MSR_VIRT_RANGE(0x200, 0x2FF, MSR_VIRT_DENY, MSR_VIRT_DENY);
    bad[2] = (struct msr_virt_entry)MSR_VIRT_RANGE(0x180, 0x27F, MSR_VIRT_IGNORE, MSR_VIRT_IGNORE);
    expect_error(&p, MSR_VIRT_ERR_POLICY, 2, 0, "can never apply");
    /* One MSR more and it applies there. */
    bad[2].last = 0x300;
    ck_assert_int_eq(msr_virt_policy_check(&p, &e), MSR_OK);
    ck_assert_ptr_null(e.rule);
    /* Up to the last MSR. */
    p.count = 2;
    bad[0] = (struct msr_virt_entry)MSR_VIRT_RANGE(0xFFFFFF00u, 0xFFFFFFFFu, MSR_VIRT_PASS, MSR_VIRT_PASS);
    bad[1] = (struct msr_virt_entry)MSR_VIRT_ONE(0xFFFFFFFFu, MSR_VIRT_DENY, MSR_VIRT_DENY);
    expect_error(&p, MSR_VIRT_ERR_POLICY, 1, 0, "can never apply");
}
END_TEST

/* An entry's def must describe every MSR of the entry. */
static void expect_def(uint32_t first, uint32_t last, const struct msr_def *def, const char *rule_part)
{
    struct msr_virt_entry e[1] = { MSR_VIRT_RANGE(first, last, MSR_VIRT_PASS, MSR_VIRT_PASS) };
    const struct msr_virt_policy p = { e, 1, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, NULL };

    e[0].def = def;
    if (rule_part == NULL)
        ck_assert_int_eq(msr_virt_policy_check(&p, NULL), MSR_OK);
    else
        expect_error(&p, MSR_VIRT_ERR_POLICY, 0, MSR_VIRT_NO_ENTRY, rule_part);
}

START_TEST(def_describes_the_entry)
{
    const struct msr_def *mc_ctl = MSR_DEF(IA32_MCx_CTL);   /* 400H, stride 4 */
    const struct msr_def *mc_ctl2 = MSR_DEF(IA32_MCx_CTL2); /* 280H, stride 1 */
    const char *single = "def describes other MSRs";
    const char *range = "def on a range";

    ck_assert_uint_eq(mc_ctl->stride, 4);
    ck_assert_uint_eq(mc_ctl2->stride, 1);
    /* A plain register: its address only. */
    expect_def(MSR_IA32_EFER_ADDR, MSR_IA32_EFER_ADDR, MSR_DEF(IA32_EFER), NULL);
    expect_def(MSR_IA32_EFER_ADDR + 1, MSR_IA32_EFER_ADDR + 1, MSR_DEF(IA32_EFER), single);
    expect_def(MSR_IA32_EFER_ADDR - 1, MSR_IA32_EFER_ADDR - 1, MSR_DEF(IA32_EFER), single);
    expect_def(MSR_IA32_EFER_ADDR, MSR_IA32_EFER_ADDR + 1, MSR_DEF(IA32_EFER), range);
    /* One instance of an array, any stride; not between instances, before
     * the first or past the last. */
    expect_def(MSR_IA32_MCx_CTL_ADDR(0), MSR_IA32_MCx_CTL_ADDR(0), mc_ctl, NULL);
    expect_def(MSR_IA32_MCx_CTL_ADDR(3), MSR_IA32_MCx_CTL_ADDR(3), mc_ctl, NULL);
    expect_def(MSR_IA32_MCx_CTL_ADDR(MSR_IA32_MCx_CTL_COUNT - 1), MSR_IA32_MCx_CTL_ADDR(MSR_IA32_MCx_CTL_COUNT - 1),
               mc_ctl, NULL);
    expect_def(MSR_IA32_MCx_CTL_ADDR(3) + 1, MSR_IA32_MCx_CTL_ADDR(3) + 1, mc_ctl, single);
    expect_def(MSR_IA32_MCx_CTL_ADDR(0) - 4, MSR_IA32_MCx_CTL_ADDR(0) - 4, mc_ctl, single);
    expect_def(MSR_IA32_MCx_CTL_ADDR(MSR_IA32_MCx_CTL_COUNT), MSR_IA32_MCx_CTL_ADDR(MSR_IA32_MCx_CTL_COUNT), mc_ctl,
               single);
    /* A range: instances of a stride-1 array, all or some of them. */
    expect_def(MSR_IA32_MCx_CTL_ADDR(0), MSR_IA32_MCx_CTL_ADDR(1), mc_ctl, range);
    expect_def(MSR_IA32_MCx_CTL2_ADDR(0), MSR_IA32_MCx_CTL2_ADDR(MSR_IA32_MCx_CTL2_COUNT - 1), mc_ctl2, NULL);
    expect_def(MSR_IA32_MCx_CTL2_ADDR(2), MSR_IA32_MCx_CTL2_ADDR(5), mc_ctl2, NULL);
    expect_def(MSR_IA32_MCx_CTL2_ADDR(0) - 1, MSR_IA32_MCx_CTL2_ADDR(3), mc_ctl2, range);
    expect_def(MSR_IA32_MCx_CTL2_ADDR(2), MSR_IA32_MCx_CTL2_ADDR(MSR_IA32_MCx_CTL2_COUNT), mc_ctl2, range);
    expect_def(MSR_IA32_MCx_CTL2_ADDR(7), MSR_IA32_MCx_CTL2_ADDR(7), mc_ctl2, NULL);
    expect_def(MSR_IA32_MCx_CTL2_ADDR(MSR_IA32_MCx_CTL2_COUNT), MSR_IA32_MCx_CTL2_ADDR(MSR_IA32_MCx_CTL2_COUNT),
               mc_ctl2, single);
}
END_TEST

START_TEST(initializers)
{
    static const struct msr_virt_entry e[] = {
        MSR_VIRT_REG(IA32_EFER, MSR_VIRT_PASS, MSR_VIRT_DENY),
        MSR_VIRT_ARRAY(IA32_MCx_CTL2, MSR_VIRT_EMULATE, MSR_VIRT_IGNORE),
        MSR_VIRT_ONE(0x10, MSR_VIRT_IGNORE, MSR_VIRT_DENY),
        MSR_VIRT_RANGE(0x20, 0x2F, MSR_VIRT_DENY, MSR_VIRT_PASS),
        MSR_VIRT_CONSTANT(0x17, 0x1234),
    };
    const struct msr_virt_policy p = { e, 5, MSR_VIRT_DENY, MSR_VIRT_DENY, &test_emulator, &msr_spec };

    ck_assert_uint_eq(e[0].first, 0xC0000080u);
    ck_assert_uint_eq(e[0].last, 0xC0000080u);
    ck_assert_int_eq(e[0].read, MSR_VIRT_PASS);
    ck_assert_int_eq(e[0].write, MSR_VIRT_DENY);
    ck_assert_uint_eq(e[0].flags, 0);
    ck_assert_ptr_null(e[0].emulator);
    ck_assert_ptr_eq(e[0].def, MSR_DEF(IA32_EFER));
    ck_assert_ptr_eq(e[0].def, msr_def_of(msr_find_by_address(0xC0000080u)));
    ck_assert_uint_eq(e[1].first, 0x280u);
    ck_assert_uint_eq(e[1].last, 0x280u + MSR_IA32_MCx_CTL2_COUNT - 1u);
    ck_assert_int_eq(e[1].read, MSR_VIRT_EMULATE);
    ck_assert_int_eq(e[1].write, MSR_VIRT_IGNORE);
    ck_assert_ptr_eq(e[1].def, MSR_DEF(IA32_MCx_CTL2));
    ck_assert_ptr_eq(e[1].def, msr_def_of(msr_find_by_address(0x281u)));
    ck_assert_ptr_null(e[2].def);
    ck_assert_ptr_null(e[3].def);
    ck_assert_ptr_null(e[4].def);
    ck_assert_uint_eq(e[4].value, 0x1234);
    ck_assert_int_eq(msr_virt_policy_check(&p, NULL), MSR_OK);
    ck_assert_ptr_eq(msr_virt_policy_lookup(&p, 0x280u + MSR_IA32_MCx_CTL2_COUNT - 1u), &e[1]);
    ck_assert_ptr_null(msr_virt_policy_lookup(&p, 0x280u + MSR_IA32_MCx_CTL2_COUNT));
}
END_TEST

/* Without a spec, PASS and EMULATE need a register to check against. */
START_TEST(no_spec_needs_records)
{
    struct msr_virt_entry e[2];
    struct msr_virt_policy p = { e, 1, MSR_VIRT_DENY, MSR_VIRT_DENY, &test_emulator, NULL };
    const size_t none = MSR_VIRT_NO_ENTRY;
    const char *entry_rule = "the entry names no register (def) and the policy's spec is NULL";

    /* Entries that name their registers: no spec needed. */
    e[0] = (struct msr_virt_entry)MSR_VIRT_REG(IA32_EFER, MSR_VIRT_PASS, MSR_VIRT_EMULATE);
    e[1] = (struct msr_virt_entry)MSR_VIRT_ARRAY(IA32_MCx_CTL2, MSR_VIRT_EMULATE, MSR_VIRT_EMULATE);
    p.count = 2;
    ck_assert_int_eq(msr_virt_policy_check(&p, NULL), MSR_OK);
    /* By address: refused for PASS or EMULATE in either direction ... */
    e[1] = (struct msr_virt_entry)MSR_VIRT_ONE(0x1A0, MSR_VIRT_DENY, MSR_VIRT_PASS);
    expect_error(&p, MSR_VIRT_ERR_POLICY, 1, none, entry_rule);
    e[1] = (struct msr_virt_entry)MSR_VIRT_RANGE(0x200, 0x2FF, MSR_VIRT_EMULATE, MSR_VIRT_IGNORE);
    expect_error(&p, MSR_VIRT_ERR_POLICY, 1, none, entry_rule);
    /* ... unless the entry turns the checks off, or has none to run. */
    e[1].flags = MSR_VIRT_NO_SPEC_CHECKS;
    ck_assert_int_eq(msr_virt_policy_check(&p, NULL), MSR_OK);
    e[1] = (struct msr_virt_entry)MSR_VIRT_RANGE(0x200, 0x2FF, MSR_VIRT_IGNORE, MSR_VIRT_DENY);
    ck_assert_int_eq(msr_virt_policy_check(&p, NULL), MSR_OK);
    e[1] = (struct msr_virt_entry)MSR_VIRT_CONSTANT(0x17, 0);
    ck_assert_int_eq(msr_virt_policy_check(&p, NULL), MSR_OK);
    /* The same entry with the policy's spec. */
    e[1] = (struct msr_virt_entry)MSR_VIRT_ONE(0x1A0, MSR_VIRT_DENY, MSR_VIRT_PASS);
    p.spec = &msr_spec;
    ck_assert_int_eq(msr_virt_policy_check(&p, NULL), MSR_OK);
    /* PASS or EMULATE defaults need the spec. */
    p.count = 1;
    p.default_write = MSR_VIRT_PASS;
    ck_assert_int_eq(msr_virt_policy_check(&p, NULL), MSR_OK);
    p.spec = NULL;
    expect_error(&p, MSR_VIRT_ERR_POLICY, none, none, "a PASS or EMULATE default needs the policy's spec");
    p.default_write = MSR_VIRT_IGNORE;
    p.default_read = MSR_VIRT_EMULATE;
    expect_error(&p, MSR_VIRT_ERR_POLICY, none, none, "a PASS or EMULATE default needs the policy's spec");
    p.default_read = MSR_VIRT_IGNORE;
    ck_assert_int_eq(msr_virt_policy_check(&p, NULL), MSR_OK);
}
END_TEST

START_TEST(describe)
{
    static const struct msr_virt_entry entries[] = {
        MSR_VIRT_RANGE(0x0, 0x1FFF, MSR_VIRT_PASS, MSR_VIRT_PASS),
        MSR_VIRT_ONE(0x1A0, MSR_VIRT_DENY, MSR_VIRT_DENY),
    };
    const struct msr_virt_policy p = { entries, 2, MSR_VIRT_DENY, MSR_VIRT_DENY, NULL, &msr_spec };
    struct msr_virt_policy_error e;
    char text[256], tiny[8];
    size_t n;

    ck_assert_int_eq(msr_virt_policy_check(&p, &e), MSR_VIRT_ERR_POLICY);
    n = msr_virt_policy_error_describe(&p, &e, text, sizeof text);
    ck_assert_str_eq(text, "entry 1 (0x1A0..0x1A0): earlier entries contain every MSR of this one (the first "
                           "match wins): it can never apply; see entry 0 (0x0..0x1FFF)\n");
    ck_assert_uint_eq(n, strlen(text));
    /* Truncation, length-only, no error. */
    ck_assert_uint_eq(msr_virt_policy_error_describe(&p, &e, tiny, sizeof tiny), n);
    ck_assert_str_eq(tiny, "entry 1");
    ck_assert_uint_eq(msr_virt_policy_error_describe(&p, &e, NULL, 0), n);
    e.rule = NULL;
    ck_assert_uint_eq(msr_virt_policy_error_describe(&p, &e, text, sizeof text), 0);
    ck_assert_str_eq(text, "");
    ck_assert_uint_eq(msr_virt_policy_error_describe(&p, NULL, text, sizeof text), 0);
    /* The policy itself, and an entry index without the table. */
    e.entry = MSR_VIRT_NO_ENTRY;
    e.other = MSR_VIRT_NO_ENTRY;
    e.rule = "x";
    msr_virt_policy_error_describe(&p, &e, text, sizeof text);
    ck_assert_str_eq(text, "policy: x\n");
    e.entry = 5;
    msr_virt_policy_error_describe(NULL, &e, text, sizeof text);
    ck_assert_str_eq(text, "entry 5: x\n");
}
END_TEST

static Suite *policy_suite(void)
{
    Suite *s = suite_create("virt_policy");
    TCase *tc = tcase_create("policy");

    tcase_add_test(tc, first_match_wins);
    tcase_add_test(tc, zero_policy_denies_everything);
    tcase_add_test(tc, check_errors);
    tcase_add_test(tc, def_describes_the_entry);
    tcase_add_test(tc, initializers);
    tcase_add_test(tc, no_spec_needs_records);
    tcase_add_test(tc, describe);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(policy_suite());
}
