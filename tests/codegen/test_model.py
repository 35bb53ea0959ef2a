"""Invariants of the model built from the real spec (spec/msrs.yaml), plus the
array expansion on the small test spec (the real spec may hold no array yet).

These are properties every renderer relies on; a spec edit the validator lets
through but that breaks one of them is a validator bug.
"""

import dataclasses
import unittest

from codegen import schema
from codegen.model import ALL_ONES, Model

from .support import BASE, build, real_model, real_raw


class RealSpecModel(unittest.TestCase):
    model: Model

    @classmethod
    def setUpClass(cls):
        cls.model = real_model()
        cls.raw = {m["name"]: m for m in real_raw()["msrs"]}

    def fields(self):
        return [(m, f) for m in self.model.msrs for f in m.fields]

    def test_not_empty(self):
        self.assertGreater(len(self.model.msrs), 0)
        self.assertEqual(self.model.field_count, sum(len(m.fields) for m in self.model.msrs))

    def test_msrs_sorted_by_address(self):
        keys = [(m.address, m.name) for m in self.model.msrs]
        self.assertEqual(keys, sorted(keys))
        inst = [(i.address, i.name) for i in self.model.instances]
        self.assertEqual(inst, sorted(inst))

    def test_names_and_c_names_unique(self):
        for attr in ("name", "stem", "macro"):
            values = [getattr(m, attr) for m in self.model.msrs]
            self.assertEqual(len(values), len(set(values)), attr)
        names = [i.name for i in self.model.instances] + [a for m in self.model.msrs for a in m.aliases]
        self.assertEqual(len(names), len(set(names)))

    def test_addresses_unique_unless_shared(self):
        by_address = {}
        for i in self.model.instances:
            by_address.setdefault(i.address, []).append(i.msr)
        for address, msrs in by_address.items():
            if len(msrs) == 1:
                continue
            with self.subTest(address=hex(address)):
                self.assertEqual(len(msrs), 2)
                a, b = msrs
                declared = {self.raw[a.name].get("shares_address_with"), self.raw[b.name].get("shares_address_with")}
                self.assertTrue({a.name, b.name} & declared, "same address without shares_address_with")
                self.assertFalse(set(a.vendors) & set(b.vendors), "shared address with a common vendor")

    def test_addresses_fit_32_bits(self):
        for i in self.model.instances:
            self.assertTrue(0 <= i.address < 1 << 32, i.name)

    def test_scalar_keys_filled_in(self):
        for m in self.model.msrs:
            with self.subTest(msr=m.name):
                self.assertTrue(m.description.strip())
                self.assertIn(m.access, schema.REGISTER_ACCESS)
                self.assertTrue(m.vendors)
                self.assertTrue(set(m.vendors) <= set(schema.VENDORS))
                self.assertEqual(m.stem, m.name.replace("{n}", "n").lower())
                self.assertEqual(m.macro, "MSR_" + m.stem.upper())
                self.assertGreaterEqual(m.stride, 1)

    def test_fields_sorted_in_range_and_disjoint(self):
        for m in self.model.msrs:
            with self.subTest(msr=m.name):
                self.assertEqual([f.lsb for f in m.fields], sorted(f.lsb for f in m.fields))
                for f in m.fields:
                    self.assertTrue(0 <= f.lsb <= f.msb <= 63, f.name)
                for a, b in zip(m.fields, m.fields[1:]):
                    self.assertLess(a.msb, b.lsb, f"{a.name} and {b.name} overlap")
                used = 0
                for f in m.fields:
                    self.assertEqual(used & f.mask, 0)
                    used |= f.mask

    def test_field_masks(self):
        for m, f in self.fields():
            with self.subTest(msr=m.name, field=f.name):
                self.assertEqual(f.width, f.msb - f.lsb + 1)
                self.assertEqual(f.mask, sum(1 << b for b in range(f.lsb, f.msb + 1)))
                self.assertEqual(f.max_value, (1 << f.width) - 1)
                self.assertEqual(f.mask_c, f"UINT64_C(0x{f.mask:016X})")

    def test_reserved_mask_is_complement_of_fields(self):
        for m in self.model.msrs:
            with self.subTest(msr=m.name):
                defined = 0
                for f in m.fields:
                    defined |= f.mask
                self.assertEqual(m.defined_mask, defined)
                self.assertEqual(m.reserved_mask, ALL_ONES & ~defined)
                self.assertEqual(m.reserved_mask | m.defined_mask, ALL_ONES)
                self.assertEqual(m.reserved_mask & m.defined_mask, 0)

    def test_writable_and_w1c_masks(self):
        for m in self.model.msrs:
            with self.subTest(msr=m.name):
                self.assertEqual(m.writable_mask & ~m.defined_mask, 0)
                self.assertEqual(m.w1c_mask & ~m.writable_mask, 0)
                for f in m.fields:
                    self.assertEqual(bool(m.writable_mask & f.mask), f.writable, f.name)
                    self.assertEqual(bool(m.w1c_mask & f.mask), f.access == "rw1c", f.name)

    def test_register_access_consistent(self):
        for m in self.model.msrs:
            with self.subTest(msr=m.name):
                self.assertEqual(m.readable, m.access in ("ro", "rw"))
                self.assertEqual(m.writable, m.access in ("wo", "rw"))
                self.assertEqual(m.modifiable, m.access == "rw")
                if m.access == "ro":
                    self.assertEqual(m.writable_mask, 0)

    def test_field_access_allowed_by_register(self):
        for m, f in self.fields():
            with self.subTest(msr=m.name, field=f.name):
                self.assertIn(f.access, schema.FIELD_ACCESS_ALLOWED[m.access])
                self.assertEqual((f.readable, f.writable), schema.FIELD_ACCESS[f.access][:2])
                raw = next(r for r in self.raw[m.name].get("fields", []) if r["name"] == f.name)
                self.assertEqual(f.access, raw.get("access", m.access), "default access is the register's")

    def test_members_cover_64_bits_in_order(self):
        for m in self.model.msrs:
            with self.subTest(msr=m.name):
                self.assertEqual(sum(b.width for b in m.members), 64)
                names = [b.name for b in m.members]
                self.assertEqual(len(names), len(set(names)))
                bit = 0
                fields = {f.member: f for f in m.fields}
                for b in m.members:
                    self.assertGreater(b.width, 0)
                    if b.name in fields:
                        self.assertEqual((fields[b.name].lsb, fields[b.name].width), (bit, b.width))
                    else:
                        self.assertEqual(b.name, f"rsvd_{bit}")
                        self.assertEqual(m.reserved_mask >> bit & ((1 << b.width) - 1), (1 << b.width) - 1)
                    bit += b.width
                self.assertEqual(set(fields), set(names) & set(fields))

    def test_enum_values_fit_their_fields(self):
        for m, f in self.fields():
            with self.subTest(msr=m.name, field=f.name):
                if f.enum is None:
                    continue
                values = [v.value for v in f.enum.values]
                self.assertTrue(values)
                self.assertTrue(all(0 <= v <= f.max_value for v in values))
                self.assertEqual(len(values), len(set(values)))
                self.assertEqual(len({v.name for v in f.enum.values}), len(values))
                if not f.enum.shared:
                    self.assertEqual(f.enum.c_name, f"msr_{m.stem}_{f.member}")
                    self.assertTrue(all(v.macro == f"{f.macro}_{v.name}" for v in f.enum.values))

    def test_shared_enums_are_the_same_objects(self):
        shared = {e.name: e for e in self.model.enums}
        for m, f in self.fields():
            with self.subTest(msr=m.name, field=f.name):
                if f.enum is not None and f.enum.shared:
                    self.assertIs(f.enum, shared[f.enum.name])

    def test_resets_fit_their_fields(self):
        for m, f in self.fields():
            with self.subTest(msr=m.name, field=f.name):
                if f.reset is not None:
                    self.assertTrue(0 <= f.reset <= f.max_value)

    def test_cpuid_conditions(self):
        for m in self.model.msrs:
            with self.subTest(msr=m.name):
                for c in m.cpuid:
                    self.assertIn(c.register, schema.CPUID_REGISTERS)
                    self.assertTrue(0 <= c.bit <= 31)
                    self.assertTrue(0 <= c.leaf < 1 << 32 and 0 <= c.subleaf < 1 << 32)
                    self.assertRegex(c.text, r"^CPUID\.\(EAX=[0-9A-F]+H(,ECX=[0-9A-F]+H)?\):E[ABCD]X\[\d+\]$")

    def test_control_sets_reference_model_msrs(self):
        self.assertTrue(self.model.control_sets)
        msrs = {id(m) for m in self.model.msrs}
        names = [s.name for s in self.model.control_sets]
        self.assertEqual(len(names), len(set(names)))
        for s in self.model.control_sets:
            with self.subTest(control_set=s.name):
                self.assertIn(id(s.capability), msrs)
                if s.true_capability is not None:
                    self.assertIn(id(s.true_capability), msrs)
                self.assertIn(s.width, (32, 64))
                self.assertEqual(s.id_macro, f"MSR_VMX_CTLS_{s.name.upper()}")
                bits = [b.bit for b in s.bits]
                self.assertEqual(bits, sorted(set(bits)))
                self.assertTrue(all(0 <= b < s.width for b in bits))
                self.assertTrue(all(b.macro == f"MSR_VMX_{s.name.upper()}_{b.name}" for b in s.bits))

    def test_categories(self):
        self.assertEqual(self.model.categories, tuple(sorted({m.category for m in self.model.msrs})))
        self.assertEqual(sum(len(self.model.msrs_in(c)) for c in self.model.categories), len(self.model.msrs))

    def test_model_is_frozen(self):
        m = self.model.msrs[0]
        with self.assertRaises(dataclasses.FrozenInstanceError):
            m.address = 0  # type: ignore[misc]
        if m.fields:
            with self.assertRaises(dataclasses.FrozenInstanceError):
                m.fields[0].lsb = 1  # type: ignore[misc]
        self.assertIsInstance(m.fields, tuple)
        self.assertIsInstance(self.model.msrs, tuple)


