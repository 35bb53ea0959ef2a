"""Guest state as spec data (issue 23): `guest_state` (where a VMM carries a
register), `restore_after` (registers restored first, with the reason),
`volatile` and `merge` fields. Each is declared once in codegen/schema.py and
goes through the attribute model; these tests check what the model and the
C tables carry, and what the real spec marks."""

import os
import re
import unittest

from codegen import schema

from .spec_builder import Build, msr
from .support import REPO, build_model
from .test_field_attributes import generated_table, record

REAL = os.path.join(REPO, "spec", "msrs.yaml")


def generated_text():
    with open(os.path.join(REPO, "generated", "src", "msr_text.c"), encoding="utf-8") as f:
        return f.read()


class GuestStateInTheModel(Build):
    def test_carrier_and_order_carried(self):
        m = self.build(
            msr("TEST_CAP", "0x10", extra="guest_state: feature"),
            msr("TEST_CTR{n}", "0x20", extra="count: 2\nguest_state: msr"),
            msr("TEST_CTL", "0x30", extra='guest_state: msr\nrestore_after: {msrs: [TEST_CAP, "TEST_CTR{n}"], '
                                          'why: "It  needs\n      both."}'))
        ctl = m.msr("TEST_CTL")
        self.assertTrue(ctl.has("guest_state") and ctl.has("restore_after"))
        self.assertEqual(ctl.value("guest_state"), "msr")
        self.assertEqual(ctl.value("restore_after"), (("TEST_CAP", "TEST_CTR{n}"), "It needs both."))
        self.assertEqual(m.msr("TEST_CAP").value("guest_state"), "feature")
        self.assertFalse(m.msr("TEST_CAP").has("restore_after"))

    def test_volatile_and_merge_fields(self):
        fields = ('      - {name: TIME, bits: "31:0", volatile: true, merge: min, description: "Time."}\n'
                  '      - {name: FEAT, bits: 32, merge: and, description: "A feature."}\n'
                  '      - {name: FMT, bits: "39:36", description: "A format."}\n')
        m = self.build(msr("TEST_CAP", "0x10", extra="guest_state: feature", fields=fields)).msr("TEST_CAP")
        self.assertEqual({f.name: f.value("merge") for f in m.fields}, {"TIME": "min", "FEAT": "and", "FMT": None})
        self.assertEqual({f.name for f in m.fields if f.has("volatile")}, {"TIME"})

    def test_merge_on_a_setup_register(self):
        m = self.build(msr("TEST_CAP", "0x10", extra="guest_state: setup",
                           fields='      - {name: COUNT, bits: "7:0", merge: min, description: "Banks."}\n'))
        self.assertEqual(m.msr("TEST_CAP").fields[0].value("merge"), "min")

    def test_order_between_carriers(self):
        """A register may name one carried earlier (a feature MSR), not later."""
        self.build(msr("TEST_CAP", "0x10", extra="guest_state: feature"),
                   msr("TEST_SREG", "0x11", extra='guest_state: sregs\nrestore_after: {msrs: [TEST_CAP], why: "x"}'))
        self.assertEqual(self.errors(
            msr("TEST_CTL", "0x10", extra="guest_state: msr"),
            msr("TEST_SREG", "0x11", extra='guest_state: sregs\nrestore_after: {msrs: [TEST_CTL], why: "x"}')),
            ["'restore_after' of MSR TEST_SREG names TEST_CTL, carried in 'msr', which a restore sets after 'sregs'"])

    def test_the_messages(self):
        """Each mistake its message (the corpus, tests/spec_corpus/*guest_state*, *restore_after*, has them
        with positions)."""
        self.assertEqual(self.errors(msr("TEST_CTL", "0x10", extra="guest_state: disk")),
                         ["'guest_state' of MSR TEST_CTL must be one of " + ", ".join(
                             c.name for c in schema.GUEST_STATES) + ", not 'disk'"])
        self.assertEqual(self.errors(msr("TEST_CTL", "0x10", extra='restore_after: {msrs: [X], why: "y"}')),
                         ["MSR TEST_CTL: 'restore_after' needs 'guest_state' (the state it orders)"])
        self.assertEqual(self.errors(
            msr("TEST_A", "0x10", extra='guest_state: msr\nrestore_after: {msrs: [TEST_B], why: "y"}'),
            msr("TEST_B", "0x11", extra='guest_state: msr\nrestore_after: {msrs: [TEST_A], why: "y"}')),
            ["'restore_after' makes a cycle: TEST_A after TEST_B after TEST_A"])
        self.assertEqual(self.errors(msr("TEST_CTL", "0x10", extra="guest_state: msr", fields=(
            '      - {name: V, bits: "7:0", merge: and, description: "x"}\n'))),
            ["field V of MSR TEST_CTL has a merge rule, so the register must have 'guest_state: feature' or "
             "'guest_state: setup'"])


