"""The Rust renderer (codegen/rust.py) and its naming authority
(codegen/rust_naming.py): the naming scheme, the clash check with positions,
the hand-written names it checks against, and the renderer's outputs."""

import os
import re
import subprocess
import sys
import tempfile
import unittest

from codegen import rust, rust_naming, schema

from .spec_builder import Build, msr
from .support import REAL_SPEC, REPO, build_model as _build_model


def build_model(path):
    """The real spec's model, built once for the module (read only by the tests)."""
    if path != REAL_SPEC:
        return _build_model(path)
    if not hasattr(build_model, "real"):
        build_model.real = _build_model(REAL_SPEC)
    return build_model.real


def rust_errors(model):
    names = rust_naming.names_of(model, schema.CLOSED_ENUMS, schema.FIELD_ATTRIBUTES, schema.MSR_ATTRIBUTES)
    return [e.message for e in rust_naming.clashes(model, names)], names


class Scheme(unittest.TestCase):
    def test_camel_case_word_by_word(self):
        self.assertEqual(rust_naming.camel("IA32_MCx_CTL"), "Ia32McxCtl")
        self.assertEqual(rust_naming.camel("IA32_MTRR_FIX64K_00000"), "Ia32MtrrFix64k00000")
        self.assertEqual(rust_naming.camel("UC_MINUS"), "UcMinus")
        self.assertEqual(rust_naming.camel("memory_type"), "MemoryType")

    def test_the_real_spec(self):
        model = build_model(REAL_SPEC)
        errors, names = rust_errors(model)
        self.assertEqual(errors, [])
        efer = model.msr("IA32_EFER")
        self.assertEqual(names.msr(efer).type, "Ia32Efer")
        mc = model.msr("IA32_MC{n}_CTL")
        self.assertEqual((names.msr(mc).type, names.msr(mc).variant), ("Ia32McxCtl", "Ia32McxCtl"))
        nxe = [f for f in efer.fields if f.name == "NXE"][0]
        self.assertEqual(names.field(efer, nxe), rust_naming.RustFieldNames("NXE", "nxe", "with_nxe", None))
        lma = [f for f in efer.fields if f.name == "LMA"][0]
        self.assertIsNone(names.field(efer, lma).builder, "a read-only field has no builder")
        pat = model.msr("IA32_PAT")
        pa0 = pat.fields[0]
        self.assertEqual((names.field(pat, pa0).builder, names.field(pat, pa0).bits_builder), ("with_pa0", None),
                         "a strict field takes only its enum")
        icr = model.msr("IA32_X2APIC_ICR")
        mode = [f for f in icr.fields if f.name == "DELIVERY_MODE"][0]
        self.assertEqual(names.field(icr, mode).bits_builder, "with_delivery_mode_bits")
        basic = model.msr("IA32_VMX_BASIC")
        mt = [f for f in basic.fields if f.name == "MEMORY_TYPE"][0]
        self.assertEqual(names.enum(mt.enum).type, "Ia32VmxBasicMemoryType")
        self.assertEqual(names.control_sets["secondary"].bits[1], "ENABLE_EPT")

    def test_keywords_get_an_underscore(self):
        model = build_model(REAL_SPEC)
        _, names = rust_errors(model)
        typed = [(m, f) for m in model.msrs for f in m.fields if f.name == "TYPE"]
        self.assertTrue(typed)
        m, f = typed[0]
        self.assertEqual((names.field(m, f).getter, names.field(m, f).constant), ("type_", "TYPE"))
        # The enumeration value SELF (x2APIC destination shorthand) is the variant Self_.
        self.assertIn("Self_", [v for e in names.enums.values() for v in e.variants])


