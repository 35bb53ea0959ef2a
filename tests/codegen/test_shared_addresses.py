"""Presence conditions that make registers share an address: `not`
conditions, and registers of one vendor at one address when their presence
conditions exclude each other by family and model (model.exclusive).

Self-contained: each test writes a small spec of its own."""

import unittest

from codegen.errors import Position
from codegen.model import Condition, exclusive

from .spec_builder import Build, msr


class NotConditions(Build):
    def test_not_family(self):
        m = self.build(msr("TEST_CTL", "0x10", extra="present_if: {not: {family: 0xF}}")).msr("TEST_CTL")
        self.assertEqual(m.present_if.kind, "not")
        self.assertEqual(m.present_if.text(), "not (family 0FH)")


class SharedAddresses(Build):
    def test_same_vendor_may_share_when_models_exclude(self):
        model = self.build(
            msr("TEST_OLD", "0x10", extra="present_if: {family: 0x6, models: [0x0F]}"),
            msr("TEST_NEW", "0x10", extra="shares_address_with: TEST_OLD\npresent_if: {family: 0x6, models: [0x37]}"))
        self.assertEqual([m.name for m in model.msrs], ["TEST_NEW", "TEST_OLD"])

    def test_same_vendor_without_exclusive_conditions_is_refused(self):
        msgs = self.errors(
            msr("TEST_OLD", "0x10", extra="present_if: {family: 0x6}"),
            msr("TEST_NEW", "0x10", extra="shares_address_with: TEST_OLD\npresent_if: {family: 0x6, models: [0x37]}"))
        self.assertEqual(msgs, ["MSR TEST_NEW declares 'shares_address_with: TEST_OLD', and both list vendor intel, "
                                "but their presence conditions do not exclude each other by family and model"])

    def test_not_family_excludes_that_family(self):
        self.build(
            msr("TEST_P4", "0x10", extra="present_if: {family: 0xF}"),
            msr("TEST_ARCH", "0x10", extra="shares_address_with: TEST_P4\n"
                                          "present_if: {all_of: [{leaf: 0xA, register: eax, bit: 0}, {not: {family: 0xF}}]}"))

    def test_three_registers_linked_through_one(self):
        msgs = self.errors(
            msr("TEST_A", "0x10", extra="present_if: {family: 0x6, models: [0x01]}"),
            msr("TEST_B", "0x10", extra="shares_address_with: TEST_A\npresent_if: {family: 0x6, models: [0x02]}"),
            msr("TEST_C", "0x10", extra="shares_address_with: TEST_A\npresent_if: {family: 0x6, models: [0x02, 0x03]}"))
        self.assertEqual(len(msgs), 1)
        self.assertIn("TEST_C at 0x10 collides with TEST_B", msgs[0])


class Exclusive(unittest.TestCase):
    P = Position(1, 1, "")

    def family(self, f, models=()):
        return Condition("family", self.P, family=f, models=tuple(models))

    def test_cases(self):
        cpuid = Condition("cpuid", self.P, leaf=1)
        neg = lambda c: Condition("not", self.P, children=(c,))
        both = lambda *c: Condition("all_of", self.P, children=c)
        self.assertTrue(exclusive(self.family(6, [1]), self.family(6, [2])))
        self.assertFalse(exclusive(self.family(6), self.family(6, [2])))
        self.assertTrue(exclusive(self.family(0xF), both(cpuid, neg(self.family(0xF)))))
        self.assertFalse(exclusive(cpuid, self.family(6)))
        self.assertTrue(exclusive(self.family(6, [1]), both(self.family(6), neg(self.family(6, [1, 2])))))


if __name__ == "__main__":
    unittest.main()
