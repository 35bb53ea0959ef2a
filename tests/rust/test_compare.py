"""compare.py finds what differs: a changed mask, a field missing on one side, an
entry only one side has, a bool that is an integer on the other -- so the
C-against-Rust tests cannot pass by comparing nothing."""

import copy
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402

DOC = {"defs": [{"name": "IA32_EFER", "address": 3221225600, "masks": {"reserved": 18446744073705292542},
                 "fields": [{"name": "NXE", "msb": 11, "lsb": 11, "enum": []}]},
                {"name": "IA32_PAT", "address": 631, "masks": {"reserved": 0}, "fields": []}]}


class Differences(unittest.TestCase):
    def test_equal_documents(self):
        self.assertEqual(compare.differences(DOC, copy.deepcopy(DOC), "doc"), [])
        self.assertEqual(compare.compare_lists(DOC["defs"], copy.deepcopy(DOC["defs"]), "name", "def"), (2, []))

    def test_a_changed_mask(self):
        other = copy.deepcopy(DOC)
        other["defs"][0]["masks"]["reserved"] ^= 1 << 63
        found = compare.differences(DOC, other, "doc")
        self.assertEqual(len(found), 1)
        self.assertIn("doc.defs[0].masks.reserved", found[0])

    def test_a_field_on_one_side(self):
        other = copy.deepcopy(DOC)
        del other["defs"][0]["fields"][0]["enum"]
        self.assertEqual(compare.differences(DOC, other, "d"), ["d.defs[0].fields[0].enum: only in C"])
        self.assertEqual(compare.differences(other, DOC, "d"), ["d.defs[0].fields[0].enum: only in Rust"])

    def test_entries_both_ways(self):
        fewer = copy.deepcopy(DOC["defs"][:1])
        _, found = compare.compare_lists(DOC["defs"], fewer, "name", "def")
        self.assertEqual(found, ["def IA32_PAT: in C, not in Rust"])
        _, found = compare.compare_lists(fewer, DOC["defs"], "name", "def")
        self.assertEqual(found, ["def IA32_PAT: in Rust, not in C"])

    def test_types_count(self):
        self.assertEqual(len(compare.differences({"x": True}, {"x": 1}, "d")), 1)
        self.assertEqual(len(compare.differences([1, 2], [1, 2, 3], "d")), 1)


if __name__ == "__main__":
    unittest.main()
