"""Invariants of the model built from the real spec (spec/msrs.yaml), plus what
the small test spec shows that the real one may not hold yet (array expansion,
layouts, declared vendors and categories, every kind of presence condition).

These are properties every renderer relies on; a spec edit the validator lets
through but that breaks one of them is a validator bug.
"""

import dataclasses
import itertools
import os
import shutil
import subprocess
import tempfile
import unittest

from codegen import naming, output, render, schema
from codegen.model import exclusive, ALL_ONES, Condition, Model, hex64, manual_hex
from codegen.errors import Position

from .support import BASE, REPO, build, edit, real_model, real_raw


class RealSpecModel(unittest.TestCase):
    model: Model

    @classmethod
    def setUpClass(cls):
        cls.model = real_model()
        cls.raw = {m["name"]: m for m in real_raw()["msrs"]}
        cls.raw_layouts = real_raw().get("layouts", {})

    def fields(self):
        return [(m, f) for m in self.model.msrs for f in m.fields]

    def raw_fields(self, m):
        raw = self.raw[m.name]
        return raw["fields"] if "fields" in raw else self.raw_layouts.get(raw.get("layout"), {}).get("fields", [])

    def test_not_empty(self):
        self.assertGreater(len(self.model.msrs), 0)
        self.assertEqual(self.model.field_count, sum(len(m.fields) for m in self.model.msrs))

    def test_msrs_sorted_by_address(self):
        keys = [(m.address, m.name) for m in self.model.msrs]
        self.assertEqual(keys, sorted(keys))
        inst = [(i.address, i.name) for i in self.model.instances]
        self.assertEqual(inst, sorted(inst))

    def test_names_and_c_names_unique(self):
        for attr in ("stem", "macro_stem", "address", "type"):
            values = [getattr(m.names, attr) for m in self.model.msrs]
            self.assertEqual(len(values), len(set(values)), attr)
        names = [m.name for m in self.model.msrs]
        self.assertEqual(len(names), len(set(names)))
        names = [i.name for i in self.model.instances] + [a for i in self.model.instances for a in i.aliases]
        self.assertEqual(len(names), len(set(names)))

    def test_every_emitted_name_unique(self):
        """naming.emitted() lists each exported C name once, none a handwritten header's."""
        from codegen import handwritten
        seen = {}
        for name, owner, _ in naming.emitted(self.model):
            self.assertNotIn(name, seen, f"{name}: {owner} and {seen.get(name)}")
            seen[name] = owner
            self.assertTrue(name.startswith(("msr_", "MSR_")), name)
        self.assertFalse(set(seen) & set(handwritten.names()))

    def test_addresses_unique_unless_shared(self):
        by_address = {}
        for i in self.model.instances:
            by_address.setdefault(i.address, []).append(i.msr)
        for address, msrs in by_address.items():
            if len(msrs) == 1:
                continue
            with self.subTest(address=hex(address)):
                # Every pair at one address: linked by shares_address_with (directly or through
                # a third register there), and either of disjoint vendors or of presence
                # conditions that exclude each other by family and model.
                names = {m.name for m in msrs}
                for a, b in itertools.combinations(msrs, 2):
                    linked = {self.raw[a.name].get("shares_address_with"),
                              self.raw[b.name].get("shares_address_with")} & names
                    self.assertTrue(linked, f"{a.name} and {b.name}: same address without shares_address_with")
                    self.assertTrue(not set(a.vendors) & set(b.vendors) or exclusive(a.present_if, b.present_if),
                                    f"{a.name} and {b.name}: a common vendor and presence that can overlap")

    def test_addresses_fit_32_bits(self):
        for i in self.model.instances:
            self.assertTrue(0 <= i.address < 1 << 32, i.name)

    def test_scalar_keys_filled_in(self):
        vendors = {v.name for v in self.model.vendors}
        categories = {c.name for c in self.model.categories}
        for m in self.model.msrs:
            with self.subTest(msr=m.name):
                self.assertTrue(m.description.strip())
                self.assertIn(m.access, schema.REGISTER_ACCESS)
                self.assertTrue(m.vendors)
                self.assertTrue(set(m.vendors) <= vendors)
                self.assertIn(m.category, categories)
                self.assertEqual(m.names.macro_stem, m.name.replace("{n}", "x"))
                self.assertEqual(m.names.stem, m.names.macro_stem.lower())
                self.assertEqual(m.names.address, "MSR_" + m.names.macro_stem + "_ADDR")
                self.assertEqual(m.names.type, f"msr_{m.names.stem}_t")
                self.assertEqual(m.names.header, f"x86msr/msr_{m.category}.h")
                self.assertGreaterEqual(m.stride, 1)

    def test_accessors_follow_access(self):
        for m in self.model.msrs:
            with self.subTest(msr=m.name):
                n = m.names
                self.assertEqual((n.read is not None, n.read_safe is not None), (m.readable, m.readable))
                self.assertEqual((n.write is not None, n.write_safe is not None), (m.writable, m.writable))
                self.assertEqual((n.modify is not None, n.modify_safe is not None), (m.modifiable, m.modifiable))
                for a in n.accessors:
                    self.assertRegex(a, rf"^msr_{n.stem}_(read|write|modify)(_safe)?$")

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
                self.assertEqual(f.names.mask, f"MSR_{m.names.macro_stem}_{f.name}_MASK")
                self.assertEqual(f.names.shift, f"MSR_SHIFT({m.names.macro_stem}, {f.name})")
                self.assertEqual(f.names.member, f.name.lower())

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
                self.assertEqual(m.canonical_mask & ~m.defined_mask, 0)
                for f in m.fields:
                    self.assertEqual(bool(m.writable_mask & f.mask), f.writable, f.name)
                    self.assertEqual(bool(m.w1c_mask & f.mask), f.access == "rw1c", f.name)
                    self.assertEqual(bool(m.canonical_mask & f.mask), f.has("canonical"), f.name)

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
                readable, writable = schema.ACCESS_MODES[f.access][:2]
                self.assertEqual((f.readable, f.writable), (readable, writable and not f.has("undocumented")),
                                 "undocumented fields are never writable through the typed API")
                raw = next(r for r in self.raw_fields(m) if r["name"] == f.name)
                self.assertEqual(f.access, raw.get("access", m.access), "default access is the register's")

    def test_field_vendors_within_the_registers(self):
        for m, f in self.fields():
            with self.subTest(msr=m.name, field=f.name):
                self.assertTrue(set(f.vendors) <= set(m.vendors))
                self.assertNotEqual(f.vendors, m.vendors, "() stands for the register's vendors")

    def test_members_cover_64_bits_in_order(self):
        for m in self.model.msrs:
            with self.subTest(msr=m.name):
                self.assertEqual(sum(b.width for b in m.members), 64)
                names = [b.name for b in m.members if b.name]
                self.assertEqual(len(names), len(set(names)))
                bit = 0
                fields = {f.names.member: f for f in m.fields}
                for b in m.members:
                    self.assertGreater(b.width, 0)
                    if b.name in fields:
                        self.assertEqual((fields[b.name].lsb, fields[b.name].width), (bit, b.width))
                        self.assertIs(b.field, fields[b.name])
                    else:
                        self.assertEqual((b.name, b.field), ("", None))  # reserved bits: an unnamed member
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
                    self.assertEqual(f.enum.names.tag, f"msr_{m.names.stem}_{f.names.member}")
                    self.assertTrue(all(v.names.constant == f"MSR_{m.names.macro_stem}_{f.name}_{v.name}"
                                        for v in f.enum.values))

    def test_shared_enums_are_the_same_objects(self):
        shared = {e.key: e for e in self.model.enums}
        self.assertTrue(all(e.shared for e in shared.values()))
        for m, f in self.fields():
            with self.subTest(msr=m.name, field=f.name):
                if f.enum is not None and f.enum.shared:
                    self.assertIs(f.enum, shared[f.enum.key])

    def test_resets_fit_their_fields(self):
        for m, f in self.fields():
            with self.subTest(msr=m.name, field=f.name):
                if f.reset is not None:
                    self.assertTrue(0 <= f.reset <= f.max_value)

    def conditions(self):
        for m in self.model.msrs:
            if m.present_if is not None:
                yield m, None, m.present_if
            for f in m.fields:
                if f.present_if is not None:
                    yield m, f, f.present_if

    def test_presence_conditions(self):
        addresses = {i.name: i.address for i in self.model.instances}
        arrays = {m.name: m for m in self.model.msrs if m.is_array}
        self.assertTrue(list(self.conditions()))
        for m, f, cond in self.conditions():
            with self.subTest(msr=m.name, field=f and f.name):
                self.assertEqual(cond.flatten()[0], cond)
                self.assertEqual(len(cond.flatten()), cond.size)
                if cond.uses_index:
                    self.assertTrue(m.is_array, "n in the condition of a register that is no array")
                for c in cond.flatten():
                    self.assertIn(c.kind, [k.name for k in schema.CONDITION_KINDS])
                    self.assertIn(c.compare, [k.name for k in schema.COMPARISONS])
                    self.assertEqual(bool(c.children), c.kind in ("any_of", "all_of", "not"))
                    if c.kind == "cpuid":
                        self.assertIn(c.register, schema.CPUID_REGISTERS)
                        self.assertTrue(0 <= c.lsb <= c.msb <= 31)
                        self.assertTrue(0 <= c.leaf < 1 << 32 and 0 <= c.subleaf < 1 << 32)
                    if c.kind == "msr":
                        self.assertTrue(0 <= c.lsb <= c.msb <= 63)
                        if "{n}" in c.msr:
                            self.assertEqual((c.msr_address, c.msr_stride),
                                             (arrays[c.msr].address, arrays[c.msr].stride))
                        else:
                            self.assertEqual((c.msr_address, c.msr_stride), (addresses[c.msr], 0))
                    if c.kind == "context":
                        self.assertIn(c.context, [k.name for k in schema.CONTEXTS])
                    if c.kind in ("cpuid", "msr") and c.compare != "nonzero" and not c.operand_is_index:
                        self.assertLess(c.operand, 1 << (c.msb - c.lsb + 1))
                    self.assertRegex(c.text(), r"^(CPUID\.\(EAX=[0-9A-F]+H(,ECX=[0-9A-F]+H)?\):E[ABCD]X|"
                                               r"[A-Z][A-Z0-9_{}]*|family |only in context |not |n = |\(?CPUID)")

    def test_no_presence_depends_on_itself(self):
        owner = {i.name: i.msr.name for i in self.model.instances}
        owner.update((m.name, m.name) for m in self.model.msrs)
        deps = {m.name: {owner[n] for n in m.present_if.msr_names()} if m.present_if else set()
                for m in self.model.msrs}
        for name in deps:
            seen, stack = set(), list(deps[name])
            while stack:
                n = stack.pop()
                self.assertNotEqual(n, name, f"{name} depends on itself")
                if n not in seen:
                    seen.add(n)
                    stack.extend(deps[n])

    def test_control_sets_reference_model_msrs(self):
        self.assertTrue(self.model.control_sets)
        msrs = {id(m) for m in self.model.msrs}
        names = [s.name for s in self.model.control_sets]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual([s.index for s in self.model.control_sets], list(range(len(names))))
        for s in self.model.control_sets:
            with self.subTest(control_set=s.name):
                self.assertIn(id(s.capability), msrs)
                if s.true_capability is not None:
                    self.assertIn(id(s.true_capability), msrs)
                if s.activated_by is not None:
                    other = next(o for o in self.model.control_sets if o.name == s.activated_by[0])
                    self.assertIsNot(other, s)
                    self.assertTrue(0 <= s.activated_by[1] < other.width)
                self.assertIn(s.width, (32, 64))
                self.assertEqual(s.names.id, f"MSR_VMX_CTLS_{s.name.upper()}")
                bits = [b.bit for b in s.bits]
                self.assertEqual(bits, sorted(set(bits)))
                self.assertTrue(all(0 <= b < s.width for b in bits))
                self.assertTrue(all(b.names.constant == f"MSR_VMX_{s.name.upper()}_{b.name}" for b in s.bits))

    def test_categories(self):
        names = [c.name for c in self.model.categories]
        builtin = len(schema.CATEGORIES)
        self.assertEqual(names[:builtin], sorted(schema.CATEGORY_NAMES), "built-in categories first, sorted")
        self.assertEqual(names[builtin:], list(real_raw().get("categories", {})), "then declared ones, spec order")
        self.assertEqual([c.index for c in self.model.categories], list(range(len(names))))
        used = {m.category for m in self.model.msrs}
        self.assertEqual([c.name for c in self.model.used_categories], sorted(used))
        self.assertEqual(sum(len(self.model.msrs_in(c.name)) for c in self.model.used_categories),
                         len(self.model.msrs))
        for c in self.model.categories:
            self.assertEqual(c.names.constant, "MSR_CATEGORY_" + c.name.upper())

    def test_vendors(self):
        self.assertEqual([v.name for v in self.model.vendors][:len(schema.VENDORS)], list(schema.VENDOR_NAMES))
        self.assertEqual([v.bit for v in self.model.vendors], list(range(len(self.model.vendors))))
        self.assertLessEqual(len(self.model.vendors), schema.VENDOR_LIMIT)
        for v in self.model.vendors:
            self.assertEqual(v.names.constant, "MSR_VENDOR_" + v.name.upper())

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
        self.assertEqual((b.name, b.count, b.stride, b.names.stem, b.names.address, b.names.count, b.names.stride),
                         ("TEST_BANK{n}_CTL", 4, 2, "test_bankx_ctl", "MSR_TEST_BANKx_CTL_ADDR",
                          "MSR_TEST_BANKx_CTL_COUNT", "MSR_TEST_BANKx_CTL_STRIDE"))
        self.assertEqual([(i.name, i.address, i.index) for i in b.instances], [
            ("TEST_BANK0_CTL", 0x100, 0),
            ("TEST_BANK1_CTL", 0x102, 1),
            ("TEST_BANK2_CTL", 0x104, 2),
            ("TEST_BANK3_CTL", 0x106, 3),
        ])
        self.assertTrue(all(i.msr is b for i in b.instances))
        self.assertEqual(b.address_text, "0x100..0x106, stride 2")

    def test_model_instances_include_every_array_element(self):
        names = [i.name for i in self.model.instances]
        self.assertEqual(len(names), len(self.model.msrs) - 1 + 4)
        self.assertEqual(names[3:7], ["TEST_BANK0_CTL", "TEST_BANK1_CTL", "TEST_BANK2_CTL", "TEST_BANK3_CTL"])

    def test_plain_msr_is_its_only_instance(self):
        ctl = self.model.msr("TEST_CTL")
        self.assertFalse(ctl.is_array)
        self.assertEqual([(i.name, i.address, i.index, i.aliases) for i in ctl.instances],
                         [("TEST_CTL", 0x10, 0, ("CTL",))])
        self.assertEqual(ctl.address_text, "0x10")
        self.assertIsNone(ctl.names.count)

    def test_defaults_filled_in(self):
        cmd = self.model.msr("TEST_CMD")
        self.assertEqual((cmd.count, cmd.stride, cmd.ref, cmd.aliases, cmd.layout), (None, 1, "", (), None))
        self.assertEqual(cmd.fields[0].access, "wo")
        self.assertEqual((self.model.msr("INTEL_THING").present_if, self.model.msr("INTEL_THING").fields), (None, ()))
        ctl = self.model.msr("TEST_CTL")
        self.assertEqual(ctl.present_if.subleaf, 0)
        self.assertEqual([(f.name, f.access, f.vendors, f.has("canonical")) for f in ctl.fields],
                         [("ENABLE", "rwo", (), False), ("STATUS", "rw1c", (), False), ("TYPE", "rw", (), False),
                          ("MODE", "rw", (), False), ("EXTRA", "rw", ("amd",), False),
                          ("TARGET", "rw", (), True)])
        self.assertEqual(ctl.reserved_mask, 0xE0000 | 0xC000 | 0x800 | 0xFC)  # bits 19:17, 15:14, 11, 7:2
        self.assertEqual(ctl.writable_mask, ALL_ONES & ~ctl.reserved_mask)
        self.assertEqual(ctl.w1c_mask, 0x2)
        self.assertEqual(ctl.canonical_mask, ALL_ONES & ~0xFFFFF)

    def test_accessors_by_access(self):
        self.assertEqual(self.model.msr("TEST_CTL").names.accessors,
                         tuple(f"msr_test_ctl_{a}" for a in ("read", "read_safe", "write", "write_safe", "modify",
                                                               "modify_safe")))
        self.assertEqual(self.model.msr("TEST_CAP").names.accessors, ("msr_test_cap_read", "msr_test_cap_read_safe"))
        self.assertEqual(self.model.msr("TEST_CMD").names.accessors, ("msr_test_cmd_write", "msr_test_cmd_write_safe"))


