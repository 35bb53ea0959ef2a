#!/usr/bin/env python3
"""End-to-end tests of `x86msr vmxcap --from` on the shipped snapshots.

Run by CTest as: test_vmxcap.py --tool PATH/x86msr --snapshots DIR [unittest args]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import unittest

TOOL = None
SNAPSHOTS = None

MEROM = "intel-core2-x6800-merom.txt"
PENRYN = "intel-xeon-x5482-penryn.txt"
SKYLAKE = "intel-core-i7-6700k-skylake.txt"
TERTIARY = "synthetic-tertiary.txt"
ALL = (MEROM, PENRYN, SKYLAKE, TERTIARY)
SETS = ("pinbased", "primary", "secondary", "tertiary", "exit", "exit2", "entry")
STATES = {"yes", "no", "forced", "default"}


def run(*args):
    return subprocess.run([TOOL, "vmxcap", *args], capture_output=True, text=True, timeout=60)


def snapshot(name):
    return os.path.join(SNAPSHOTS, name)


def report(name):
    result = run("--from", snapshot(name), "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def bit(doc, set_name, bit_name):
    for entry in doc["controls"][set_name]["bits"]:
        if entry["name"] == bit_name:
            return entry
    raise AssertionError(f"{set_name} has no bit {bit_name}")


class TextTests(unittest.TestCase):
    def test_every_snapshot_prints_every_section(self):
        for name in ALL:
            with self.subTest(name=name):
                result = run("--from", snapshot(name))
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(result.stderr, "")
                for title in ("Basic VMX information", "Pin-based VM-execution controls",
                              "Primary processor-based VM-execution controls", "VM-entry controls",
                              "Miscellaneous data", "EPT and VPID capabilities", "VMCS enumeration"):
                    self.assertIn(title, result.stdout)

    def test_merom_has_no_secondary_controls_and_forced_cr3_exiting(self):
        out = run("--from", snapshot(MEROM)).stdout
        self.assertIn("Secondary processor-based VM-execution controls: not supported "
                      "(IA32_VMX_PROCBASED_CTLS2 exists only when CPUID.(EAX=1H):ECX[5] = 1 and "
                      "IA32_VMX_PROCBASED_CTLS[63] = 1)", out)
        self.assertRegex(out, r"\n  CR3-load exiting +forced\n")
        self.assertRegex(out, r"\n  TRUE_CONTROLS +no\n")

    def test_skylake_default_bits_and_ept(self):
        out = run("--from", snapshot(SKYLAKE)).stdout
        self.assertRegex(out, r"\n  CR3-load exiting +default\n")
        self.assertRegex(out, r"\n  Save debug controls +default\n")
        self.assertRegex(out, r"\n  Enable EPT +yes\n")
        self.assertRegex(out, r"\n  APIC-register virtualization +no\n")
        self.assertRegex(out, r"\n  INVEPT_ALL_CONTEXT +yes\n")
        self.assertIn("Tertiary processor-based VM-execution controls: not supported", out)

    def test_tertiary_snapshot_reports_tertiary_and_unnamed_bits(self):
        out = run("--from", snapshot(TERTIARY)).stdout
        self.assertIn("IA32_VMX_PROCBASED_CTLS3 = 0x8000000000000011", out)
        self.assertRegex(out, r"\n  IPI virtualization +yes\n")
        self.assertRegex(out, r"\n  Load FRED +yes\n")
        self.assertRegex(out, r"\(bits the spec does not name\) +63 yes\n")

    def test_text_and_json_agree_on_every_named_bit(self):
        for name in ALL:
            text = run("--from", snapshot(name)).stdout.splitlines()
            doc = report(name)
            for set_name in SETS:
                entries = doc["controls"][set_name]["bits"]
                for entry in entries:
                    line = f"  {entry['description']:<48} {entry['state']}"
                    with self.subTest(name=name, set=set_name, bit=entry["bit"]):
                        self.assertIn(line, text)


class JsonTests(unittest.TestCase):
    def test_shape_of_every_control_set(self):
        for name in ALL:
            doc = report(name)
            self.assertEqual(list(doc["controls"]), list(SETS))
            for set_name in SETS:
                cs = doc["controls"][set_name]
                self.assertIsInstance(cs["present"], bool)
                bits = [e["bit"] for e in cs["bits"]]
                self.assertEqual(bits, sorted(set(bits)))
                for entry in cs["bits"]:
                    self.assertEqual(set(entry), {"bit", "name", "description", "state"})
                    self.assertIn(entry["state"], STATES)
                    if not cs["present"]:
                        self.assertEqual(entry["state"], "no")
                for entry in cs["unnamed_bits"]:
                    self.assertNotIn(entry["bit"], bits)

    def test_which_msrs_each_processor_has(self):
        # Only the VMX capability MSRs that exist (IA32_FEATURE_CONTROL in
        # the snapshot is not one of them).
        expected = {MEROM: 11, PENRYN: 12, SKYLAKE: 18, TERTIARY: 20}
        for name, count in expected.items():
            with self.subTest(name=name):
                addresses = [int(m["address"], 16) for m in report(name)["msrs"]]
                self.assertEqual(len(addresses), count)
                self.assertEqual(addresses, sorted(addresses))
                self.assertEqual(addresses[0], 0x480)

    def test_merom(self):
        doc = report(MEROM)
        self.assertFalse(doc["basic"]["true_controls"])
        self.assertEqual(doc["basic"]["revision_id"], 7)
        self.assertEqual(doc["basic"]["vmcs_size"], 1024)
        self.assertFalse(doc["controls"]["secondary"]["present"])
        self.assertFalse(doc["controls"]["primary"]["true_capability_used"])
        self.assertEqual(bit(doc, "primary", "CR3_LOAD_EXITING")["state"], "forced")
        self.assertEqual(bit(doc, "primary", "ACTIVATE_SECONDARY_CONTROLS")["state"], "no")
        self.assertIsNone(doc["ept_vpid"])
        self.assertIsNone(doc["vmfunc"])
        self.assertEqual(doc["cr0_fixed0"], "0x0000000080000021")  # 16 hex digits, as every register value

    def test_penryn(self):
        doc = report(PENRYN)
        self.assertTrue(doc["controls"]["secondary"]["present"])
        self.assertEqual(bit(doc, "secondary", "WBINVD_EXITING")["state"], "yes")
        self.assertEqual(bit(doc, "secondary", "ENABLE_EPT")["state"], "no")
        self.assertIsNone(doc["ept_vpid"])

    def test_skylake(self):
        doc = report(SKYLAKE)
        self.assertTrue(doc["basic"]["true_controls"])
        self.assertTrue(doc["controls"]["primary"]["true_capability_used"])
        self.assertEqual(doc["controls"]["primary"]["allowed0"], "0x04006172")  # the set's width: 32 bits
        self.assertEqual(bit(doc, "primary", "CR3_LOAD_EXITING")["state"], "default")
        self.assertEqual(bit(doc, "primary", "USE_MSR_BITMAPS")["state"], "yes")
        self.assertEqual(bit(doc, "entry", "LOAD_DEBUG_CONTROLS")["state"], "default")
        self.assertEqual(bit(doc, "pinbased", "PROCESS_POSTED_INTERRUPTS")["state"], "no")
        self.assertEqual({e["bit"]: e["state"] for e in doc["controls"]["pinbased"]["unnamed_bits"]},
                         {1: "forced", 2: "forced", 4: "forced"})
        self.assertTrue(doc["ept_vpid"]["execute_only"])
        self.assertTrue(doc["ept_vpid"]["invvpid_single_context_retain_globals"])
        self.assertTrue(doc["vmfunc"]["eptp_switching"])
        self.assertEqual(doc["misc"]["max_msr_list_entries"], 512)
        self.assertEqual(doc["misc"]["cr3_target_count"], 4)
        self.assertEqual(doc["vmcs_enum"]["max_index"], 23)
        self.assertFalse(doc["controls"]["tertiary"]["present"])

    def test_tertiary(self):
        doc = report(TERTIARY)
        tertiary = doc["controls"]["tertiary"]
        self.assertTrue(tertiary["present"])
        self.assertEqual(tertiary["allowed0"], "0x0000000000000000")  # a 64-bit set
        self.assertEqual(tertiary["allowed1"], "0x8000000000000011")
        self.assertEqual(bit(doc, "tertiary", "IPI_VIRTUALIZATION")["state"], "yes")
        self.assertEqual(bit(doc, "tertiary", "ENABLE_HLAT")["state"], "no")
        self.assertEqual(tertiary["unnamed_bits"], [{"bit": 63, "state": "yes"}])
        self.assertEqual(bit(doc, "exit2", "SAVE_FRED")["state"], "yes")
        self.assertEqual(bit(doc, "primary", "ACTIVATE_TERTIARY_CONTROLS")["state"], "yes")


class ErrorTests(unittest.TestCase):
    def write(self, text):
        handle = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)
        handle.write(text)
        handle.close()
        self.addCleanup(os.unlink, handle.name)
        return handle.name

    def assert_one_line_error(self, result, status, fragment):
        self.assertEqual(result.returncode, status, result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
        self.assertTrue(result.stderr.startswith("x86msr: "), result.stderr)
        self.assertIn(fragment, result.stderr)

    def skylake_without(self, address):
        with open(snapshot(SKYLAKE)) as f:
            lines = [l for l in f if not l.lower().startswith(f"0x{address:03x} ")]
        return self.write("".join(lines))

    def test_bad_line_names_file_line_and_column(self):
        path = self.write("# header\n0x480 0x1\n0x481 0xZZ\n")
        self.assert_one_line_error(run("--from", path), 2, f"{path}:3: ")
        self.assertIn("not a hex digit", run("--from", path).stderr)

    def test_trailing_text(self):
        path = self.write("0x480 0x1 junk\n")
        self.assert_one_line_error(run("--from", path), 2, f"{path}:1: ")

    def test_leading_zero_decimal(self):
        path = self.write("0480 1\n")
        self.assert_one_line_error(run("--from", path), 2, f"{path}:1: ")
        self.assertIn("leading zero", run("--from", path).stderr)

    def test_repeated_address(self):
        path = self.write("0x480 0x1\n\n1152 2\n")
        self.assert_one_line_error(run("--from", path), 2, f"{path}:3: ")
        self.assertIn("line 1", run("--from", path).stderr)

    def test_missing_msr_names_it_and_why_it_must_exist(self):
        path = self.skylake_without(0x48D)
        self.assert_one_line_error(run("--from", path), 2,
                                   "IA32_VMX_TRUE_PINBASED_CTLS (0x48D) is missing; it must be there because "
                                   "CPUID.(EAX=1H):ECX[5] = 1 and IA32_VMX_BASIC[55] = 1")

    def test_empty_file_and_file_without_basic(self):
        path = self.write("# nothing\n")
        self.assert_one_line_error(run("--from", path), 2, f"{path} holds no MSR values")
        path = self.write("0x3A 0x5\n")
        self.assert_one_line_error(run("--from", path), 2,
                                   f"{path}: cpu 0: IA32_VMX_BASIC (0x480) is missing; it must be there because "
                                   "CPUID.(EAX=1H):ECX[5] = 1")

    def test_contradictory_capability(self):
        with open(snapshot(MEROM)) as f:
            text = f.read().replace("0x481  0x0000001F00000016", "0x481  0x0000001E00000017")
        path = self.write(text)
        self.assert_one_line_error(run("--from", path), 2, "IA32_VMX_PINBASED_CTLS (0x481) contradicts itself")

    def test_errors_with_json_are_one_error_object(self):
        for args, code in ((["--from", self.skylake_without(0x48D)], "bad_file"),
                           (["--from", "/nonexistent/snapshot"], "io"),
                           (["--from", snapshot(SKYLAKE), "-c", "3"], "no_cpu")):
            with self.subTest(args=args):
                result = run(*args, "--json")
                self.assertNotEqual(result.returncode, 0)
                self.assertEqual(json.loads(result.stdout),
                                 {"error": {"code": code, "message": result.stderr[len("x86msr: "):-1]}})

    def test_values_are_padded_and_given_as_integers(self):
        msrs = {m["name"]: m for m in report(SKYLAKE)["msrs"]}
        # above 2^53: the hex string only (an integer would be rounded by many JSON parsers)
        self.assertEqual(msrs["IA32_VMX_BASIC"], {"name": "IA32_VMX_BASIC", "address": "0x00000480",
                                                  "value": "0x00DA040000000004"})
        self.assertEqual(msrs["IA32_VMX_MISC"], {"name": "IA32_VMX_MISC", "address": "0x00000485",
                                                 "value": "0x000000007004C1E7", "value_int": 0x7004C1E7})

    def test_unreadable_file_is_a_runtime_error(self):
        missing = os.path.join(tempfile.gettempdir(), "x86msr-no-such-snapshot.txt")
        self.assert_one_line_error(run("--from", missing), 1, missing)

    def test_operands_are_rejected(self):
        result = run("--from", snapshot(MEROM), "extra")
        self.assertEqual(result.returncode, 2)

    def test_help_documents_the_snapshot_format(self):
        result = run("--help")
        self.assertEqual(result.returncode, 0)
        self.assertIn("ADDRESS VALUE", result.stdout)
        self.assertIn("--json", result.stdout)



class LiveTests(unittest.TestCase):
    """The live path on a fake /dev/cpu tree ($X86MSR_CPU_ROOT): regular
    files hold a value at offset = address, and an MSR at or past the end of
    a file reads like one the CPU lacks (EIO). Such a file cannot hold two
    MSRs at adjacent addresses (each value is 8 bytes at a byte offset), so a
    whole VMX capability set (480H, 481H, ...) cannot be faked this way: the
    reading logic itself is proven on the test backend (test_caps.c); these
    tests cover the tool's glue: CPU selection and the error lines."""

    def make_tree(self, cpus):
        root = tempfile.mkdtemp()
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", root]))
        for cpu, (pairs, size) in cpus.items():
            os.makedirs(os.path.join(root, str(cpu)))
            with open(os.path.join(root, str(cpu), "msr"), "wb") as f:
                for address, value in pairs:
                    f.seek(address)
                    f.write(value.to_bytes(8, "little"))
                f.truncate(size)
        return root

    def live(self, root, *args):
        env = dict(os.environ, X86MSR_CPU_ROOT=root)
        env.pop("X86MSR_SYSFS_ROOT", None)
        return subprocess.run([TOOL, "vmxcap", *args], capture_output=True, text=True, timeout=60, env=env)

    def test_no_vmx_is_one_clear_line(self):
        root = self.make_tree({0: ([(0x3A, 5)], 0x100)})
        result = self.live(root)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.stderr, "x86msr: cpu 0: no VMX: IA32_VMX_BASIC (0x480) is not implemented "
                                        "(not an Intel CPU with VMX, or a hypervisor hides it)\n")
        # with --json, the same as the error object on stdout (docs/tool.md, "JSON errors")
        result = self.live(root, "--json")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(json.loads(result.stdout), {"error": {"code": "no_vmx", "message": result.stderr[8:-1]}})

    def test_cpu_selection(self):
        root = self.make_tree({0: ([], 0x100), 1: ([], 0x100)})
        result = self.live(root, "-c", "1")
        self.assertEqual(result.returncode, 1)
        self.assertIn("cpu 1: no VMX", result.stderr)
        result = self.live(root, "-c", "0-1")
        self.assertEqual(result.returncode, 2)
        self.assertIn("one CPU at a time", result.stderr)
        result = self.live(root, "-c", "7")
        self.assertEqual(result.returncode, 1)
        self.assertIn("cpu 7", result.stderr)

    def test_snapshot_cpu_selection(self):
        with open(snapshot(MEROM)) as f:
            merom = f.read()
        with open(snapshot(SKYLAKE)) as f:
            skylake = f.read()
        handle = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)
        handle.write("# cpu 0\n" + merom + "# cpu 2\n" + skylake)
        handle.close()
        self.addCleanup(os.unlink, handle.name)
        first = subprocess.run([TOOL, "vmxcap", "--from", handle.name, "--json"], capture_output=True, text=True)
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertEqual(json.loads(first.stdout)["source"], f"{handle.name}, cpu 0")
        self.assertFalse(json.loads(first.stdout)["basic"]["true_controls"])
        second = subprocess.run([TOOL, "vmxcap", "--from", handle.name, "-c", "2", "--json"],
                                capture_output=True, text=True)
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertTrue(json.loads(second.stdout)["basic"]["true_controls"])
        missing = subprocess.run([TOOL, "vmxcap", "--from", handle.name, "-c", "1"], capture_output=True, text=True)
        self.assertEqual(missing.returncode, 2)


def main():
    global TOOL, SNAPSHOTS
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", required=True)
    parser.add_argument("--snapshots", required=True)
    args, rest = parser.parse_known_args()
    TOOL = args.tool
    SNAPSHOTS = args.snapshots
    unittest.main(argv=[sys.argv[0], *rest])


if __name__ == "__main__":
    main()
