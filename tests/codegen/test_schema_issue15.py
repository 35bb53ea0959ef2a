"""Spec format features of issue 15: counter fields (`counter: true`), which
`x86msr watch` shows as deltas, wrap-around at the field's width included;
and strict enumerations (`strict_enum: true`), which the exit handler checks.

Self-contained: each test writes a small spec of its own."""

import os
import re
import unittest

from .support import REPO, build_model
from .test_schema_issue12 import Build, msr


class CounterFields(Build):
    def test_carried_in_the_model_default_false(self):
        fields = ('      - {name: COUNT, bits: "47:0", counter: true, description: "Count."}\n'
                  '      - {name: FLAG, bits: 63, description: "Flag."}\n')
        m = self.build(msr("TEST_CTR", "0x10", fields=fields)).msr("TEST_CTR")
        self.assertEqual({f.name: f.has("counter") for f in m.fields}, {"COUNT": True, "FLAG": False})

    def test_readable_without_enum_nor_undocumented(self):
        self.assertEqual(self.errors(msr("TEST_CTR", "0x10", fields=(
            '      - {name: COUNT, bits: "1:0", counter: true, enum: [{name: ONE, value: 1}], description: "x"}\n'))),
            ["field COUNT of MSR TEST_CTR is a counter, so it has no 'enum'"])
        self.assertEqual(self.errors(msr("TEST_CTR", "0x10", fields=(
            '      - {name: COUNT, bits: "7:0", access: wo, counter: true, description: "x"}\n'))),
            ["field COUNT of MSR TEST_CTR is a counter, so it must be readable (it is 'wo')"])
        self.assertEqual(self.errors(msr("TEST_CTR", "0x10", fields=(
            '      - {name: IMPL, bits: "7:0", undocumented: true, counter: true, description: "x"}\n'))),
            ["field IMPL of MSR TEST_CTR is undocumented, so it has no 'counter'"])

    def test_in_the_metadata_table(self):
        m = self.build(msr("TEST_CTR", "0x10", fields='      - {name: COUNT, bits: "31:0", counter: true, '
                                                       'description: "Count."}\n'))
        self.assertTrue(m.msr("TEST_CTR").fields[0].has("counter"))
        with open(os.path.join(REPO, "generated", "src", "msr_table.c"), encoding="utf-8") as f:
            table = f.read()
        tsc = re.search(r"fields_ia32_time_stamp_counter\[\] = \{\n(.*?)\n\};", table, re.S).group(1)
        self.assertRegex(tsc, r"false, true, false \},$", "IA32_TIME_STAMP_COUNTER.TSC is a counter in the table")

    def test_the_spec_marks_the_well_known_counters(self):
        model = build_model(os.path.join(REPO, "spec", "msrs.yaml"))
        counters = {m.name for m in model.msrs if any(f.has("counter") for f in m.fields)}
        for name in ("IA32_TIME_STAMP_COUNTER", "IA32_APERF", "IA32_MPERF", "IA32_PMC{n}", "IA32_A_PMC{n}",
                     "IA32_FIXED_CTR{n}", "PKG_ENERGY_STATUS", "DRAM_ENERGY_STATUS", "PP0_ENERGY_STATUS",
                     "PKG_ENERGY_STAT", "CORE_ENERGY_STAT", "PERF_CTR{n}", "IRPERF_COUNT", "SMI_COUNT"):
            self.assertIn(name, counters)
        self.assertNotIn("IA32_EFER", counters)



class StrictEnumFields(Build):
    """`strict_enum: true`: only the enum's values are valid in the field (a
    WRMSR with another faults); carried into msr_field_info.strict_enum, which
    the MSR-exit handler checks."""

    def test_carried_in_the_model_default_false(self):
        fields = ('      - {name: TYPE, bits: "2:0", enum: [{name: UC, value: 0}, {name: WB, value: 6}], '
                  'strict_enum: true, description: "Type."}\n'
                  '      - {name: MODE, bits: "5:4", enum: [{name: A, value: 1}], description: "Mode."}\n')
        m = self.build(msr("TEST_CTL", "0x10", fields=fields)).msr("TEST_CTL")
        self.assertEqual({f.name: f.has("strict_enum") for f in m.fields}, {"TYPE": True, "MODE": False})

    def test_needs_an_enum(self):
        self.assertEqual(self.errors(msr("TEST_CTL", "0x10", fields=(
            '      - {name: TYPE, bits: "2:0", strict_enum: true, description: "x"}\n'))),
            ["field TYPE of MSR TEST_CTL: 'strict_enum' needs an 'enum' (the values it allows)"])

    def test_the_spec_marks_the_memory_types_that_fault(self):
        """The PAT's entries and the MTRRs' types, as the SDM has WRMSR fault on
        an undefined type (KVM's kvm_pat_valid/kvm_mtrr_valid check the same)."""
        model = build_model(os.path.join(REPO, "spec", "msrs.yaml"))
        strict = {(m.name, f.name) for m in model.msrs for f in m.fields if f.has("strict_enum")}
        expected = {("IA32_PAT", f"PA{i}") for i in range(8)} | {("IA32_MTRR_DEF_TYPE", "TYPE"),
                                                                  ("IA32_MTRR_PHYSBASE{n}", "TYPE")}
        fixed = {(m.name, f.name) for m in model.msrs if m.name.startswith("IA32_MTRR_FIX") for f in m.fields}
        self.assertEqual(len(fixed), 88)
        self.assertEqual(strict, expected | fixed)
        with open(os.path.join(REPO, "generated", "src", "msr_table.c"), encoding="utf-8") as f:
            table = f.read()
        pat = re.search(r"fields_ia32_pat\[\] = \{\n(.*?)\n\};", table, re.S).group(1)
        self.assertEqual(len(re.findall(r"false, true \},$", pat, re.M)), 8, "IA32_PAT's entries are strict in the table")


if __name__ == "__main__":
    unittest.main()