class Declarations(unittest.TestCase):
    """Layouts, declared vendors and categories, field vendors, VMX activation (BASE)."""

    @classmethod
    def setUpClass(cls):
        cls.model = build(BASE)

    def test_layout_fields(self):
        bank = self.model.msr("TEST_BANK{n}_CTL")
        self.assertEqual(bank.layout, "bank")
        self.assertEqual(self.model.layouts, ("bank",))
        self.assertEqual([(f.name, f.msb, f.lsb, f.access, f.names.mask) for f in bank.fields],
                         [("VALUE", 15, 0, "rw", "MSR_TEST_BANKx_CTL_VALUE_MASK")])

    def test_layout_shared_by_registers_of_different_access(self):
        spec = edit(BASE, ("  - name: HV_THING\n", "  - name: TEST_RO_BANK\n    address: 0x300\n    category: other\n"
                                                   "    access: ro\n    vendors: [intel]\n    description: \"x\"\n"
                                                   "    layout: bank\n\n  - name: HV_THING\n"))
        model = build(spec)
        ro, rw = model.msr("TEST_RO_BANK"), model.msr("TEST_BANK{n}_CTL")
        self.assertEqual([(f.name, f.access) for f in ro.fields], [("VALUE", "ro")])
        self.assertEqual([(f.name, f.access) for f in rw.fields], [("VALUE", "rw")])
        self.assertEqual((ro.writable_mask, rw.writable_mask), (0, 0xFFFF))
        self.assertEqual(ro.fields[0].names.mask, "MSR_TEST_RO_BANK_VALUE_MASK")
        self.assertEqual((ro.names.writable_mask, rw.names.writable_mask),
                         (None, "MSR_TEST_BANKx_CTL_WRITABLE_MASK"))  # a read-only register has none

    def test_declared_vendor(self):
        names = [v.name for v in self.model.vendors]
        self.assertEqual(names, list(schema.VENDOR_NAMES) + ["myhv"])
        hv = self.model.vendors[-1]
        self.assertEqual((hv.bit, hv.leaf, hv.signatures, hv.names.constant, hv.meaning),
                         (len(schema.VENDORS), None, (), "MSR_VENDOR_MYHV", "The project's own hypervisor"))
        self.assertEqual(self.model.msr("HV_THING").vendors, ("myhv",))

    def test_declared_categories(self):  # after the built-in ones, in spec order: an overlay renumbers none
        cats = {c.name: c for c in self.model.categories}
        self.assertEqual([c.name for c in self.model.categories], sorted(schema.CATEGORY_NAMES) + ["test", "other"])
        self.assertEqual((cats["test"].index, cats["other"].index), (len(schema.CATEGORIES), len(schema.CATEGORIES) + 1))
        self.assertEqual([c.name for c in self.model.used_categories], ["test", "other"])
        self.assertEqual((cats["test"].meaning, cats["test"].names.header, cats["test"].names.guard),
                         ("Test registers", "x86msr/msr_test.h", "X86MSR_MSR_TEST_H"))

    def test_field_vendors_keep_the_registers_order(self):
        spec = edit(BASE, ("vendors: [amd], present_if", "vendors: [amd, intel], present_if"))
        self.assertEqual(build(spec).msr("TEST_CTL").fields[4].vendors, ("intel", "amd"))

    def test_activated_by(self):
        pins, more = self.model.control_sets
        self.assertEqual((pins.activated_by, more.activated_by), (None, ("pins", 3)))
        self.assertEqual((more.index, more.width, more.names.id), (1, 64, "MSR_VMX_CTLS_MORE"))


