"""Spec format feature of issue 15: counter fields (`counter: true`), which
`x86msr watch` shows as deltas, wrap-around at the field's width included.

Self-contained: each test writes a small spec of its own."""

import os
import re
import tempfile
import unittest

from codegen.errors import SpecErrors

from .support import REPO, build_model
from .test_schema_issue12 import HEAD, msr


class CounterFields(unittest.TestCase):
    def build(self, *entries):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        path = os.path.join(tmp.name, "spec.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(HEAD + "".join(entries))
        return build_model(path)

    def errors(self, *entries):
        with self.assertRaises(SpecErrors) as ctx:
            self.build(*entries)
        return [e.message for e in ctx.exception.errors]

    def test_carried_in_the_model_default_false(self):
        fields = ('      - {name: COUNT, bits: "47:0", counter: true, description: "Count."}\n'
                  '      - {name: FLAG, bits: 63, description: "Flag."}\n')
        m = self.build(msr("TEST_CTR", "0x10", fields=fields)).msr("TEST_CTR")
        self.assertEqual({f.name: f.counter for f in m.fields}, {"COUNT": True, "FLAG": False})

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
        self.assertTrue(m.msr("TEST_CTR").fields[0].counter)
        with open(os.path.join(REPO, "generated", "src", "msr_table.c"), encoding="utf-8") as f:
            table = f.read()
        tsc = re.search(r"fields_ia32_time_stamp_counter\[\] = \{\n(.*?)\n\};", table, re.S).group(1)
        self.assertRegex(tsc, r"false, true \},$", "IA32_TIME_STAMP_COUNTER.TSC is a counter in the table")

    def test_the_spec_marks_the_well_known_counters(self):
        model = build_model(os.path.join(REPO, "spec", "msrs.yaml"))
        counters = {m.name for m in model.msrs if any(f.counter for f in m.fields)}
        for name in ("IA32_TIME_STAMP_COUNTER", "IA32_APERF", "IA32_MPERF", "IA32_PMC{n}", "IA32_A_PMC{n}",
                     "IA32_FIXED_CTR{n}", "PKG_ENERGY_STATUS", "DRAM_ENERGY_STATUS", "PP0_ENERGY_STATUS",
                     "PKG_ENERGY_STAT", "CORE_ENERGY_STAT", "PERF_CTR{n}", "IRPERF_COUNT", "SMI_COUNT"):
            self.assertIn(name, counters)
        self.assertNotIn("IA32_EFER", counters)


if __name__ == "__main__":
    unittest.main()
