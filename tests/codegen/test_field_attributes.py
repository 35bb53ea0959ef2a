"""Field attributes (schema.FIELD_ATTRIBUTES): each declared once and checked,
carried and rendered from that declaration: undocumented (implementation-
specific) fields, counters, strict enumerations; and the proof that a new
attribute needs nothing but its declaration.

Self-contained: each test writes a small spec of its own."""

import os
import re
import shutil
import subprocess
import tempfile
import textwrap
import unittest

from codegen import schema

from .spec_builder import Build, msr
from .support import REPO, build_model


def generated_table():
    with open(os.path.join(REPO, "generated", "src", "msr_table.c"), encoding="utf-8") as f:
        return f.read()


def record(table, name):
    """The rows of one register's check record in a generated msr_table.c."""
    return re.search(r"^/\* " + re.escape(name) + r" \*/\n(.*?)^};", table, re.S | re.M).group(1)


class UndocumentedFields(Build):
    def test_covered_but_never_writable(self):
        fields = ('      - {name: CTL, bits: "3:0", description: "Control."}\n'
                  '      - {name: IMPL, bits: "15:8", undocumented: true, description: "Implementation-specific."}\n')
        m = self.build(msr("TEST_CTL", "0x10", fields=fields)).msr("TEST_CTL")
        self.assertEqual(m.reserved_mask, ~0xFF0F & (2 ** 64 - 1))
        self.assertEqual(m.writable_mask, 0xF)
        self.assertEqual(m.undocumented_mask, 0xFF00)
        impl = [f for f in m.fields if f.name == "IMPL"][0]
        self.assertTrue(impl.has("undocumented"))
        self.assertFalse(impl.writable)

    def test_no_enum_or_canonical(self):
        fields = ('      - {name: IMPL, bits: "15:8", undocumented: true, canonical: true, description: "x"}\n')
        self.assertEqual(self.errors(msr("TEST_CTL", "0x10", fields=fields)),
                         ["field IMPL of MSR TEST_CTL is undocumented, so it has no 'canonical'"])


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
        self.assertIn("{ .field = { .msb = 63, .lsb = 0, .access = MSR_ACCESS_RW, .flags = MSR_FIELD_F_COUNTER } }, "
                      "/* TSC */", record(generated_table(), "IA32_TIME_STAMP_COUNTER"))

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
    WRMSR with another faults); carried into msr_field_info.flags with the
    values in the record, which the MSR-exit handler checks."""

    def test_carried_in_the_model_default_false(self):
        fields = ('      - {name: TYPE, bits: "2:0", enum: [{name: UC, value: 0}, {name: WB, value: 6}], '
                  'strict_enum: true, description: "Type."}\n'
                  '      - {name: MODE, bits: "5:4", enum: [{name: A, value: 1}], description: "Mode."}\n')
        m = self.build(msr("TEST_CTL", "0x10", fields=fields)).msr("TEST_CTL")
        self.assertEqual({f.name: f.has("strict_enum") for f in m.fields}, {"TYPE": True, "MODE": False})

    def test_needs_an_enum(self):
        self.assertEqual(self.errors(msr("TEST_CTL", "0x10", fields=(
            '      - {name: TYPE, bits: "2:0", strict_enum: true, description: "x"}\n'))),
            ["field TYPE of MSR TEST_CTL: 'strict_enum' needs 'enum' (the values it allows)"])

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
        pat = record(generated_table(), "IA32_PAT")
        self.assertEqual(len(re.findall(r"\.flags = MSR_FIELD_F_STRICT_ENUM, .values = \d+, .value_count = 6", pat)), 8,
                         "IA32_PAT's entries are strict in the table, each with the six valid types")



class AttributesAsData(unittest.TestCase):
    """A new attribute is its declaration in codegen/schema.py and nothing else:
    copy the generator, add one Attribute there, and the spec format accepts the
    key (with its type checked), the model carries it, the C headers, tables and
    flag constants, the register reference, spec/README.md's key table, the
    JSON Schema and the Rust crate's metadata all show it."""

    DECLARATION = (
        '    Attribute("demo_volatile", "Changes by itself between two readings (a throw-away attribute).",\n'
        '              "Volatile: changes by itself.", "is volatile", excludes=("enum",)),\n')
    SPEC = textwrap.dedent("""\
        msrs:
          - name: TEST_CTL
            address: 0x10
            category: misc
            access: rw
            vendors: [intel]
            description: "A register."
            fields:
              - {name: COUNT, bits: "15:0", demo_volatile: true, description: "A count."}
              - {name: MODE, bits: "17:16", description: "A mode."}
        """)

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name
        shutil.copytree(os.path.join(REPO, "codegen"), os.path.join(self.dir, "codegen"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        path = os.path.join(self.dir, "codegen", "schema.py")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        anchor = ")\n\nMSR_ATTRIBUTES: Tuple[Attribute, ...] = ("
        self.assertIn(anchor, text)
        end = text.index(anchor)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text[:end] + self.DECLARATION + text[end:])
        self.spec = os.path.join(self.dir, "spec.yaml")
        with open(self.spec, "w", encoding="utf-8") as f:
            f.write(self.SPEC)

    def codegen(self, *args):
        return subprocess.run([os.environ.get("PYTHON", "python3"), "-m", "codegen", *args], cwd=self.dir,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def test_every_output_shows_it(self):
        out = os.path.join(self.dir, "out")
        run = self.codegen("--spec", self.spec, "--out", out, "--quiet")
        self.assertEqual((run.returncode, run.stderr), (0, ""))
        def read(*parts):
            with open(os.path.join(out, *parts), encoding="utf-8") as f:
                return f.read()
        bit = len(schema.FIELD_ATTRIBUTES)  # appended after the declared ones
        self.assertRegex(read("include", "x86msr", "msr_schema.h"),
                         r"#define MSR_FIELD_F_DEMO_VOLATILE +\(1u << %d\)" % bit)
        self.assertIn(".flags = MSR_FIELD_F_DEMO_VOLATILE } }, /* COUNT */", read("src", "msr_table.c"))
        self.assertNotIn("MSR_FIELD_F_DEMO_VOLATILE } }, /* MODE */", read("src", "msr_table.c"))
        docs = os.path.join(self.dir, "docs")
        self.assertEqual(self.codegen("--spec", self.spec, "--docs", docs).returncode, 0)
        with open(os.path.join(docs, "md", "misc.md"), encoding="utf-8") as f:
            self.assertIn("Volatile: changes by itself.", f.read())
        readme = os.path.join(self.dir, "README.md")
        shutil.copy(os.path.join(REPO, "spec", "README.md"), readme)
        self.assertEqual(self.codegen("--spec", self.spec, "--spec-doc", readme).returncode, 0)
        with open(readme, encoding="utf-8") as f:
            self.assertIn("| `demo_volatile` | bool | no |  | Changes by itself", f.read())
        schema_path = os.path.join(self.dir, "schema.json")
        self.assertEqual(self.codegen("--json-schema", schema_path).returncode, 0)
        with open(schema_path, encoding="utf-8") as f:
            self.assertIn('"demo_volatile"', f.read())
        self.compile(out)
        # The Rust crate's generated part: a flag of meta::FieldFlags, set on the field's definition.
        rust_out = os.path.join(self.dir, "rust")
        run = self.codegen("--spec", self.spec, "--rust", rust_out, "--quiet")
        self.assertEqual((run.returncode, run.stderr), (0, ""))
        with open(os.path.join(rust_out, "schema.rs"), encoding="utf-8") as f:
            self.assertIn("pub const DEMO_VOLATILE: FieldFlags = FieldFlags(1 << %d);" % bit, f.read())
        with open(os.path.join(rust_out, "regs", "misc.rs"), encoding="utf-8") as f:
            self.assertEqual(f.read().count("flags: FieldFlags::DEMO_VOLATILE,"), 1)

    def compile(self, out):
        cc = shutil.which("cc") or shutil.which("gcc")
        if not cc:
            return
        for src in ("msr_table.c", "msr_text.c"):
            run = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only",
                                  "-I" + os.path.join(out, "include"), "-I" + os.path.join(REPO, "src", "include"),
                                  os.path.join(out, "src", src)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True)
            self.assertEqual(run.returncode, 0, run.stdout)

    def test_checked_as_declared(self):
        bad = self.SPEC.replace("demo_volatile: true", "demo_volatile: 3")
        with open(self.spec, "w", encoding="utf-8") as f:
            f.write(bad)
        run = self.codegen("--spec", self.spec, "--out", os.path.join(self.dir, "out"))
        self.assertEqual(run.returncode, 1)
        self.assertIn("'demo_volatile' of field COUNT of MSR TEST_CTL must be true or false, not integer 3", run.stderr)
        enum = self.SPEC.replace("demo_volatile: true,", "demo_volatile: true, enum: [{name: A, value: 1}],")
        with open(self.spec, "w", encoding="utf-8") as f:
            f.write(enum)
        run = self.codegen("--spec", self.spec, "--out", os.path.join(self.dir, "out"))
        self.assertIn("field COUNT of MSR TEST_CTL is volatile, so it has no 'enum'", run.stderr)


if __name__ == "__main__":
    unittest.main()