class ArrayExpansion(unittest.TestCase):
    """TEST_BANK{n}_CTL of the test spec: count 4, stride 2, at 0x100."""

    @classmethod
    def setUpClass(cls):
        cls.model = build(BASE)
        cls.bank = next(m for m in cls.model.msrs if m.is_array)

    def test_instances(self):
        b = self.bank
        self.assertEqual((b.name, b.count, b.stride, b.stem, b.macro),
                         ("TEST_BANK{n}_CTL", 4, 2, "test_bankn_ctl", "MSR_TEST_BANKN_CTL"))
        self.assertEqual([(i.name, i.address, i.index, i.macro) for i in b.instances], [
            ("TEST_BANK0_CTL", 0x100, 0, "MSR_TEST_BANK0_CTL"),
            ("TEST_BANK1_CTL", 0x102, 1, "MSR_TEST_BANK1_CTL"),
            ("TEST_BANK2_CTL", 0x104, 2, "MSR_TEST_BANK2_CTL"),
            ("TEST_BANK3_CTL", 0x106, 3, "MSR_TEST_BANK3_CTL"),
        ])
        self.assertTrue(all(i.msr is b for i in b.instances))
        self.assertEqual(b.address_text, "0x100..0x106, stride 2")

    def test_model_instances_include_every_array_element(self):
        names = [i.name for i in self.model.instances]
        self.assertEqual(len(names), len(self.model.msrs) - 1 + 4)
        self.assertEqual(names[-6:-2], ["TEST_BANK0_CTL", "TEST_BANK1_CTL", "TEST_BANK2_CTL", "TEST_BANK3_CTL"])

    def test_plain_msr_is_its_only_instance(self):
        ctl = next(m for m in self.model.msrs if m.name == "TEST_CTL")
        self.assertFalse(ctl.is_array)
        self.assertEqual([(i.name, i.address, i.index) for i in ctl.instances], [("TEST_CTL", 0x10, 0)])
        self.assertEqual(ctl.address_text, "0x10")

    def test_defaults_filled_in(self):
        cmd = next(m for m in self.model.msrs if m.name == "TEST_CMD")
        self.assertEqual((cmd.count, cmd.stride, cmd.ref, cmd.aliases, cmd.cpuid), (None, 1, "", (), ()))
        self.assertEqual(cmd.fields[0].access, "wo")
        ctl = next(m for m in self.model.msrs if m.name == "TEST_CTL")
        self.assertEqual([c.subleaf for c in ctl.cpuid], [0])
        self.assertEqual([(f.name, f.access) for f in ctl.fields],
                         [("ENABLE", "rwo"), ("STATUS", "rw1c"), ("TYPE", "rw"), ("MODE", "rw")])
        self.assertEqual(ctl.reserved_mask, ALL_ONES & ~0x3703)
        self.assertEqual(ctl.writable_mask, 0x3703)
        self.assertEqual(ctl.w1c_mask, 0x2)


if __name__ == "__main__":
    unittest.main()