class GuestStateInTheTables(unittest.TestCase):
    """What the generated records and text hold (generated/src, from the real spec)."""

    @classmethod
    def setUpClass(cls):
        cls.table = generated_table()

    def test_carrier_and_order_in_the_record(self):
        deadline = record(self.table, "IA32_TSC_DEADLINE")
        self.assertIn(".guest_state = MSR_GUEST_STATE_MSR", deadline)
        self.assertIn(".restore_after_count = 1", deadline)
        self.assertIn("{ .addresses = { 0x10u } }, /* restore_after */", deadline)
        self.assertIn(".flags = MSR_REG_F_GUEST_STATE | MSR_REG_F_RESTORE_AFTER", deadline)
        self.assertIn(".guest_state = MSR_GUEST_STATE_SREGS", record(self.table, "IA32_EFER"))

    def test_an_array_is_named_by_its_first_instance(self):
        self.assertIn("{ .addresses = { 0xC1u } }, /* restore_after */", record(self.table, "IA32_PERFEVTSEL{n}"))

    def test_addresses_past_one_cell(self):
        """IA32_MTRR_DEF_TYPE comes after 13 registers: two cells of addresses."""
        rows = re.findall(r"\{ \.addresses = \{ ([^}]*) \} \}", record(self.table, "IA32_MTRR_DEF_TYPE"))
        self.assertEqual([len(r.split(",")) for r in rows], [10, 3])
        self.assertIn(".restore_after_count = 13", record(self.table, "IA32_MTRR_DEF_TYPE"))

    def test_merge_rules_in_the_field_rows(self):
        caps = record(self.table, "IA32_ARCH_CAPABILITIES")
        self.assertIn(".merge = MSR_MERGE_OR } }, /* RSBA */", caps)
        self.assertIn(".merge = MSR_MERGE_AND } }, /* RDCL_NO */", caps)
        self.assertIn(".merge = MSR_MERGE_EQUAL_OR_ZERO } }, /* LBR_FMT */", record(self.table, "IA32_PERF_CAPABILITIES"))

    def test_the_reason_in_the_text(self):
        self.assertIn("KVM arms the timer when the deadline is written", generated_text())

    def test_changing_flags(self):
        with open(os.path.join(REPO, "generated", "include", "x86msr", "msr_schema.h"), encoding="utf-8") as f:
            self.assertIn("#define MSR_FIELD_F_CHANGING (MSR_FIELD_F_COUNTER | MSR_FIELD_F_VOLATILE)", f.read())


