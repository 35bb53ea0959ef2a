#!/usr/bin/env python3
"""End-to-end tests of the `x86msr` subcommands that touch the machine --
read, write, dump (with snapshots) -- and of encode, against fake /dev/cpu
trees in temporary directories (fake_tree.py; X86MSR_CPU_ROOT points the
tool there). Every error path: exit status 1 (runtime) or 2 (usage), one
line on stderr.

Run: test_cli_machine.py --tool PATH/TO/x86msr [unittest arguments, e.g.
ReadTests]. CTest runs each TestCase class as its own test.

Registers named here are architectural ones every spec version has
(IA32_EFER, IA32_PAT, IA32_FEATURE_CONTROL, IA32_VMX_BASIC); everything
else is derived from `x86msr list --json`, so the tests hold as the spec
grows.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_tree import FakeTree  # noqa: E402
from tool_main import check_json_error, run_tests  # noqa: E402

TOOL = os.environ.get("X86MSR_TOOL", "")

EFER, PAT, FEATURE_CONTROL, VMX_BASIC = 0xC0000080, 0x277, 0x3A, 0x480
EFER_LONG_MODE = 0xD01  # SCE, LME, LMA, NXE
PAT_DEFAULT = 0x0007040600070406
# An "Intel" CPU: everything below this is implemented, the AMD range above not.
INTEL_END = 0xC0001000
NOBODY = 65534


def run(*args, env=None, stdin=None, unprivileged=False):
    def drop():
        os.setgid(NOBODY)
        os.setuid(NOBODY)

    return subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=60, env=env, input=stdin,
                          preexec_fn=drop if unprivileged and os.geteuid() == 0 else None)


_listing = None


def listing():
    global _listing
    if _listing is None:
        _listing = json.loads(run("list", "--json").stdout)
    return _listing


def readable_addresses(end):
    """What `dump` reads on a CPU implementing every MSR below `end`."""
    return sorted({int(m["address"], 16) for m in listing()
                   if m["access"] != "wo" and int(m["address"], 16) + 8 <= end})


class MachineTestCase(unittest.TestCase):
    """A fresh fake tree per test: 4 CPUs, the last one different."""
    maxDiff = None

    def setUp(self):
        self._dir = tempfile.TemporaryDirectory(prefix="x86msr-cli-")
        self.tree = FakeTree(self._dir.name)
        for cpu in range(4):
            self.tree.add_cpu(cpu, INTEL_END, {
                EFER: EFER_LONG_MODE if cpu != 3 else 0x501,
                PAT: PAT_DEFAULT,
                FEATURE_CONTROL: 0x5,
                VMX_BASIC: 0x00DA040000000004,
            })
        self.tree.set_online("0-3\n")
        self.env = self.tree.env()

    def tearDown(self):
        self._dir.cleanup()

    def tool(self, *args, **kwargs):
        kwargs.setdefault("env", self.env)
        return run(*args, **kwargs)

    def ok(self, *args, **kwargs):
        result = self.tool(*args, **kwargs)
        self.assertEqual(result.returncode, 0, f"x86msr {' '.join(args)}: {result.stderr}")
        self.assertEqual(result.stderr, "", f"x86msr {' '.join(args)}")
        return result.stdout

    def ok_json(self, *args, **kwargs):
        return json.loads(self.ok(*args, "--json", **kwargs))

    def fails(self, status, pattern, *args, stdout_empty=True, code=None, **kwargs):
        """Expects exit `status` and exactly one stderr line matching `pattern`; with
        --json, the error object on stdout (of `code`), else nothing there."""
        result = self.tool(*args, **kwargs)
        self.assertEqual(result.returncode, status, f"x86msr {' '.join(args)}: {result.stderr}")
        if "--json" in args:
            check_json_error(self, result, code)
        elif stdout_empty:
            self.assertEqual(result.stdout, "")
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertRegex(lines[0], "^x86msr: " + pattern)
        return result


class ReadTests(MachineTestCase):
    def test_one_register_on_the_default_cpu_is_decoded(self):
        out = self.ok("read", "IA32_EFER")
        self.assertTrue(out.startswith("IA32_EFER (0xC0000080) = 0x0000000000000D01 on cpu 0\n\n"), out)
        self.assertRegex(out, r"(?m)^11 +NXE +rw +0x1 +1$")
        self.assertRegex(out, r"(?m)^10 +LMA +ro +0x1 +1$")

    def test_text_table_matches_decode(self):
        # decode's WRMSR verdict follows the table after a blank line; read has none
        decoded = self.ok("decode", "IA32_PAT", hex(PAT_DEFAULT)).split("\n", 1)[1].split("\n\nWRMSR:")[0] + "\n"
        read = self.ok("read", "-c", "1", "IA32_PAT").split("\n", 1)[1]
        self.assertEqual(read, decoded)

    def test_json_per_register_and_cpu_with_decoded_fields(self):
        data = self.ok_json("read", "-c", "0,3", "IA32_EFER", "IA32_PAT")
        self.assertEqual([(e["name"], e["cpu"]) for e in data],
                         [("IA32_EFER", 0), ("IA32_EFER", 3), ("IA32_PAT", 0), ("IA32_PAT", 3)])
        self.assertEqual([e["value"] for e in data], ["0x0000000000000D01", "0x0000000000000501",
                                                      "0x0007040600070406", "0x0007040600070406"])
        self.assertEqual([e["value_int"] for e in data], [0xD01, 0x501, PAT_DEFAULT, PAT_DEFAULT])
        decoded = self.ok_json("decode", "IA32_EFER", "0x501")
        self.assertEqual(data[1]["fields"], decoded["fields"])
        self.assertEqual(data[1]["address"], "0xC0000080")
        self.assertEqual(data[2]["address"], "0x00000277")
        self.assertEqual(data[1]["reserved_bits_set"], "0x0000000000000000")

    def test_same_value_on_every_cpu_is_printed_once(self):
        out = self.ok("read", "-a", "IA32_PAT")
        self.assertTrue(out.startswith("IA32_PAT (0x00000277) = 0x0007040600070406 on cpus 0-3\n"))
        self.assertEqual(out.count("IA32_PAT"), 1)

    def test_differences_between_cpus_are_highlighted(self):
        out = self.ok("read", "-a", "IA32_EFER")
        self.assertEqual(out, "IA32_EFER (0xC0000080) differs between cpus 0-3:\n"
                              "  CPUS  VALUE               NXE\n"
                              "  0-2   0x0000000000000D01  0x1\n"
                              "  3     0x0000000000000501  0x0\n"
                              "  (fields not shown are the same on every CPU)\n")

    def test_differing_enum_fields_and_reserved_bits_get_columns(self):
        self.tree.set(2, PAT, PAT_DEFAULT | 0x1 | (1 << 63))
        out = self.ok("read", "-c", "1-2", "IA32_PAT")
        self.assertEqual(out, "IA32_PAT (0x00000277) differs between cpus 1-2:\n"
                              "  CPUS  VALUE               PA0           RESERVED\n"
                              "  1     0x0007040600070406  0x6 WB        0x0000000000000000\n"
                              "  2     0x8007040600070407  0x7 UC_MINUS  0x8000000000000000\n"
                              "  (fields not shown are the same on every CPU)\n")

    def test_reserved_bits_warn_on_stderr(self):
        self.tree.set(2, PAT, PAT_DEFAULT | (1 << 63))
        result = self.tool("read", "-c", "2", "IA32_PAT")
        self.assertEqual(result.returncode, 0)
        self.assertNotIn("warning", result.stdout)
        self.assertEqual(result.stderr, "x86msr: warning: IA32_PAT on cpu 2: reserved bits set: 0x8000000000000000 "
                                        "(bit 63)\n")

    def test_one_field(self):
        self.assertEqual(self.ok("read", "-c", "0", "-f", "nxe", "efer"), "IA32_EFER.NXE = 0x1 (1) on cpu 0\n")
        self.assertEqual(self.ok("read", "-a", "-f", "LMA", "IA32_EFER"), "IA32_EFER.LMA = 0x1 (1) on cpus 0-3\n")
        self.assertEqual(self.ok("read", "-c", "2", "--field", "PA2", "IA32_PAT"),
                         "IA32_PAT.PA2 = 0x7 (7, UC_MINUS) on cpu 2\n")
        out = self.ok("read", "-a", "-f", "NXE", "IA32_EFER")
        self.assertEqual(out, "IA32_EFER.NXE differs between cpus 0-3:\n"
                              "  CPUS  HEX  DECIMAL\n"
                              "  0-2   0x1  1\n"
                              "  3     0x0  0\n")
        data = self.ok_json("read", "-c", "3", "-f", "NXE", "IA32_EFER")
        self.assertEqual([f["name"] for f in data[0]["fields"]], ["NXE"])
        self.assertEqual(data[0]["value"], "0x0000000000000501")
        self.tree.set(1, 0x1B, 0xFEE00900)  # IA32_APIC_BASE: a wide field, padded to its width
        self.assertEqual(self.ok("read", "-c", "1", "-f", "APIC_BASE", "IA32_APIC_BASE"),
                         "IA32_APIC_BASE.APIC_BASE = 0x00000FEE00 (1043968) on cpu 1\n")

    def test_several_registers_are_separated_by_a_blank_line(self):
        out = self.ok("read", "IA32_EFER", "IA32_FEATURE_CONTROL")
        self.assertIn("\n\nIA32_FEATURE_CONTROL (0x0000003A) = 0x0000000000000005 on cpu 0\n", out)

    def test_address_outside_the_spec_is_read_without_fields(self):
        unknown = next(a for a in range(0x2F0, 0x400) if a not in {int(m["address"], 16) for m in listing()})
        self.tree.set(1, unknown, 0x1234)
        self.assertEqual(self.ok("read", "-c", "1", hex(unknown)),
                         f"MSR 0x{unknown:08X} = 0x0000000000001234 on cpu 1\n")
        data = self.ok_json("read", "-c", "1", hex(unknown))
        self.assertEqual(data, [{"cpu": 1, "name": None, "address": f"0x{unknown:08X}",
                                 "value": "0x0000000000001234", "value_int": 0x1234, "fields": []}])

    def test_a_hole_below_the_end_reads_zero(self):
        self.assertIn("= 0x0000000000000000 on cpu 0", self.ok("read", "IA32_LSTAR"))

    def test_default_cpu_is_the_first_online_one(self):
        self.tree.set_online("2-3\n")
        self.assertIn("on cpu 2\n", self.ok("read", "IA32_EFER", env=self.tree.env(sysfs=True)))
        out = self.ok("read", "-a", "-f", "NXE", "IA32_EFER", env=self.tree.env(sysfs=True))
        self.assertIn("differs between cpus 2-3", out)

    def test_without_sysfs_a_fake_tree_lists_its_own_cpus(self):
        self.tree.add_cpu(10, INTEL_END, {EFER: EFER_LONG_MODE})
        out = self.ok("read", "-a", "-f", "SCE", "IA32_EFER")
        self.assertEqual(out, "IA32_EFER.SCE = 0x1 (1) on cpus 0-3,10\n")

    def test_not_implemented_register_is_reported_and_others_still_print(self):
        result = self.tool("read", "-c", "0,1", "IA32_EFER", "0xC0010000")
        self.assertEqual(result.returncode, 1)
        self.assertIn("IA32_EFER (0xC0000080) = 0x0000000000000D01 on cpus 0-1", result.stdout)
        self.assertEqual(result.stderr.splitlines(), [
            f"x86msr: cpu {cpu}: cannot read {self.name_at(0xC0010000)} (0xC0010000): the CPU refused the access "
            "(#GP, EIO from the driver): MSR not implemented on this CPU, or value rejected" for cpu in (0, 1)])
        data = json.loads(self.tool("read", "-c", "1", "0xC0010000", "--json").stdout)
        self.assertEqual(data[0]["cpu"], 1)
        self.assertEqual(data[0]["error"]["code"], "fault")
        self.assertIn("not implemented", data[0]["error"]["message"])
        self.assertNotIn("value", data[0])

    def name_at(self, address):
        return next(m["name"] for m in listing() if int(m["address"], 16) == address)

    def test_register_missing_on_one_cpu_only(self):
        self.tree.set(0, 0xC0000080, 1)  # keep the file; shrink CPU 2's
        os.truncate(self.tree.path(2), 0xC0000000)
        result = self.tool("read", "-a", "-f", "SCE", "IA32_EFER")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, "IA32_EFER.SCE = 0x1 (1) on cpus 0-1,3\n")
        self.assertRegex(result.stderr, r"^x86msr: cpu 2: cannot read IA32_EFER \(0xC0000080\): .*EIO.*\n$")


class WriteTests(MachineTestCase):
    def test_whole_value_on_chosen_cpus(self):
        out = self.ok("write", "-c", "1,2", "IA32_PAT", "0x0606060606060606")
        self.assertEqual(out, "cpu 1: IA32_PAT (0x00000277): 0x0007040600070406 -> 0x0606060606060606\n"
                              "cpu 2: IA32_PAT (0x00000277): 0x0007040600070406 -> 0x0606060606060606\n")
        self.assertEqual([self.tree.get(c, PAT) for c in range(4)],
                         [PAT_DEFAULT, 0x0606060606060606, 0x0606060606060606, PAT_DEFAULT])

    def test_all_cpus(self):
        self.ok("write", "-a", "IA32_PAT", "0")
        self.assertEqual([self.tree.get(c, PAT) for c in range(4)], [0] * 4)

    def test_field_assignments_are_read_modify_write(self):
        self.tree.set(0, EFER, EFER_LONG_MODE | (1 << 63))  # a reserved bit the CPU reports: kept
        out = self.ok("write", "-c", "0", "IA32_EFER", "NXE=0", "sce=0")
        self.assertEqual(out, "cpu 0: IA32_EFER (0xC0000080): 0x8000000000000D01 -> 0x8000000000000500\n"
                              "  NXE: 0x1 -> 0x0\n"
                              "  SCE: 0x1 -> 0x0\n")
        self.assertEqual(self.tree.get(0, EFER), 0x8000000000000500)

    def test_each_cpu_keeps_its_own_other_bits(self):
        self.ok("write", "-a", "IA32_EFER", "SCE=0")
        self.assertEqual([self.tree.get(c, EFER) for c in range(4)], [0xD00, 0xD00, 0xD00, 0x500])

    def test_enum_value_names(self):
        self.ok("write", "-c", "0", "IA32_PAT", "PA0=uc", "PA7=WB")
        self.assertEqual(self.tree.get(0, PAT), (PAT_DEFAULT & ~0x7) | (6 << 56))

    def test_json(self):
        data = self.ok_json("write", "-c", "0,3", "IA32_EFER", "NXE=1")
        self.assertEqual(data, [
            {"cpu": 0, "name": "IA32_EFER", "address": "0xC0000080", "old": "0x0000000000000D01", "old_int": 0xD01,
             "new": "0x0000000000000D01", "new_int": 0xD01,
             "fields": [{"name": "NXE", "old": "0x1", "old_int": 1, "new": "0x1", "new_int": 1}]},
            {"cpu": 3, "name": "IA32_EFER", "address": "0xC0000080", "old": "0x0000000000000501", "old_int": 0x501,
             "new": "0x0000000000000D01", "new_int": 0xD01,
             "fields": [{"name": "NXE", "old": "0x0", "old_int": 0, "new": "0x1", "new_int": 1}]},
        ])
        whole = self.ok_json("write", "-c", "1", "IA32_PAT", "0")
        self.assertEqual(whole, [{"cpu": 1, "name": "IA32_PAT", "address": "0x00000277",
                                  "old": "0x0007040600070406", "old_int": PAT_DEFAULT,
                                  "new": "0x0000000000000000", "new_int": 0}])

    def test_refusals_write_nothing(self):
        self.tree.set(3, EFER, 0x901)  # long mode off: LMA = 0
        before = [self.tree.get(c, EFER) for c in range(4)]
        cases = [
            (["write", "IA32_EFER", "0x501"], r"no CPU selected: give -c CPU\[,CPU\.\.\.\] or -a \(all CPUs\)$"),
            (["write", "-a", "IA32_VMX_BASIC", "0"], r"IA32_VMX_BASIC is read-only \(--force writes it anyway\)$"),
            (["write", "-a", "IA32_EFER", "LMA=0"],
             r"field LMA of IA32_EFER is read-only \(--force writes it anyway\)$"),
            (["write", "-a", "IA32_EFER", "0x8000000000000D01"],
             r"value 0x8000000000000D01 sets reserved bits of IA32_EFER: 0x8000000000000000 \(bit 63\) "
             r"\(--force writes it anyway\)$"),
            (["write", "-a", "IA32_EFER", "0x901"],
             r"value 0x0000000000000901 changes read-only field LMA of IA32_EFER on cpu 0 \(0x1 -> 0x0\) "
             r"\(--force writes it anyway\)$"),
            (["write", "-a", "IA32_EFER", "0xD01"],  # fine on cpus 0-2, but cpu 3 has LMA=0
             r"value 0x0000000000000D01 changes read-only field LMA of IA32_EFER on cpu 3 \(0x0 -> 0x1\)"),
            (["write", "-c", "0", "0x2F1", "1"], r"MSR 0x000002F1 is not in the spec: nothing can be checked "
                                                  r"\(--force writes it anyway\)$"),
            (["write", "-c", "0", "IA32_PAT", "PA0=8"],
             r"value 8 does not fit field IA32_PAT.PA0 \(3 bits, at most 0x7\)$"),
        ]
        if any(int(m["address"], 16) == 0x2F1 for m in listing()):
            cases.pop(-2)
        for args, pattern in cases:
            with self.subTest(args=args):
                self.fails(2, pattern, *args)
        self.assertEqual([self.tree.get(c, EFER) for c in range(4)], before)
        self.assertEqual(self.tree.get(0, PAT), PAT_DEFAULT)

    def test_force_overrides_each_refusal(self):
        self.ok("write", "-c", "0", "--force", "IA32_EFER", "0x8000000000000901")
        self.assertEqual(self.tree.get(0, EFER), 0x8000000000000901)
        self.ok("write", "-c", "1", "IA32_EFER", "LMA=0", "--force")
        self.assertEqual(self.tree.get(1, EFER), 0x901)
        self.ok("write", "-c", "2", "--force", "IA32_VMX_BASIC", "7")
        self.assertEqual(self.tree.get(2, VMX_BASIC), 7)

    def test_forced_write_to_an_address_outside_the_spec(self):
        unknown = next(a for a in range(0x2F0, 0x400) if a not in {int(m["address"], 16) for m in listing()})
        self.tree.set(3, unknown, 0x55)
        out = self.ok("write", "-c", "3", "--force", hex(unknown), "0x66")
        self.assertEqual(out, f"cpu 3: MSR 0x{unknown:08X}: 0x0000000000000055 -> 0x0000000000000066\n")
        self.assertEqual(self.tree.get(3, unknown), 0x66)

    def test_write_only_register_is_not_read(self):
        wo = [m for m in listing() if m["access"] == "wo" and m["fields"]]
        if not wo:
            self.skipTest("the spec has no write-only register with fields")
        msr = wo[0]
        address = int(msr["address"], 16)
        field = msr["fields"][0]
        self.tree.set(0, address, 0xFFFF_FFFF_FFFF_FFFF)  # what a read would see: must not leak into the write
        out = self.ok("write", "-c", "0", msr["name"], f"{field['name']}=1")
        self.assertEqual(out.splitlines()[0],
                         f"cpu 0: {msr['name']} (0x{address:08X}): (not read) -> 0x{1 << field['lsb']:016X}")
        self.assertEqual(self.tree.get(0, address), 1 << field["lsb"])
        self.fails(2, f"{msr['name']} is write-only: it cannot be read$", "read", msr["name"])

    def test_rejected_write_is_a_runtime_failure_per_cpu(self):
        os.truncate(self.tree.path(1), 0x270)  # cpu 1 lacks IA32_PAT (and everything above)
        result = self.tool("write", "-c", "0,1", "--force", "IA32_PAT", "0")
        self.assertEqual(result.returncode, 1)
        self.assertRegex(result.stderr, r"^x86msr: cpu 1: cannot read IA32_PAT \(0x00000277\): .*EIO.*\n$")
        self.assertEqual(result.stdout, "")
        self.assertEqual(self.tree.get(0, PAT), PAT_DEFAULT)  # checked everywhere before writing anywhere

    def test_failed_write_on_one_cpu_does_not_stop_the_others(self):
        wo = [m for m in listing() if m["access"] == "wo"]
        if not wo:
            self.skipTest("the spec has no write-only register")
        address = int(wo[0]["address"], 16)
        os.truncate(self.tree.path(1), address)  # cpu 1 rejects it (EIO), the others take it
        result = self.tool("write", "-a", wo[0]["name"], "0")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(len(result.stdout.splitlines()), 3)
        self.assertRegex(result.stderr, rf"^x86msr: cpu 1: cannot write {wo[0]['name']} .*EIO.*\n$")
        self.assertEqual(self.tree.size(1), address)


class EncodeTests(MachineTestCase):
    def test_compose_from_fields(self):
        self.assertEqual(self.ok("encode", "IA32_EFER", "SCE=1", "LME=1", "NXE=1"), "0x0000000000000901\n")
        self.assertEqual(self.ok("encode", "efer", "NXE=1", "--base", "0x501"), "0x0000000000000D01\n")
        self.assertEqual(self.ok("encode", "IA32_PAT", "PA0=WB", "PA1=wt", "PA2=UC_MINUS", "PA3=0",
                                 "PA4=6", "PA5=4", "PA6=7", "PA7=UC"), "0x0007040600070406\n")

    def test_read_only_fields_need_allow_ro(self):
        self.fails(2, r"field LMA of IA32_EFER is read-only \(--allow-ro composes it anyway\)$",
                   "encode", "IA32_EFER", "LMA=1")
        self.fails(2, r"field REVISION_ID of IA32_VMX_BASIC is read-only", "encode", "IA32_VMX_BASIC",
                   "REVISION_ID=4")
        self.assertEqual(self.ok("encode", "efer", "LMA=1", "--base", "0x901", "--allow-ro"), "0x0000000000000D01\n")
        self.assertEqual(self.ok("encode", "IA32_VMX_BASIC", "REVISION_ID=4", "--allow-ro"), "0x0000000000000004\n")

    def test_undefined_values_of_strict_enumerations_need_allow_undefined(self):
        hint = r" is not a value its enumeration defines: WRMSR raises #GP \(--allow-undefined composes it anyway\)$"
        self.fails(2, r"IA32_PAT\.PA0 = 0x2" + hint, "encode", "IA32_PAT", "PA0=2")
        self.fails(2, r"IA32_MTRR_DEF_TYPE\.TYPE = 0x07" + hint, "encode", "IA32_MTRR_DEF_TYPE", "TYPE=7")
        self.fails(2, r"IA32_PAT\.PA0 = 0x2 \(from --base\)" + hint, "encode", "IA32_PAT", "PA1=WB", "--base", "2")
        self.assertEqual(self.ok("encode", "IA32_PAT", "PA0=2", "--allow-undefined"), "0x0000000000000002\n")
        self.assertEqual(self.ok("encode", "IA32_MTRR_DEF_TYPE", "TYPE=7", "E=1", "--allow-undefined"),
                         "0x0000000000000807\n")
        # defined values and fields that are not strict stay as they were
        self.assertEqual(self.ok("encode", "IA32_PAT", "PA0=7"), "0x0000000000000007\n")
        self.assertEqual(self.ok("encode", "IA32_X2APIC_ICR", "DELIVERY_MODE=3"), "0x0000000000000300\n")

    def test_json_is_decode_of_the_result(self):
        self.assertEqual(self.ok_json("encode", "IA32_EFER", "SCE=1", "LME=1", "LMA=1", "NXE=1", "--allow-ro"),
                         self.ok_json("decode", "IA32_EFER", "0xD01"))

    def test_round_trip_with_decode_over_the_spec(self):
        for msr in listing()[:: max(1, len(listing()) // 40)]:
            if not msr["fields"]:
                continue
            with self.subTest(msr["name"]):
                assignments = [f"{f['name']}={(1 << (f['msb'] - f['lsb'] + 1)) - 1}" for f in msr["fields"]]
                value = self.ok("encode", msr["name"], *assignments, "--allow-ro", "--allow-fault").strip()
                self.assertRegex(value, r"^0x[0-9A-F]{16}$")
                expected = ~int(msr["reserved_mask"], 16) & (2**64 - 1)
                self.assertEqual(int(value, 16), expected)

    def test_needs_no_machine(self):
        self.assertEqual(run("encode", "IA32_EFER", "NXE=1", env=dict(os.environ, X86MSR_CPU_ROOT="/nonexistent"))
                         .stdout, "0x0000000000000800\n")


class EncodeRulesTests(MachineTestCase):
    """encode refuses what a WRMSR would fault on by the value rules (the
    core's, as decode reports them) for the CPU of a dump: one test per rule."""
    DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
    INTEL = os.path.join(DATA, "cpuid-intel-rules.txt")  # MAXPHYADDR 39
    AMD = os.path.join(DATA, "cpuid-amd-rules.txt")      # MAXPHYADDR 48
    HINT = r" \(--allow-fault composes it anyway\)$"

    def test_write_zero_refuses_nonzero_status(self):
        for dump in (self.INTEL, self.AMD):
            self.fails(2, r"IA32_MC0_STATUS: WRMSR raises #GP \(write_zero\): only 0 may be written to the register "
                       r"unless HWCR\[18\] = 1 \(not known from CPUID alone on the CPU of the --cpuid dump\)" + self.HINT,
                       "encode", "IA32_MC0_STATUS", "VAL=1", "--cpuid", dump)
            self.assertEqual(self.ok("encode", "IA32_MC0_STATUS", "VAL=0", "--cpuid", dump), "0x0000000000000000\n")
            self.assertEqual(self.ok("encode", "IA32_MC0_STATUS", "VAL=1", "--cpuid", dump, "--allow-fault"),
                             "0x8000000000000000\n")

    def test_lock_is_composed_and_absent_fields_refused(self):
        # setting LOCK is a value WRMSR accepts (later writes fault: decode says so)
        self.assertEqual(self.ok("encode", "IA32_FEATURE_CONTROL", "LOCK=1", "ENABLE_VMX_OUTSIDE_SMX=1",
                                 "--cpuid", self.INTEL), "0x0000000000000005\n")
        self.fails(2, r"IA32_FEATURE_CONTROL: WRMSR raises #GP \(absent_field\): field ENABLE_VMX_INSIDE_SMX is "
                   r"absent on the CPU of the --cpuid dump" , "encode", "IA32_FEATURE_CONTROL",
                   "ENABLE_VMX_INSIDE_SMX=1", "--cpuid", self.INTEL)

    def test_physical_addresses_above_maxphyaddr_are_refused(self):
        phys_addr = r"IA32_APIC_BASE: WRMSR raises #GP \(phys_addr\): field APIC_BASE sets a physical-address bit " \
                    r"at or above MAXPHYADDR \(39 bits"
        self.fails(2, phys_addr + r".*\)" + self.HINT, "encode", "IA32_APIC_BASE", "APIC_BASE=0x8000000",
                   "--cpuid", self.INTEL)
        self.fails(2, phys_addr + r".*\) \(from --base\)" + self.HINT, "encode", "IA32_APIC_BASE", "EN=1",
                   "--base", "0x8000000000", "--cpuid", self.INTEL)
        self.fails(2, r"IA32_MTRR_PHYSBASE0: WRMSR raises #GP \(phys_addr\): field PHYSBASE", "encode",
                   "IA32_MTRR_PHYSBASE0", "PHYSBASE=0x8000000", "TYPE=WB", "--cpuid", self.INTEL, "--allow-undefined")
        self.assertEqual(self.ok("encode", "IA32_APIC_BASE", "APIC_BASE=0x8000000", "--cpuid", self.AMD),
                         "0x0000008000000000\n")

    def test_non_canonical_addresses_are_refused_per_vendor(self):
        canonical = r": WRMSR raises #GP \(canonical\): field {} is not a canonical address \(48-bit linear addresses\)"
        self.fails(2, "IA32_SYSENTER_ESP" + canonical.format("ESP") + self.HINT, "encode", "IA32_SYSENTER_ESP",
                   "ESP=0x0001000000000000", "--cpuid", self.INTEL)
        self.assertEqual(self.ok("encode", "IA32_SYSENTER_ESP", "ESP=0x0001000000000000", "--cpuid", self.AMD),
                         "0x0001000000000000\n")
        for dump in (self.INTEL, self.AMD):
            self.fails(2, "IA32_LSTAR" + canonical.format("TARGET_RIP") + self.HINT, "encode", "IA32_LSTAR",
                       "TARGET_RIP=0x0001000000000000", "--cpuid", dump)

    def test_undefined_memory_types_keep_allow_undefined(self):
        hint = r" is not a value its enumeration defines: WRMSR raises #GP \(--allow-undefined composes it anyway\)$"
        self.fails(2, r"IA32_PAT\.PA0 = 0x2" + hint, "encode", "IA32_PAT", "PA0=2", "--cpuid", self.INTEL)
        self.assertEqual(self.ok("encode", "IA32_PAT", "PA0=2", "--cpuid", self.INTEL, "--allow-undefined"),
                         "0x0000000000000002\n")
        self.assertEqual(self.ok("encode", "IA32_PAT", "PA0=2", "--cpuid", self.INTEL, "--allow-fault"),
                         "0x0000000000000002\n")


class DumpTests(MachineTestCase):
    def dumped(self, text):
        rows = [line.split() for line in text.splitlines()[1:]]
        return [(int(r[0]), int(r[1], 16), r[2], int(r[3], 16)) for r in rows]

    def test_table_has_every_implemented_register_and_skips_the_rest(self):
        out = self.ok("dump")
        self.assertEqual(out.splitlines()[0].split(), ["CPU", "ADDRESS", "NAME", "VALUE"])
        rows = self.dumped(out)
        self.assertEqual([r[1] for r in rows], readable_addresses(INTEL_END))
        self.assertTrue(all(r[0] == 0 for r in rows))
        self.assertIn((0, EFER, "IA32_EFER", EFER_LONG_MODE), rows)
        self.assertIn((0, PAT, "IA32_PAT", PAT_DEFAULT), rows)

    def test_table_columns_line_up(self):
        self.tree.add_cpu(12, INTEL_END, {EFER: 1})
        lines = self.ok("dump", "-c", "3,12").splitlines()
        value_column = lines[0].index("VALUE")
        name_column = lines[0].index("NAME")
        for line in lines[1:]:
            self.assertRegex(line[value_column:], r"^0x[0-9A-F]{16}$")
            self.assertRegex(line[name_column - 2:name_column + 1], r"^  \S$")
        self.assertTrue(lines[-1].startswith("12   0x"))
        self.assertTrue(lines[1].startswith("3    0x"))

    def test_each_cpu_its_own_registers(self):
        os.truncate(self.tree.path(2), 0x1000)
        rows = self.dumped(self.ok("dump", "-c", "1-2"))
        self.assertEqual([r[1] for r in rows if r[0] == 1], readable_addresses(INTEL_END))
        self.assertEqual([r[1] for r in rows if r[0] == 2], readable_addresses(0x1000))
        rows = self.dumped(self.ok("dump", "-a"))
        self.assertEqual(sorted({r[0] for r in rows}), [0, 1, 2, 3])
        self.assertIn((3, EFER, "IA32_EFER", 0x501), rows)

    def test_snapshot_round_trip(self):
        snapshot = self.ok("dump", "-a", "--snapshot")
        lines = snapshot.splitlines()
        self.assertTrue(lines[0].startswith("# x86msr snapshot"))
        self.assertEqual([line for line in lines if line.startswith("# cpu")], [f"# cpu {c}" for c in range(4)])
        self.assertIn("0xC0000080 0x0000000000000501  # IA32_EFER", lines)
        path = os.path.join(self._dir.name, "snap.txt")
        with open(path, "w") as f:
            f.write(snapshot)
        self.assertEqual(self.ok("dump", "--from", path, "--snapshot"), snapshot)
        self.assertEqual(self.ok("dump", "--from", path), self.ok("dump", "-a"))
        self.assertEqual(self.ok_json("dump", "--from", path), self.ok_json("dump", "-a"))
        self.assertEqual(self.ok("dump", "--from", "-", "--snapshot", stdin=snapshot), snapshot)
        # -c picks CPUs of the file; a different machine is not needed to read it
        env = dict(os.environ, X86MSR_CPU_ROOT="/nonexistent")
        self.assertEqual(self.ok("dump", "--from", path, "-c", "3", env=env), self.ok("dump", "-c", "3"))

    def test_json_entries_are_read_entries(self):
        data = self.ok_json("dump", "-c", "3")
        efer = next(e for e in data if e["name"] == "IA32_EFER")
        self.assertEqual(efer, self.ok_json("read", "-c", "3", "IA32_EFER")[0])
        self.assertEqual(len(data), len(readable_addresses(INTEL_END)))

    def test_write_only_registers_are_not_read(self):
        wo = {int(m["address"], 16) for m in listing() if m["access"] == "wo"}
        rows = self.dumped(self.ok("dump"))
        self.assertFalse(wo & {r[1] for r in rows} - set(readable_addresses(INTEL_END)))

    def test_short_read_is_an_error_but_the_dump_goes_on(self):
        os.truncate(self.tree.path(0), PAT + 4)
        result = self.tool("dump")
        self.assertEqual(result.returncode, 1)
        self.assertRegex(result.stderr, r"^x86msr: cpu 0: cannot read IA32_PAT \(0x00000277\): short transfer")
        self.assertEqual([r[1] for r in self.dumped(result.stdout)], readable_addresses(PAT + 4))


def snapshot_file(test, text):
    path = os.path.join(test._dir.name, "in.txt")
    with open(path, "w", newline="") as f:
        f.write(text)
    return path


class SnapshotTests(MachineTestCase):
    def test_format_details(self):
        path = snapshot_file(self, "  # a comment\n\n0x3A 5\n3221225600\t0xD01   # IA32_EFER\r\n"
                                   "#cpu 2\n0x277 0x0007_0406_0007_0406\n# cpu   7  \n")
        self.assertEqual(self.ok("dump", "--from", path, "--snapshot"),
                         "# x86msr snapshot: one 'ADDRESS VALUE' per line; '# cpu N' starts CPU N's values\n"
                         "# cpu 0\n"
                         "0x0000003A 0x0000000000000005  # IA32_FEATURE_CONTROL\n"
                         "0xC0000080 0x0000000000000D01  # IA32_EFER\n"
                         "# cpu 2\n"
                         "0x00000277 0x0007040600070406  # IA32_PAT\n"
                         "# cpu 7\n")

    def test_values_sorted_and_unknown_addresses_kept(self):
        path = snapshot_file(self, "0xC0000080 1\n0x2F1 2\n0x3A 3\n")
        rows = self.ok("dump", "--from", path).splitlines()[1:]
        self.assertEqual([r.split()[1] for r in rows], ["0x0000003A", "0x000002F1", "0xC0000080"])
        unknown = [r for r in rows if "0x000002F1" in r][0]
        if not any(int(m["address"], 16) == 0x2F1 for m in listing()):
            self.assertEqual(unknown.split()[2], "-")
            self.assertIsNone(self.ok_json("dump", "--from", path)[1]["name"])

    def test_malformed_snapshots(self):
        cases = [
            ("0x3A\n", r"in.txt:1: expected 'ADDRESS VALUE', got one word$"),
            ("0x3A 1 2\n", r"in.txt:1: expected 'ADDRESS VALUE', got more words$"),
            ("\n0x3G 1\n", r"in.txt:2: invalid address '0x3G': 'G' is not a hex digit$"),
            ("0x100000000 1\n", r"in.txt:1: invalid address '0x100000000': does not fit in 32 bits$"),
            ("0x3A 0x1_0000_0000_0000_0000\n", r"in.txt:1: invalid value '0x1_0000_0000_0000_0000': does not fit"),
            ("0x3A -1\n", r"in.txt:1: invalid value '-1': a sign is not allowed$"),
            ("0x3A 010\n", r"in.txt:1: invalid value '010': leading zero"),
            ("0x3A 1\n0x3a 2\n", r"in.txt:2: address 0x0000003A given twice for cpu 0 \(first at line 1\)$"),
            ("# cpu 1\n# cpu 1\n", r"in.txt:2: cpu 1 appears twice \(first at line 1\)$"),
            ("0x3A 1\n# cpu 0\n", r"in.txt:2: cpu 0 appears twice \(values before the first '# cpu' line"),
            ("# cpu\n", r"in.txt:1: malformed cpu line \(expected '# cpu N'\)$"),
            ("# cpu 1 2\n", r"in.txt:1: malformed cpu line"),
            ("# cpu x\n", r"in.txt:1: invalid cpu number 'x': 'x' is not a decimal digit$"),
            ("# cpu 65536\n", r"in.txt:1: invalid cpu number '65536': the largest is 65535$"),
            ("0x3A 1\0\n", r"in.txt:1: NUL byte"),
        ]
        for text, pattern in cases:
            with self.subTest(text=text):
                self.fails(2, r"\S*" + pattern, "dump", "--from", snapshot_file(self, text))
                self.fails(2, r"\S*" + pattern, "dump", "--json", "--from", snapshot_file(self, text),
                           code="bad_file")

    def test_cpu_selection_among_the_snapshot(self):
        path = snapshot_file(self, "# cpu 0\n0x3A 1\n# cpu 4\n0x3A 2\n")
        self.assertEqual([r.split()[0] for r in self.ok("dump", "--from", path, "-a").splitlines()[1:]], ["0", "4"])
        self.assertEqual([r.split()[0] for r in self.ok("dump", "--from", path, "-c", "4").splitlines()[1:]], ["4"])
        self.fails(2, r"\S*in.txt has no CPU 2 \(it has cpus 0,4\)$", "dump", "--from", path, "-c", "2")

    def test_missing_file_is_a_runtime_failure(self):
        self.fails(1, r"cannot open snapshot '/nonexistent/snap': No such file or directory$",
                   "dump", "--from", "/nonexistent/snap")
        self.fails(1, r"cannot open snapshot", "dump", "--json", "--from", "/nonexistent/snap", code="io")

    def test_empty_snapshot_prints_nothing(self):
        self.assertEqual(self.ok("dump", "--from", snapshot_file(self, "# nothing\n")), "")


SNAPSHOTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vmx", "snapshots")
SKYLAKE = os.path.join(SNAPSHOTS, "intel-core-i7-6700k-skylake.txt")
TERTIARY = os.path.join(SNAPSHOTS, "synthetic-tertiary.txt")


class DiffTests(MachineTestCase):
    """`diff A B`: snapshots and live CPUs, register by register, field by field,
    VMX control by control in both directions; exit 0 same, 1 different, 2 trouble."""

    def write(self, name, text):
        path = os.path.join(self._dir.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def diff(self, *args, status=1, **kwargs):
        result = self.tool("diff", *args, **kwargs)
        self.assertEqual(result.returncode, status, result.stderr)
        self.assertEqual(result.stderr, "")
        return result.stdout

    def test_same_is_status_0_and_prints_nothing(self):
        self.assertEqual(self.diff(SKYLAKE, SKYLAKE, status=0), "")
        data = json.loads(self.diff("--json", SKYLAKE, SKYLAKE, status=0))
        self.assertTrue(data["equal"])
        self.assertEqual(data["pairs"][0]["registers"], [])
        self.assertEqual(data["pairs"][0]["vmx"], {"a": "present", "b": "present", "a_allows": [], "b_allows": []})

    def test_registers_fields_and_vmx_controls_both_ways(self):
        out = self.diff(SKYLAKE, TERTIARY)
        lines = out.splitlines()
        self.assertEqual(lines[:2], [f"--- A: {SKYLAKE}", f"+++ B: {TERTIARY}"])
        self.assertIn("IA32_FEATURE_CONTROL (0x0000003A): only in A: 0x0000000000000005", lines)
        self.assertIn("IA32_VMX_PROCBASED_CTLS3 (0x00000492): only in B: 0x8000000000000011", lines)
        i = lines.index("IA32_VMX_EXIT_CTLS (0x00000483): 0x01FFFFFF00036DFF -> 0x81FFFFFF00036DFF")
        self.assertEqual(lines[i + 1], "  ALLOWED_1: 0x01FFFFFF -> 0x81FFFFFF")
        self.assertNotIn("VMX controls A allows and B does not:", lines)
        i = lines.index("VMX controls B allows and A does not:")
        self.assertIn("  primary    ACTIVATE_TERTIARY_CONTROLS (bit 17): may be 1 on B, must be 0 on A", lines[i:])
        self.assertIn("  tertiary   IPI_VIRTUALIZATION (bit 4): may be 1 on B, must be 0 on A", lines[i:])
        self.assertIn("  tertiary   bit 63: may be 1 on B, must be 0 on A", lines[i:])
        # the other way round: the same gaps, told from the other side
        back = self.diff(TERTIARY, SKYLAKE).splitlines()
        self.assertIn("  primary    ACTIVATE_TERTIARY_CONTROLS (bit 17): may be 1 on A, must be 0 on B", back)
        self.assertNotIn("VMX controls B allows and A does not:", back)

    def test_must_be_one_controls_and_cr_fixed_bits(self):
        with open(SKYLAKE) as f:
            text = f.read()
        text = text.replace("0x48E  0xFFF9FFFE04006172", "0x48E  0xFFF9FFFE0400E172")  # CR3_LOAD_EXITING forced
        text = text.replace("0x486  0x0000000080000021", "0x486  0x0000000080000023")  # CR0.MP forced
        text = text.replace("0x48B  0x001FFCFF00000000", "0x48B  0x001FFCFD00000000")  # no ENABLE_EPT
        b = self.write("b.txt", text)
        lines = self.diff(SKYLAKE, b).splitlines()
        i = lines.index("VMX controls A allows and B does not:")
        self.assertEqual(sorted(lines[i + 1:]), sorted([
            "  primary    CR3_LOAD_EXITING (bit 15): may be 0 on A, must be 1 on B",
            "  secondary  ENABLE_EPT (bit 1): may be 1 on A, must be 0 on B",
            "  cr0        MP (bit 1): may be 0 on A, must be 1 on B",
        ]))
        data = json.loads(self.diff("--json", SKYLAKE, b))
        vmx = data["pairs"][0]["vmx"]
        self.assertIn({"set": "primary", "bit": 15, "name": "CR3_LOAD_EXITING", "may_be": 0}, vmx["a_allows"])
        self.assertIn({"set": "secondary", "bit": 1, "name": "ENABLE_EPT", "may_be": 1}, vmx["a_allows"])
        self.assertIn({"set": "cr0", "bit": 1, "name": "MP", "may_be": 0}, vmx["a_allows"])
        self.assertEqual(vmx["b_allows"], [])
        self.assertFalse(data["equal"])

    def test_a_live_cpu_against_its_snapshot(self):
        snap = self.write("cpu0.snap", self.ok("dump", "-c", "0", "--snapshot"))
        self.assertEqual(self.diff("cpu:0", snap, status=0), "")
        self.tree.set(0, EFER, 0x501)
        out = self.diff(snap, "cpu:0")
        # (in a fake tree MSRs overlap: IA32_STAR at 0xC0000081 holds EFER's upper bytes, and changes too)
        self.assertTrue(out.startswith(f"--- A: {snap}\n+++ B: cpu 0 of this machine\n"
                                       "IA32_EFER (0xC0000080): 0x0000000000000D01 -> 0x0000000000000501\n"
                                       "  NXE: 0x1 -> 0x0\n"), out)
        data = json.loads(self.diff("--json", snap, "cpu:0"))
        self.assertEqual(data["b"], {"source": "cpu 0 of this machine", "cpus": [0]})
        self.assertEqual(data["pairs"][0]["registers"][:1], [{
            "name": "IA32_EFER", "address": "0xC0000080", "a": "0x0000000000000D01", "a_int": 0xD01,
            "b": "0x0000000000000501", "b_int": 0x501,
            "fields": [{"name": "NXE", "lsb": 11, "msb": 11, "a": "0x1", "a_int": 1, "b": "0x0", "b_int": 0}],
            "reserved_a": "0x0000000000000000", "reserved_b": "0x0000000000000000"}])
        vmx = data["pairs"][0]["vmx"]  # the fake tree's overlapping VMX MSRs contradict themselves
        self.assertEqual((vmx["a"], vmx["b"]), ("inconsistent", "inconsistent"))

    def test_two_live_cpus(self):
        self.assertIn("IA32_EFER (0xC0000080): 0x0000000000000D01 -> 0x0000000000000501",
                      self.diff("cpu:0", "cpu:3"))
        self.assertEqual(self.diff("cpu:0", "cpu:1", status=0), "")

    def test_snapshots_of_several_cpus_cpu_by_cpu(self):
        before = self.write("before.snap", self.ok("dump", "-a", "--snapshot"))
        self.tree.set(2, PAT, 0)
        after = self.write("after.snap", self.ok("dump", "-c", "0-2", "--snapshot"))
        lines = self.diff(before, after).splitlines()
        self.assertEqual(lines[2:], ["cpu 2:",
                                     "  IA32_PAT (0x00000277): 0x0007040600070406 -> 0x0000000000000000",
                                     "    PA0: 0x6 -> 0x0", "    PA1: 0x4 -> 0x0", "    PA2: 0x7 -> 0x0",
                                     "    PA4: 0x6 -> 0x0", "    PA5: 0x4 -> 0x0", "    PA6: 0x7 -> 0x0",
                                     "cpu 3: only in A"])
        self.assertEqual(self.diff(f"{before}@1", f"{after}@1", status=0), "")
        self.assertIn("IA32_PAT", self.diff(f"{before}@1", f"{after}@2"))
        self.assertIn("IA32_PAT", self.diff(f"{after}@2", "cpu:2", status=0) + "IA32_PAT")

    def test_common_leaves_out_registers_on_one_side(self):
        snap = self.write("vmx.snap", "0x480 0x00DA040000000004\n0xC0000080 0xD01\n")
        self.assertIn("only in B", self.diff(snap, "cpu:0"))
        self.assertEqual(self.diff("--common", snap, "cpu:0", status=0), "")

    def test_trouble_is_status_2(self):
        snap = self.write("two.snap", "# cpu 0\n0x3A 1\n# cpu 1\n0x3A 1\n")
        cases = [
            (["diff", SKYLAKE], r"missing argument B", "usage"),
            (["diff", "/nonexistent/a", SKYLAKE], r"cannot open snapshot '/nonexistent/a'", "io"),
            (["diff", "cpu:x", SKYLAKE], r"invalid CPU in 'cpu:x': 'x' is not a decimal digit$", "bad_number"),
            (["diff", "cpu:9", SKYLAKE], r"cpu 9: cannot open \S+/cpu/9/msr: no such CPU", "no_cpu"),
            (["diff", SKYLAKE, snap], rf"{re.escape(SKYLAKE)} has one CPU and {re.escape(snap)} has 2: name one "
                                      rf"of them with {re.escape(snap)}@N$", "usage"),
            (["diff", f"{snap}@7", SKYLAKE], rf"{re.escape(snap)} has no CPU 7 \(it has cpus 0-1\)$", "no_cpu"),
            (["diff", "-", "-"], r"A and B cannot both be standard input", "usage"),
            (["diff", self.write("bad.snap", "0x3A\n"), SKYLAKE], r"\S+bad.snap:1: expected 'ADDRESS VALUE'",
             "bad_file"),
        ]
        for args, pattern, code in cases:
            with self.subTest(args=args):
                self.fails(2, pattern, *args)
                self.fails(2, pattern, args[0], "--json", *args[1:], code=code)
        with open(SKYLAKE) as f:
            self.assertEqual(self.diff("-", SKYLAKE, status=0, stdin=f.read()), "")


class WatchTests(MachineTestCase):
    """`watch`: samples, counter deltas with wrap-around, other fields' changes, -n,
    Ctrl-C, JSON Lines -- on a fake tree the test changes between samples."""

    ENERGY = 0x611  # PKG_ENERGY_STATUS: ENERGY 31:0 is a counter
    TSC = 0x10

    def start(self, *args):
        proc = subprocess.Popen([TOOL, "watch", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=self.env)
        self.addCleanup(proc.stderr.close)
        self.addCleanup(proc.stdout.close)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        return proc

    def lines_of_sample(self, proc, count):
        return [proc.stdout.readline() for _ in range(count)]

    def test_counters_wrap_and_other_fields_change(self):
        self.tree.set(0, self.ENERGY, 0xFFFF_FFF0)
        self.tree.set(0, self.TSC, 1000)
        proc = self.start("-i", "0.05", "-n", "3", "PKG_ENERGY_STATUS", "IA32_TIME_STAMP_COUNTER", "IA32_EFER")
        header = proc.stdout.readline()
        self.assertEqual(header.split(), ["TIME", "CPU", "REGISTER", "VALUE", "CHANGE"])
        first = self.lines_of_sample(proc, 3)
        self.tree.set(0, self.ENERGY, 0x10)       # wrapped past 32 bits: +0x20
        self.tree.set(0, self.TSC, 1000 + 123456)
        self.tree.set(0, EFER, 0x501)             # NXE 1 -> 0
        rest = proc.stdout.read().splitlines()
        err = proc.stderr.read()
        self.assertEqual(proc.wait(timeout=30), 0, err)
        self.assertEqual(err, "")
        lines = [line.rstrip("\n") for line in first] + rest
        self.assertEqual(len(lines), 9, lines)
        rows = [line.split(None, 4) for line in lines]
        self.assertEqual([r[2] for r in rows], ["PKG_ENERGY_STATUS", "IA32_TIME_STAMP_COUNTER", "IA32_EFER"] * 3)
        self.assertEqual(rows[0][3], "0x00000000FFFFFFF0")
        self.assertEqual(len(rows[0]), 4, "no change column on the first sample")
        for later, earlier in zip(rows[3:], rows):
            old, new = int(earlier[3], 16), int(later[3], 16)
            change = later[4] if len(later) > 4 else ""
            if later[2] == "PKG_ENERGY_STATUS":
                self.assertRegex(change, rf"^ENERGY \+{(new - old) % 2**32} \(\d+/s\)$")
            elif later[2] == "IA32_TIME_STAMP_COUNTER":
                self.assertRegex(change, rf"^TSC \+{new - old} \(\d+/s\)$")
            else:
                self.assertEqual(change, "NXE 0x1 -> 0x0" if old != new else "")
        energy = [int(r[3], 16) for r in rows if r[2] == "PKG_ENERGY_STATUS"]
        self.assertEqual(energy[-1], 0x10, "the last sample saw the change")
        self.assertIn("ENERGY +32 ", " ".join(lines), "the wrap from 0xFFFFFFF0 to 0x10 counts 32")

    def test_json_lines(self):
        self.tree.set(1, self.TSC, 2**64 - 1)
        out = self.ok("watch", "-i", "0.05", "-n", "2", "-c", "1", "TSC", "--json")
        samples = [json.loads(line) for line in out.splitlines()]
        self.assertEqual([s["sample"] for s in samples], [1, 2])
        first, second = samples[0]["readings"][0], samples[1]["readings"][0]
        self.assertEqual(first, {"cpu": 1, "name": "IA32_TIME_STAMP_COUNTER", "address": "0x00000010",
                                 "value": "0xFFFFFFFFFFFFFFFF"})
        self.assertEqual(second["counters"][0]["name"], "TSC")
        self.assertEqual(second["counters"][0]["delta"], "0x0000000000000000")
        self.assertEqual(second["counters"][0]["delta_int"], 0)
        self.assertEqual(second["changed"], [])
        self.assertGreater(samples[1]["time"], samples[0]["time"])

    def test_every_cpu(self):
        out = self.ok("watch", "-i", "0.05", "-n", "2", "-a", "IA32_EFER")
        self.assertEqual([line.split()[1] for line in out.splitlines()[1:]], ["0", "1", "2", "3"] * 2)

    def test_ctrl_c_finishes_the_sample_and_exits_0(self):
        proc = self.start("-i", "0.05", "TSC", "IA32_PAT")
        proc.stdout.readline()
        self.lines_of_sample(proc, 4)
        proc.send_signal(signal.SIGINT)
        rest = proc.stdout.read()
        self.assertEqual(proc.wait(timeout=30), 0, proc.stderr.read())
        self.assertTrue(rest == "" or rest.endswith("\n"), repr(rest))
        self.assertEqual(len(rest.splitlines()) % 2, 0, "whole samples only")

    def test_bad_usage(self):
        cases = [
            (["watch"], r"missing argument NAME\|ADDRESS", "usage"),
            (["watch", "-i", "0", "TSC"], r"invalid interval '0': must be above 0$", "bad_number"),
            (["watch", "-i", "x", "TSC"], r"invalid interval 'x': expected seconds, such as 1, 0.5 or 0.05$",
             "bad_number"),
            (["watch", "-i", "-1", "TSC"], r"invalid interval '-1'", "bad_number"),
            (["watch", "-i", "100000", "TSC"], r"invalid interval '100000': at most 86400 seconds$", "bad_number"),
            (["watch", "-n", "0", "TSC"], r"invalid count '0': must be at least 1$", "bad_number"),
            (["watch", "TSX"], r"unknown MSR 'TSX'", "unknown_msr"),
            (["watch", "-c", "0", "-a", "TSC"], r"-c and -a exclude each other", "usage"),
        ]
        wo = [m["name"] for m in listing() if m["access"] == "wo"]
        if wo:
            cases.append((["watch", wo[0]], rf"{wo[0]} is write-only: it cannot be read$", "refused"))
        for args, pattern, code in cases:
            with self.subTest(args=args):
                self.fails(2, pattern, *args)
                self.fails(2, pattern, args[0], "--json", *args[1:], code=code)
        self.fails(1, r"cpu 9: cannot read IA32_TIME_STAMP_COUNTER \(0x00000010\) through \S+: no such CPU",
                   "watch", "-c", "9", "-n", "1", "TSC")
        self.fails(1, r"cpu 9: ", "watch", "--json", "-c", "9", "-n", "1", "TSC", code="no_cpu")

    def test_a_register_the_cpu_lacks_is_reported_once(self):
        result = self.tool("watch", "-i", "0.05", "-n", "3", "TSC", "0xC0010000")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
        self.assertEqual(len(result.stdout.splitlines()), 1 + 3)


def drop_dac_override():
    """A command prefix that runs as root without CAP_DAC_OVERRIDE (and
    CAP_DAC_READ_SEARCH), so file modes stop root as they stop other users:
    how a test gets EACCES as root. None where that is not possible."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return None
    prefix = ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"]
    probe = subprocess.run(prefix + ["true"], capture_output=True)
    return prefix if probe.returncode == 0 else None


class MachineErrorTests(MachineTestCase):
    """Failures of the whole CPU: exit 1, one line naming the CPU, the device and
    what to do about it *here* (x86msr/linux.h, msr_linux_cause): not root, root
    without the driver, no kernel modules (a container), kernel lockdown. The
    fake tree supplies the module tree and the lockdown file too
    (X86MSR_MODULES_DIR, X86MSR_LOCKDOWN_FILE), so no test depends on the machine."""

    WHOLE_CPU = r"cpu \d: cannot (read IA32_\w+ \(0x[0-9A-F]{8}\) through|write IA32_\w+ \(0x[0-9A-F]{8}\) through|open) "

    def absent_root_env(self):
        # sysfs lists CPUs 0-3 (as on a machine without the driver); opening one fails
        return dict(self.tree.env(sysfs=True), X86MSR_CPU_ROOT=os.path.join(self._dir.name, "absent"))

    def test_no_driver_as_root_with_kernel_modules(self):
        for args in (["read", "IA32_EFER"], ["read", "-c", "1", "IA32_EFER"], ["write", "-c", "0", "IA32_PAT", "0"],
                     ["dump", "-c", "0"], ["vmxcap"]):
            with self.subTest(args=args):
                self.fails(1, r"cpu \d: cannot (read IA32_\w+ \(0x[0-9A-F]{8}\) through|open) \S+/absent/\d/msr: "
                              r"the msr driver is not loaded: load it with 'modprobe msr'$", *args,
                           env=self.absent_root_env())
                self.fails(1, r".*: the msr driver is not loaded: load it with 'modprobe msr'$", *args, "--json",
                           env=self.absent_root_env(), code="no_driver")
        # without sysfs, the missing root is listed
        self.fails(1, r"cannot list the online CPUs \(of \S+/absent\): the msr driver is not loaded",
                   "dump", "-a", env=dict(self.env, X86MSR_CPU_ROOT=os.path.join(self._dir.name, "absent")))

    def test_no_driver_and_not_root(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to drop to nobody")
        self.fails(1, r"cpu 0: cannot read IA32_EFER \(0xC0000080\) through \S+/absent/0/msr: the msr driver is not "
                      r"loaded: run 'modprobe msr' as root$", "read", "IA32_EFER", env=self.absent_root_env(),
                   unprivileged=True)

    def test_no_driver_in_a_container(self):
        self.tree.remove_modules()
        for args in (["read", "IA32_EFER"], ["dump"], ["write", "-a", "IA32_PAT", "0"]):
            with self.subTest(args=args):
                self.fails(1, self.WHOLE_CPU + r"\S+/absent/0/msr: the msr driver cannot be loaded here \(no kernel "
                                               r"modules, e.g. in a container\); run on the host or pass /dev/cpu "
                                               r"into the container$", *args, env=self.absent_root_env())
        self.fails(1, r".*: the msr driver cannot be loaded here", "read", "--json", "IA32_EFER",
                   env=self.absent_root_env(), code="no_driver")

    def test_no_driver_when_cpu_directories_have_no_msr_file(self):
        tree = FakeTree(os.path.join(self._dir.name, "cpuid-only"))
        tree.add_cpu_dir(0)
        tree.add_cpu_dir(1)
        self.fails(1, r"cpu 0: cannot read IA32_EFER \(0xC0000080\) through \S+/cpuid-only/cpu/0/msr: the msr driver "
                      r"is not loaded: load it with 'modprobe msr'$", "read", "-a", "IA32_EFER", env=tree.env())

    def test_no_such_cpu(self):
        for args in (["read", "-c", "0,9", "IA32_EFER"], ["write", "-c", "9", "IA32_PAT", "0"],
                     ["dump", "-c", "9"], ["dump", "-c", "0,9"]):
            with self.subTest(args=args):
                self.fails(1, r"cpu 9: cannot (read IA32_\w+ \(0x[0-9A-F]{8}\) through|open) \S+/cpu/9/msr: "
                              r"no such CPU, or the CPU is offline$", *args)
                self.fails(1, r"cpu 9: ", *args, "--json", code="no_cpu")

    def test_not_root(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to drop to nobody")
        for args in (["read", "IA32_EFER"], ["dump"], ["write", "-a", "IA32_PAT", "0"], ["vmxcap", "-c", "0"]):
            with self.subTest(args=args):
                self.fails(1, r"cpu 0: cannot (read IA32_\w+ \(0x[0-9A-F]{8}\) through|open) \S+/cpu/0/msr: "
                              r"permission denied: run as root or with CAP_SYS_RAWIO$", *args, unprivileged=True)
                self.fails(1, r"cpu 0: .*run as root or with CAP_SYS_RAWIO$", *args, "--json", unprivileged=True,
                           code="permission")

    def test_write_permission_alone(self):
        for cpu in range(4):
            os.chmod(self.tree.path(cpu), 0o444)
        if os.geteuid() != 0:
            self.skipTest("needs root to drop to nobody")
        self.assertIn("IA32_PAT", self.tool("read", "IA32_PAT", unprivileged=True).stdout)
        self.fails(1, r"cpu 0: cannot write IA32_PAT \(0x00000277\) through \S+/cpu/0/msr: permission denied: run as "
                      r"root", "write", "-c", "0", "IA32_PAT", "0", unprivileged=True)
        self.assertEqual(self.tree.get(0, PAT), PAT_DEFAULT)

    def as_root_without_dac_override(self, *args, **kwargs):
        prefix = drop_dac_override()
        if prefix is None:
            self.skipTest("needs root and setpriv to drop CAP_DAC_OVERRIDE")
        return subprocess.run(prefix + [TOOL, *args], capture_output=True, text=True, timeout=60,
                              env=kwargs.get("env", self.env))

    def test_root_without_the_capability(self):
        for cpu in range(4):
            os.chmod(self.tree.path(cpu), 0)
        result = self.as_root_without_dac_override("read", "IA32_EFER")
        self.assertEqual(result.returncode, 1)
        self.assertRegex(result.stderr, r"^x86msr: cpu 0: cannot read IA32_EFER \(0xC0000080\) through \S+: "
                                        r"permission denied although running as root: the process lacks "
                                        r"CAP_SYS_RAWIO \(a container, or a dropped capability\)\n$")

    def test_kernel_lockdown_blocks_writes(self):
        for cpu in range(4):
            os.chmod(self.tree.path(cpu), 0o444)  # reads work, writes are refused (as lockdown refuses them)
        for mode in ("integrity", "confidentiality"):
            with self.subTest(mode=mode):
                self.tree.set_lockdown(mode)
                result = self.as_root_without_dac_override("write", "-c", "1", "IA32_PAT", "0")
                self.assertEqual(result.returncode, 1)
                self.assertRegex(result.stderr, r"^x86msr: cpu 1: cannot write IA32_PAT \(0x00000277\) through "
                                                r"\S+/cpu/1/msr: kernel lockdown blocks MSR writes "
                                                r"\(/sys/kernel/security/lockdown is not 'none'\); reads still work\n$")
                result = self.as_root_without_dac_override("write", "--json", "-c", "1", "IA32_PAT", "0")
                self.assertEqual(check_json_error(self, result, "lockdown")["message"],
                                 result.stderr[len("x86msr: "):-1])
                self.assertEqual(self.as_root_without_dac_override("read", "-c", "1", "IA32_PAT").returncode, 0)
        self.tree.set_lockdown("none")
        result = self.as_root_without_dac_override("write", "-c", "1", "IA32_PAT", "0")
        self.assertRegex(result.stderr, r"permission denied although running as root")
        self.assertEqual(self.tree.get(1, PAT), PAT_DEFAULT)

    def test_malformed_online_list(self):
        self.tree.set_online("0-3 junk\n")
        self.fails(1, r"cannot list the online CPUs \(of \S+\): the kernel's list of online CPUs is malformed$",
                   "read", "IA32_EFER", env=self.tree.env(sysfs=True))
        os.remove(os.path.join(self.tree.sysfs, "online"))
        self.fails(1, r"cannot list the online CPUs \(of \S+\): cannot read the kernel's list of online CPUs$",
                   "dump", "-a", env=self.tree.env(sysfs=True))
        self.fails(1, r"cannot list the online CPUs", "dump", "--json", "-a", env=self.tree.env(sysfs=True),
                   code="io")

    def test_empty_tree_has_no_cpus(self):
        tree = FakeTree(os.path.join(self._dir.name, "empty"))
        self.fails(1, r"no CPUs found under \S+/empty/cpu$", "dump", env=tree.env())


# (arguments, pattern of the single stderr line after "x86msr: "); all exit 2
BAD_USAGE = [
    (["read"], r"missing argument NAME\|ADDRESS \(try 'x86msr read --help'\)$", "usage"),
    (["read", "IA32_EFFER"], r"unknown MSR 'IA32_EFFER' \(did you mean IA32_EFER\?\)$", "unknown_msr"),
    (["read", "0x3Z"], r"invalid MSR address '0x3Z': 'Z' is not a hex digit$", "bad_number"),
    (["read", "-c", "", "IA32_EFER"], r"invalid CPU list '': empty$", "bad_number"),
    (["read", "-c", "1,", "IA32_EFER"], r"invalid CPU list '1,': empty item$", "bad_number"),
    (["read", "-c", ",1", "IA32_EFER"], r"invalid CPU list ',1': empty item$", "bad_number"),
    (["read", "-c", "x", "IA32_EFER"], r"invalid CPU list 'x': 'x' is not a decimal digit$", "bad_number"),
    (["read", "-c", "1x", "IA32_EFER"], r"invalid CPU list '1x': 'x' is not a decimal digit$", "bad_number"),
    (["read", "-c", "01", "IA32_EFER"], r"invalid CPU list '01': leading zero", "bad_number"),
    (["read", "-c", "-1", "IA32_EFER"], r"invalid CPU list '-1': a range needs a CPU on each side of '-'$",
     "bad_number"),
    (["read", "-c", "3-", "IA32_EFER"], r"invalid CPU list '3-': a range needs a CPU on each side of '-'$",
     "bad_number"),
    (["read", "-c", "3-1", "IA32_EFER"], r"invalid CPU list '3-1': range 3-1 goes down$", "bad_number"),
    (["read", "-c", "1-2-3", "IA32_EFER"], r"invalid CPU list '1-2-3': '-' is not a decimal digit$", "bad_number"),
    (["read", "-c", "0-3,2", "IA32_EFER"], r"invalid CPU list '0-3,2': CPU 2 given twice$", "bad_number"),
    (["read", "-c", "65536", "IA32_EFER"],
     r"invalid CPU list '65536': CPU 65536 is out of range \(the largest is 65535\)$", "bad_number"),
    (["read", "-c", "0x1_0000_0000", "IA32_EFER"], r"invalid CPU list '0x1_0000_0000': does not fit in 32 bits$",
     "bad_number"),
    (["read", "-c", "0", "-a", "IA32_EFER"], r"-c and -a exclude each other", "usage"),
    (["read", "-c", "0", "-c", "1", "IA32_EFER"], r"option '-c' given twice$", "usage"),
    (["read", "-f", "NXF", "IA32_EFER"], r"IA32_EFER has no field 'NXF' \(did you mean NXE\?\)$", "unknown_field"),
    (["read", "-f", "NXE", "IA32_EFER", "IA32_PAT"], r"IA32_PAT has no field 'NXE'", "unknown_field"),
    (["read", "--al", "IA32_EFER"], r"unknown option '--al' for 'read' \(did you mean --all\?\)$", "usage"),
    (["write", "-a"], r"missing argument NAME\|ADDRESS \(try 'x86msr write --help'\)$", "usage"),
    (["write", "-a", "IA32_EFER"], r"missing argument VALUE\|FIELD=VALUE \(try 'x86msr write --help'\)$",
     "usage"),
    (["write", "-a", "IA32_EFER", "1", "2"], r"unexpected argument '2': give one VALUE or FIELD=VALUE assignments$",
     "usage"),
    (["write", "-a", "IA32_EFER", "1", "NXE=1"], r"unexpected argument 'NXE=1': give one VALUE or FIELD", "usage"),
    (["write", "-a", "IA32_EFER", "NXE=1", "1"], r"unexpected argument '1': give one VALUE or FIELD", "usage"),
    (["write", "-a", "IA32_EFER", "0xD01G"], r"invalid value '0xD01G': 'G' is not a hex digit$", "bad_number"),
    (["write", "-a", "IA32_EFER", "NXE=2"], r"value 2 does not fit field IA32_EFER.NXE \(1 bit, at most 0x1\)$",
     "bad_value"),
    (["write", "-a", "IA32_EFER", "NXE=1", "nxe=0"], r"field NXE of IA32_EFER assigned twice$", "usage"),
    (["write", "-a", "IA32_EFER", "=1"], r"missing field name in '=1' \(expected FIELD=VALUE\)$", "usage"),
    (["write", "-a", "IA32_EFER", "NXE="], r"invalid value '' for IA32_EFER.NXE: empty$", "bad_number"),
    (["write", "-a", "IA32_PAT", "PA0=WX"], r"invalid value 'WX' for IA32_PAT.PA0: not a number or a value name "
                                             r"\(did you mean WC\?\)$", "bad_value"),
    (["write", "-a", "IA32_EFER", "NXE=yes"], r"invalid value 'yes' for IA32_EFER.NXE: 'y' is not a decimal digit$",
     "bad_number"),
    (["write", "--force", "-a", "0x2F1", "NXE=1"], r"MSR 0x000002F1 is not in the spec, so it has no fields",
     "unknown_field"),
    (["encode", "IA32_EFER"], r"missing argument FIELD=VALUE \(try 'x86msr encode --help'\)$", "usage"),
    (["encode", "IA32_EFER", "1"], r"expected FIELD=VALUE, got '1'$", "usage"),
    (["encode", "IA32_EFER", "LME=1", "--base", "x"], r"invalid value 'x': 'x' is not a decimal digit$", "bad_number"),
    (["encode", "IA32_EFER", "LMX=1"], r"IA32_EFER has no field 'LMX' \(did you mean LME\?\)$", "unknown_field"),
    (["encode", "0x2F1", "A=1"], r"no MSR at address 0x000002F1 in the spec$", "unknown_msr"),
    (["encode", "IA32_PAT", "PA0=0x8"], r"value 0x8 does not fit field IA32_PAT.PA0 \(3 bits, at most 0x7\)$",
     "bad_value"),
    (["dump", "IA32_EFER"], r"unexpected argument 'IA32_EFER'", "usage"),
    (["dump", "--json", "--snapshot"], r"--json and --snapshot exclude each other", "usage"),
    (["dump", "-a", "-c", "1"], r"-c and -a exclude each other", "usage"),
    (["dump", "--from"], r"option '--from' needs a value \(FILE\)$", "usage"),
]


class UsageTests(MachineTestCase):
    def test_bad_usage_is_one_line_and_status_2(self):
        known = {int(m["address"], 16) for m in listing()}
        for args, pattern, code in BAD_USAGE:
            if any("0x2F1" in a for a in args) and 0x2F1 in known:
                continue
            with self.subTest(args=args):
                self.fails(2, pattern, *args, code=code)

    def test_with_json_each_failure_is_one_error_object_on_stdout(self):
        known = {int(m["address"], 16) for m in listing()}
        for args, pattern, code in BAD_USAGE:
            if any("0x2F1" in a for a in args) and 0x2F1 in known or "--json" in args:
                continue
            with self.subTest(args=args):
                self.fails(2, pattern, args[0], "--json", *args[1:], code=code)

    def test_help_of_each_new_subcommand(self):
        for sub in ("read", "write", "encode", "dump"):
            for args in ([sub, "--help"], ["help", sub]):
                with self.subTest(args=args):
                    out = self.ok(*args)
                    self.assertTrue(out.startswith(f"Usage: x86msr {sub} "))
                    self.assertIn("--json", out)
        top = self.ok("--help")
        for sub in ("read", "write", "encode", "dump"):
            self.assertRegex(top, rf"(?m)^  {sub} ")
        self.assertIn("X86MSR_CPU_ROOT", top)




if __name__ == "__main__":
    run_tests(sys.modules[__name__])