class Clashes(Build):
    def errors_of(self, *entries):
        return rust_errors(self.build(*entries))[0]

    def test_two_registers_of_one_rust_name(self):
        errors = self.errors_of(msr("TEST_A_B", "0x10"), msr("TEST_AB", "0x11"), msr("TEST__A_B", "0x12"))
        # TEST_A_B and TEST__A_B both become TestAB; TEST_AB is TestAb.
        self.assertEqual(len(errors), 1, errors)
        self.assertRegex(errors[0], r"^MSR TEST__A_B generates the Rust name TestAB in crate root, which MSR "
                                    r"TEST_A_B \(line \d+\) already generates$")

    def test_a_field_that_hides_an_item_every_register_has(self):
        fields = '      - {name: READ, bits: "3:0", description: "Read."}\n'
        errors = self.errors_of(msr("TEST_R", "0x10", fields=fields))
        self.assertEqual(errors, ["field READ of MSR TEST_R generates the Rust name read in TestR, which every "
                                  "register type of the crate already has"])

    def test_a_field_whose_getter_is_another_fields_builder(self):
        fields = ('      - {name: A, bits: "0", description: "A."}\n'
                  '      - {name: WITH_A, bits: "1", description: "With A."}\n')
        errors = self.errors_of(msr("TEST_W", "0x10", fields=fields))
        self.assertEqual(len(errors), 1)
        self.assertIn("field WITH_A of MSR TEST_W generates the Rust name with_a in TestW, which field A of MSR "
                      "TEST_W", errors[0])

    def test_a_register_named_like_a_handwritten_item(self):
        errors = self.errors_of(msr("ERROR", "0x10"))
        self.assertEqual(errors, ["MSR ERROR generates the Rust name Error in crate root, which the crate's "
                                  "hand-written root already has"])

    def test_positions_reach_the_command_line(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        spec = os.path.join(tmp.name, "spec.yaml")
        with open(spec, "w", encoding="utf-8") as f:
            f.write("msrs:\n" + msr("MODIFIED", "0x10"))
        out = os.path.join(tmp.name, "out")
        run = subprocess.run([sys.executable, "-m", "codegen", "--spec", spec, "--rust", out], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(run.returncode, 1)
        self.assertRegex(run.stderr, r"spec\.yaml:2:5: MSR MODIFIED generates the Rust name Modified in crate root")
        self.assertFalse(os.path.exists(out), "nothing written")


class HandwrittenNames(unittest.TestCase):
    def test_the_list_is_the_crates_root(self):
        """HANDWRITTEN_ROOT is what src/rust/src/lib.rs defines or re-exports at the root (public
        items and modules), so the clash check knows every name a register type could hide."""
        with open(os.path.join(REPO, "src", "rust", "src", "lib.rs"), encoding="utf-8") as f:
            text = re.sub(r"//[^\n]*", "", f.read())
        found = set(re.findall(r"^pub (?:mod|enum|struct|trait|fn|const|static|type) ([A-Za-z_]\w*)", text, re.M))
        for group in re.findall(r"^pub use [\w:]+::\{([^}]*)\};", text, re.M):
            found |= {n.strip() for n in group.split(",") if n.strip()}
        found |= set(re.findall(r"^pub use [\w:]+::([A-Za-z_]\w*);", text, re.M))
        self.assertEqual(sorted(found), sorted(rust_naming.HANDWRITTEN_ROOT))

    def test_register_items_are_the_macros_and_the_traits(self):
        with open(os.path.join(REPO, "src", "rust", "src", "macros.rs"), encoding="utf-8") as f:
            macros = f.read()
        with open(os.path.join(REPO, "src", "rust", "src", "access.rs"), encoding="utf-8") as f:
            access = f.read()
        items = set(re.findall(r"pub const (?:fn )?([A-Za-z_]\w*)", macros.split("macro_rules! field_enum")[0]))
        items |= set(re.findall(r"^\s*(?:unsafe )?fn ([a-z_]\w*)\(", access, re.M)) - {"rmw_value", "modify_at",
                                                                                      "modify_safe_at", "instance"}
        items |= set(re.findall(r"^\s*const ([A-Z_]+):", access, re.M))
        self.assertEqual(items - set(rust_naming.REGISTER_ITEMS), set())
        enum_items = set(re.findall(r"pub const (?:fn )?([A-Za-z_]\w*)", macros.split("macro_rules! field_enum")[1]))
        self.assertEqual(enum_items, set(rust_naming.ENUM_ITEMS))


class Outputs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = build_model(REAL_SPEC)
        cls.files = rust.render(cls.model, ["msrs.yaml"])

    def test_one_file_per_used_category(self):
        regs = sorted(n for n in self.files if n.startswith("regs/"))
        self.assertEqual(regs, sorted(f"regs/{c.name}.rs" for c in self.model.used_categories))
        for name in rust.FIXED_FILES:
            self.assertIn(name, self.files)

    def test_deterministic(self):
        self.assertEqual(rust.render(self.model, ["msrs.yaml"]), self.files)

    def test_access_traits_follow_the_access_mode(self):
        text = "".join(self.files[n] for n in self.files if n.startswith("regs/"))
        for m in self.model.msrs:
            t = rust_naming.camel(m.names.macro_stem)
            suffix = "At" if m.is_array else ""
            for trait, wanted in (("MsrRead", m.readable), ("MsrWrite", m.writable), ("MsrReadWrite", m.modifiable)):
                line = f"impl {trait}{suffix} for {t} {{}}"
                self.assertEqual(line in text, wanted, f"{m.name}: {line}")

    def test_every_field_has_a_getter_and_only_writable_ones_a_builder(self):
        names = rust_naming.names_of(self.model, schema.CLOSED_ENUMS, schema.FIELD_ATTRIBUTES, schema.MSR_ATTRIBUTES)
        text = self.files[f"regs/{self.model.msr('IA32_EFER').category}.rs"]
        efer = self.model.msr("IA32_EFER")
        for f in efer.fields:
            fn = names.field(efer, f)
            self.assertIn(f"pub const fn {fn.getter}(self)", text)
            self.assertEqual(f"pub const fn with_{f.name.lower()}(self" in text, f.writable, f.name)

    def test_masks_and_conditions_are_the_models(self):
        text = self.files["regs/system.rs"]
        efer = self.model.msr("IA32_EFER")
        self.assertIn(f"reserved: {rust.hex_lit(efer.reserved_mask)},", text)
        self.assertIn(f"writable: {rust.hex_lit(efer.writable_mask)},", text)
        self.assertIn("Condition::AnyOf(&[Condition::Cpuid { leaf: 0x8000_0001, subleaf: 0, register: "
                      "CpuidReg::Edx, test: Test { msb: 11, lsb: 11,", text)

    def test_doc_text_cannot_become_markup(self):
        self.assertEqual(rust.doc_text("EDX[11] = 1 and 2K << n, *x*"), "EDX\\[11\\] = 1 and 2K \\<\\< n, \\*x\\*")


class AttributeInRust(unittest.TestCase):
    def test_a_new_attribute_is_a_flag_of_the_crate(self):
        """The attribute-as-data proof of test_field_attributes.py, for the Rust side:
        FieldFlags gets one constant per attribute, in declaration order, from schema.py."""
        text = rust.render(build_model(REAL_SPEC), ["msrs.yaml"])["schema.rs"]
        for bit, a in enumerate(schema.FIELD_ATTRIBUTES):
            self.assertIn(f"pub const {a.key.upper()}: FieldFlags = FieldFlags(1 << {bit});", text)
            self.assertIn(f'(FieldFlags::{a.key.upper()}, "{a.key}"),', text)
        for bit, a in enumerate(schema.MSR_ATTRIBUTES):
            self.assertIn(f"pub const {a.key.upper()}: RegFlags = RegFlags(1 << {bit});", text)


if __name__ == "__main__":
    unittest.main()