class WhatTheSpecMarks(unittest.TestCase):
    """The real spec against what VMMs and KVM save (docs/guest-state.md compares them in full)."""

    @classmethod
    def setUpClass(cls):
        cls.model = build_model(REAL)
        cls.carrier = {m.name: m.value("guest_state") for m in cls.model.msrs if m.has("guest_state")}

    def test_what_firecracker_had_to_add_by_hand(self):
        """Firecracker's save list missed these until bugs showed them (issue 23)."""
        for name in ("MISC_FEATURES_ENABLES", "HWCR", "KVM_POLL_CONTROL", "KVM_ASYNC_PF_INT", "KVM_ASYNC_PF_EN",
                     "KVM_STEAL_TIME", "KVM_PV_EOI_EN", "KVM_SYSTEM_TIME_NEW", "KVM_WALL_CLOCK_NEW",
                     "IA32_TSC_DEADLINE", "IA32_MTRR_DEF_TYPE", "IA32_MTRR_PHYSBASE{n}", "IA32_PAT"):
            self.assertEqual(self.carrier.get(name), "msr", name)

    def test_kvm_feature_msrs_are_feature_registers(self):
        """KVM's msr_based_features (KVM_GET_MSR_FEATURE_INDEX_LIST): the VMX capability MSRs, ARCH_CAPABILITIES,
        PERF_CAPABILITIES, the microcode revision and AMD's DE_CFG."""
        features = {n for n, c in self.carrier.items() if c == "feature"}
        vmx = {m.name for m in self.model.msrs if m.category == "vmx"}
        self.assertTrue(vmx <= features)
        self.assertTrue({"IA32_ARCH_CAPABILITIES", "IA32_PERF_CAPABILITIES", "IA32_BIOS_SIGN_ID", "DE_CFG"} <= features)

    def test_carried_elsewhere(self):
        for name in ("IA32_EFER", "IA32_APIC_BASE", "IA32_FS_BASE", "IA32_GS_BASE"):
            self.assertEqual(self.carrier[name], "sregs", name)
        self.assertEqual(self.carrier["IA32_MCG_CAP"], "setup")
        x2apic = {m.name for m in self.model.msrs if m.name.startswith("IA32_X2APIC_")}
        actions = {"IA32_X2APIC_EOI", "IA32_X2APIC_SELF_IPI"}  # write-only commands: no state to save
        self.assertEqual({n for n in x2apic if self.carrier.get(n) == "lapic"}, x2apic - actions)
        self.assertFalse(actions & set(self.carrier))

    def test_the_orders_kvm_and_vmms_found(self):
        def after(name):
            return set(self.model.msr(name).value("restore_after")[0])

        self.assertEqual(after("IA32_TSC_DEADLINE"), {"IA32_TIME_STAMP_COUNTER"})
        self.assertEqual(after("KVM_ASYNC_PF_EN"), {"KVM_ASYNC_PF_INT"})
        self.assertIn("IA32_PMC{n}", after("IA32_PERFEVTSEL{n}"))
        self.assertTrue({"IA32_PMC{n}", "IA32_PERFEVTSEL{n}", "IA32_FIXED_CTR{n}"} <= after("IA32_PERF_GLOBAL_CTRL"))
        self.assertIn("IA32_MTRR_PHYSBASE{n}", after("IA32_MTRR_DEF_TYPE"))
        for m in self.model.msrs:
            if m.has("restore_after"):
                self.assertGreater(len(m.value("restore_after")[1].split()), 8, f"{m.name}: a reason, not a word")

    def test_volatile_fields(self):
        volatile = {(m.name, f.name) for m in self.model.msrs for f in m.fields if f.has("volatile")}
        for pair in (("IA32_X2APIC_ICR", "VECTOR"), ("IA32_X2APIC_SELF_IPI", "VECTOR"),
                     ("IA32_TSC_DEADLINE", "DEADLINE"), ("IA32_X2APIC_CUR_COUNT", "CURRENT_COUNT")):
            self.assertIn(pair, volatile)

    def test_every_field_of_the_capability_registers_that_merge_has_a_rule(self):
        """A field without a rule must be equal on every host: in ARCH_CAPABILITIES and the VMX control
        capabilities that would block every baseline, so each field says how it merges."""
        for name in ("IA32_ARCH_CAPABILITIES", "IA32_VMX_PROCBASED_CTLS", "IA32_VMX_PROCBASED_CTLS2",
                     "IA32_VMX_EPT_VPID_CAP", "IA32_VMX_VMFUNC", "IA32_MCG_CAP"):
            m = self.model.msr(name)
            self.assertEqual([f.name for f in m.fields if not f.has("merge") and not f.has("undocumented")], [], name)


if __name__ == "__main__":
    unittest.main()