class Conditions(unittest.TestCase):
    """Presence conditions in the model, and their text in the manuals' notation."""

    @classmethod
    def setUpClass(cls):
        cls.model = build(BASE)

    def test_each_kind(self):
        m = self.model.msr
        ctl = m("TEST_CTL").present_if
        self.assertEqual((ctl.kind, ctl.leaf, ctl.subleaf, ctl.register, ctl.msb, ctl.lsb, ctl.compare),
                         ("cpuid", 1, 0, "ecx", 5, 5, "nonzero"))
        cap = m("TEST_CAP").present_if
        self.assertEqual((cap.kind, [c.kind for c in cap.children], cap.size), ("any_of", ["cpuid", "cpuid"], 3))
        self.assertEqual(cap.children[1].leaf, 0x80000001)
        cmd = m("TEST_CMD").present_if
        self.assertEqual((cmd.kind, cmd.family, cmd.models), ("family", 0x17, (0x31, 0x71)))
        self.assertEqual(m("HV_THING").present_if.kind, "context")
        self.assertEqual(m("HV_THING").present_if.context, "guest")
        bank = m("TEST_BANK{n}_CTL").present_if
        self.assertEqual((bank.kind, bank.size, bank.uses_index), ("all_of", 3, True))
        leaf, msr = bank.children
        self.assertEqual((leaf.msb, leaf.lsb, leaf.compare, leaf.operand, leaf.operand_is_index),
                         (15, 8, "above", 0, True))
        self.assertEqual((msr.msr, msr.msr_address, msr.msr_stride, msr.bit_is_index), ("TEST_CAP", 0x11, 0, True))
        extra = m("TEST_CTL").fields[4].present_if
        self.assertEqual((extra.kind, extra.msr, extra.msr_address, extra.msb), ("msr", "TEST_CAP", 0x11, 40))
        self.assertEqual(bank.msr_names(), ("TEST_CAP",))
        self.assertEqual([c.kind for c in bank.flatten()], ["all_of", "cpuid", "msr"])

    def test_same_index_instance_and_named_instance(self):
        spec = edit(BASE, ("  - name: HV_THING\n", "  - name: TEST_STAT{n}\n    address: 0x180\n    count: 4\n"
                                                   "    category: other\n    access: ro\n    vendors: [intel]\n"
                                                   "    description: \"x\"\n"
                                                   "    present_if: {msr: \"TEST_BANK{n}_CTL\", bits: \"3:0\", "
                                                   "equals: n}\n\n"
                                                   "  - name: TEST_ONE\n    address: 0x190\n    category: other\n"
                                                   "    access: ro\n    vendors: [intel]\n    description: \"x\"\n"
                                                   "    present_if: {msr: TEST_BANK2_CTL, bit: 0}\n\n"
                                                   "  - name: HV_THING\n"))
        model = build(spec)
        same = model.msr("TEST_STAT{n}").present_if
        self.assertEqual((same.msr_address, same.msr_stride, same.operand_is_index), (0x100, 2, True))
        self.assertEqual(same.text(), "TEST_BANK{n}_CTL[3:0] = n")
        self.assertEqual(same.text(3), "TEST_BANK3_CTL[3:0] = 3")
        one = model.msr("TEST_ONE").present_if
        self.assertEqual((one.msr_address, one.msr_stride), (0x104, 0))
        self.assertEqual(one.text(), "TEST_BANK2_CTL[0] = 1")

    def test_text(self):
        """The notation of msr_condition_describe() (src/core/msr_cpuid.c); the C test below runs both."""
        m = self.model.msr
        self.assertEqual(m("TEST_CTL").present_if.text(), "CPUID.(EAX=1H):ECX[5] = 1")
        self.assertEqual(m("TEST_CAP").present_if.text(),
                         "CPUID.(EAX=7H):EBX[2] = 1 or CPUID.(EAX=80000001H):EDX[29] = 1")
        self.assertEqual(m("TEST_CMD").present_if.text(), "family 17H, model 31H/71H")
        self.assertEqual(m("HV_THING").present_if.text(), "only in context guest")
        bank = m("TEST_BANK{n}_CTL").present_if
        self.assertEqual(bank.text(), "CPUID.(EAX=0AH):EAX[15:8] > n and TEST_CAP[n] = 1")
        self.assertEqual(bank.text(2), "CPUID.(EAX=0AH):EAX[15:8] > 2 and TEST_CAP[2] = 1")
        self.assertEqual(m("TEST_CTL").fields[4].present_if.text(), "TEST_CAP[40] = 1")

    def test_text_forms(self):
        pos = Position(1, 1)

        def cpuid(**kw):
            return Condition("cpuid", pos, leaf=kw.pop("leaf", 1), register=kw.pop("register", "ecx"), **kw)

        cases = [
            (cpuid(msb=5, lsb=5), "CPUID.(EAX=1H):ECX[5] = 1"),
            (cpuid(leaf=0xA, register="eax", msb=15, lsb=8, compare="above", operand=3),
             "CPUID.(EAX=0AH):EAX[15:8] > 3"),
            (cpuid(leaf=7, subleaf=1, register="ebx", msb=7, lsb=0), "CPUID.(EAX=7H,ECX=1H):EBX[7:0] != 0"),
            (cpuid(leaf=0x14, subleaf=0xB, register="edx", msb=3, lsb=0, compare="at_least", operand=2),
             "CPUID.(EAX=14H,ECX=0BH):EDX[3:0] >= 2"),
            (cpuid(leaf=0x8000001F, register="eax", msb=1, lsb=0, compare="equals", operand=0),
             "CPUID.(EAX=8000001FH):EAX[1:0] = 0"),
            (cpuid(bit_is_index=True), "CPUID.(EAX=1H):ECX[n] = 1"),
            (Condition("msr", pos, msr="IA32_VMX_BASIC", msb=55, lsb=55), "IA32_VMX_BASIC[55] = 1"),
            (Condition("msr", pos, msr="MCA{n}_CONFIG", msb=0, lsb=0), "MCA{n}_CONFIG[0] = 1"),
            (Condition("family", pos, family=0xF), "family 0FH"),
            (Condition("family", pos, family=6, models=(0x8F,)), "family 6H, model 8FH"),
            (Condition("context", pos, context="smm"), "only in context smm"),
            (Condition("index", pos, compare="equals", operand=2), "n = 2"),
        ]
        for cond, text in cases:
            with self.subTest(text=text):
                self.assertEqual(cond.text(), text)
        a, b, c = (cpuid(msb=i, lsb=i) for i in (1, 2, 3))
        nested = Condition("all_of", pos, children=(Condition("any_of", pos, children=(a, b)), c))
        self.assertEqual(nested.text(), "(CPUID.(EAX=1H):ECX[1] = 1 or CPUID.(EAX=1H):ECX[2] = 1) and "
                                        "CPUID.(EAX=1H):ECX[3] = 1")
        self.assertEqual(Condition("msr", pos, msr="MCA{n}_CONFIG", msb=0, lsb=0).text(4), "MCA4_CONFIG[0] = 1")
        self.assertEqual([manual_hex(v) for v in (0, 7, 0xA, 0x1F, 0x80000008)], ["0H", "7H", "0AH", "1FH", "80000008H"])


# The handwritten core the harness links (CMakeLists.txt's X86MSR_CORE_SOURCES, less the backends).
CORE_SOURCES = ("msr_cpuid.c", "msr_describe.c", "msr_fields.c", "msr_meta.c", "msr_names.c", "msr_spec.c")


class ConditionTextMatchesC(unittest.TestCase):
    """text() of every presence condition of the real spec and of the test spec
    equals what msr_condition_describe() prints for the generated table."""

    HARNESS = r"""
#include <stdio.h>
#include "x86msr/meta.h"
#include "x86msr/cpuid.h"

static void show(const char *who, const struct msr_condition *c, unsigned index, int has_index)
{
    char buf[4096];
    msr_condition_describe(c, index, has_index != 0, buf, sizeof buf);
    printf("%s|%d|%u|%s\n", who, has_index, index, buf);
}

int main(void)
{
    uint32_t i;
    unsigned f;
    for (i = 0; i < msr_spec.instance_count; i++) {
        const struct msr_instance *m = &msr_spec.instances[i];
        const struct msr_def *d = msr_def_of(m);
        int array = d->count > 1;
        if (d->present_if) {
            show(msr_name(m), msr_def_condition(d, d->present_if), m->index, array);
            if (array && m->index == 0)
                show(msr_def_name(d), msr_def_condition(d, d->present_if), 0, 0);
        }
        for (f = 0; f < d->field_count; f++) {
            if (msr_def_field(d, f)->present_if) {
                char who[512];
                snprintf(who, sizeof who, "%s.%s", msr_name(m), msr_field_name(d, f));
                show(who, msr_def_condition(d, msr_def_field(d, f)->present_if), m->index, array);
            }
        }
    }
    return 0;
}
"""

    def python_lines(self, model):
        lines = []
        for i in model.instances:
            m = i.msr
            index = i.index if m.is_array else None
            if m.present_if:
                lines.append(f"{i.name}|{int(m.is_array)}|{i.index}|{m.present_if.text(index)}")
                if m.is_array and i.index == 0:
                    lines.append(f"{m.name}|0|0|{m.present_if.text()}")
            for f in m.fields:
                if f.present_if:
                    lines.append(f"{i.name}.{f.name}|{int(m.is_array)}|{i.index}|{f.present_if.text(index)}")
        return lines

    def c_lines(self, model):
        cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
        if not cc:
            self.skipTest("no C compiler")
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        output.write(tmp.name, render.render(model, "spec.yaml"))
        main_c = os.path.join(tmp.name, "main.c")
        with open(main_c, "w", encoding="utf-8") as f:
            f.write(self.HARNESS)
        exe = os.path.join(tmp.name, "describe")
        run = subprocess.run([cc, "-std=c11", "-I", os.path.join(tmp.name, "include"),
                              "-I", os.path.join(REPO, "src", "include"), main_c,
                              os.path.join(tmp.name, "src", "msr_table.c"), os.path.join(tmp.name, "src", "msr_text.c"),
                              *(os.path.join(REPO, "src", "core", c) for c in CORE_SOURCES), "-o", exe],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(run.returncode, 0, run.stdout)
        run = subprocess.run([exe], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True)
        return run.stdout.splitlines()

    def test_real_spec(self):
        model = real_model()
        expected = self.python_lines(model)
        self.assertGreater(len(expected), 100)
        self.assertEqual(self.c_lines(model), expected)

    def test_test_spec(self):
        model = build(BASE)
        self.assertEqual(self.c_lines(model), self.python_lines(model))


if __name__ == "__main__":
    unittest.main()
