#!/usr/bin/env python3
"""End-to-end tests of the `x86msr` command-line tool: list, show, decode and
help in text and JSON, and every bad-input path (exit status 2, exactly one
line on stderr, nothing on stdout).

Run: test_cli.py --tool PATH/TO/x86msr [unittest arguments, e.g. DecodeTests]
(or set X86MSR_TOOL). CTest runs each TestCase class as its own test.

The expectations about registers come from the spec (spec/msrs.yaml, the 31
MSRs of issue 2); structural checks run over whatever the spec holds.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tool_main import check_json_error, run_tests, sample  # noqa: E402

TOOL = os.environ.get("X86MSR_TOOL", "")
VENDORS = {"intel", "amd", "kvm", "hyperv", "xen"}
VMX_DEPENDENT = ("IA32_VMX_PROCBASED_CTLS2", "IA32_VMX_EPT_VPID_CAP", "IA32_VMX_TRUE_PINBASED_CTLS",
                 "IA32_VMX_TRUE_PROCBASED_CTLS", "IA32_VMX_TRUE_EXIT_CTLS", "IA32_VMX_TRUE_ENTRY_CTLS",
                 "IA32_VMX_VMFUNC", "IA32_VMX_PROCBASED_CTLS3", "IA32_VMX_EXIT_CTLS2")

# The registers issue 2 requires the spec to describe.
REQUIRED_MSRS = {
    "IA32_FEATURE_CONTROL": 0x3A, "IA32_PAT": 0x277, "IA32_XSS": 0xDA0, "IA32_EFER": 0xC0000080,
    "IA32_STAR": 0xC0000081, "IA32_LSTAR": 0xC0000082, "IA32_CSTAR": 0xC0000083,
    "IA32_FMASK": 0xC0000084, "IA32_FS_BASE": 0xC0000100, "IA32_GS_BASE": 0xC0000101,
    "IA32_KERNEL_GS_BASE": 0xC0000102, "IA32_VMX_BASIC": 0x480, "IA32_VMX_PINBASED_CTLS": 0x481,
    "IA32_VMX_PROCBASED_CTLS": 0x482, "IA32_VMX_EXIT_CTLS": 0x483, "IA32_VMX_ENTRY_CTLS": 0x484,
    "IA32_VMX_MISC": 0x485, "IA32_VMX_CR0_FIXED0": 0x486, "IA32_VMX_CR0_FIXED1": 0x487,
    "IA32_VMX_CR4_FIXED0": 0x488, "IA32_VMX_CR4_FIXED1": 0x489, "IA32_VMX_VMCS_ENUM": 0x48A,
    "IA32_VMX_PROCBASED_CTLS2": 0x48B, "IA32_VMX_EPT_VPID_CAP": 0x48C,
    "IA32_VMX_TRUE_PINBASED_CTLS": 0x48D, "IA32_VMX_TRUE_PROCBASED_CTLS": 0x48E,
    "IA32_VMX_TRUE_EXIT_CTLS": 0x48F, "IA32_VMX_TRUE_ENTRY_CTLS": 0x490, "IA32_VMX_VMFUNC": 0x491,
    "IA32_VMX_PROCBASED_CTLS3": 0x492, "IA32_VMX_EXIT_CTLS2": 0x493,
}

HEX_STRING = re.compile(r"^0x[0-9A-F]+$")
VALUE64 = re.compile(r"^0x[0-9A-F]{16}$")      # register values and masks: 16 digits
ADDRESS = re.compile(r"^0x[0-9A-F]{8}$")       # MSR addresses: 8 digits
ZERO64 = "0x0000000000000000"


def field_hex(value, width):
    """A field's value as the tool writes it: padded to the field's width."""
    return f"0x{value:0{(width + 3) // 4}X}"


def reserved_warning(name, mask):
    """The stderr line decode prints for reserved bits that are set."""
    bits = [b for b in range(63, -1, -1) if mask >> b & 1]
    ranges, i = [], 0
    while i < len(bits):
        j = i
        while j + 1 < len(bits) and bits[j + 1] == bits[j] - 1:
            j += 1
        ranges.append(str(bits[i]) if i == j else f"{bits[i]}:{bits[j]}")
        i = j + 1
    noun = "bit" if len(bits) == 1 else "bits"
    return f"x86msr: warning: {name}: reserved bits set: 0x{mask:016X} ({noun} {', '.join(ranges)})\n"
ACCESS_MODES = {"ro", "rw", "wo", "rw1c", "rwo"}


def run(*args):
    return subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=30)


class ToolTestCase(unittest.TestCase):
    maxDiff = None

    def ok(self, *args, stderr=""):
        """Runs the tool, expects success and `stderr` (quiet by default); returns stdout."""
        result = run(*args)
        self.assertEqual(result.returncode, 0, f"x86msr {' '.join(args)}: {result.stderr}")
        self.assertEqual(result.stderr, stderr, f"x86msr {' '.join(args)}")
        return result.stdout

    def ok_json(self, *args, stderr=""):
        return json.loads(self.ok(*args, "--json", stderr=stderr))

    _listing = None

    def listing(self):
        if ToolTestCase._listing is None:
            ToolTestCase._listing = self.ok_json("list")
        return ToolTestCase._listing

    def entry(self, name):
        return next(m for m in self.listing() if m["name"] == name)

    def field(self, msr, name):
        return next(f for f in msr["fields"] if f["name"] == name)


class ListTests(ToolTestCase):
    def test_json_lists_every_required_msr_at_its_address(self):
        addresses = {m["name"]: int(m["address"], 16) for m in self.listing()}
        for name, address in REQUIRED_MSRS.items():
            with self.subTest(name):
                self.assertEqual(addresses.get(name), address)

    def test_json_is_sorted_by_address_and_shared_addresses_are_told_apart(self):
        listing = self.listing()
        addresses = [int(m["address"], 16) for m in listing]
        self.assertEqual(addresses, sorted(addresses))
        for before, after in zip(listing, listing[1:]):
            if before["address"] == after["address"] and set(before["vendors"]) & set(after["vendors"]):
                # one vendor's registers of different processors (shares_address_with): both say
                # when they are present (the generator proved the conditions exclusive)
                self.assertIsNotNone(before.get("present_if_tree"), before["name"])
                self.assertIsNotNone(after.get("present_if_tree"), after["name"])

    def test_json_entries_have_the_documented_shape(self):
        for msr in self.listing():
            with self.subTest(msr["name"]):
                for key in ("name", "address", "category", "access", "vendors", "aliases",
                            "description", "ref", "reserved_mask", "writable_mask", "w1c_mask", "fields"):
                    self.assertIn(key, msr)
                self.assertRegex(msr["address"], ADDRESS)
                for mask in ("reserved_mask", "writable_mask", "w1c_mask"):
                    self.assertRegex(msr[mask], VALUE64)
                self.assertEqual(int(msr["writable_mask"], 16) & int(msr["reserved_mask"], 16), 0)
                self.assertIn(msr["access"], {"ro", "rw", "wo"})
                self.assertTrue(set(msr["vendors"]) <= VENDORS and msr["vendors"])
                self.assertEqual("present_if" in msr, "present_if_tree" in msr)
                if "present_if" in msr:
                    self.assertIsInstance(msr["present_if"], str)
                    self.assertIn(msr["present_if_tree"]["kind"],
                                  {"cpuid", "msr", "family", "context", "any_of", "all_of", "not"})
                for f in msr["fields"]:
                    for key in ("name", "lsb", "msb", "access", "description"):
                        self.assertIn(key, f)
                    self.assertTrue(0 <= f["lsb"] <= f["msb"] <= 63, f)
                    self.assertIn(f["access"], ACCESS_MODES)
                    if "reset" in f:
                        self.assertEqual(f["reset"], field_hex(f["reset_int"], f["msb"] - f["lsb"] + 1))
                    self.assertIn(f.get("counter", True), (True,), "counter is present only when true")

    def test_show_prints_the_presence_condition(self):
        for msr in sample(m for m in self.listing() if "present_if" in m):
            with self.subTest(msr["name"]):
                self.assertRegex(self.ok("show", msr["name"]),
                                 r"(?m)^  present if +" + re.escape(msr["present_if"]) + "$")

    def test_reserved_mask_is_the_complement_of_the_fields(self):
        for msr in self.listing():
            covered = 0
            for f in msr["fields"]:
                covered |= ((1 << (f["msb"] - f["lsb"] + 1)) - 1) << f["lsb"]
            with self.subTest(msr["name"]):
                self.assertEqual(int(msr["reserved_mask"], 16), ~covered & (2**64 - 1))

    def test_json_efer_fields(self):
        efer = self.entry("IA32_EFER")
        self.assertEqual(efer["address"], "0xC0000080")
        self.assertEqual(self.entry("IA32_PAT")["address"], "0x00000277")
        self.assertEqual(efer["access"], "rw")
        for name, bit in (("SCE", 0), ("LME", 8), ("LMA", 10), ("NXE", 11)):
            f = self.field(efer, name)
            self.assertEqual((f["lsb"], f["msb"]), (bit, bit), name)
        self.assertEqual(self.field(efer, "LMA")["access"], "ro")

    def test_json_pat_fields_carry_the_memory_type_enum(self):
        pat = self.entry("IA32_PAT")
        self.assertEqual([f["name"] for f in pat["fields"]], [f"PA{i}" for i in range(8)])
        for i, f in enumerate(pat["fields"]):
            self.assertEqual((f["lsb"], f["msb"]), (8 * i, 8 * i + 2))
            values = {v["name"]: v["value"] for v in f["enum"]}
            self.assertEqual(values.get("WB"), 6)
            self.assertEqual(values.get("UC"), 0)

    def test_text_has_one_row_per_msr_matching_json(self):
        lines = self.ok("list").splitlines()
        self.assertEqual(lines[0].split(), ["ADDRESS", "NAME", "CATEGORY", "ACCESS", "FIELDS"])
        rows = [line.split() for line in lines[1:]]
        expected = [[f"0x{int(m['address'], 16):08X}", m["name"], m["category"], m["access"],
                     str(len(m["fields"]))] for m in self.listing()]
        self.assertEqual(rows, expected)

    def test_text_has_no_trailing_blanks(self):
        for line in self.ok("list").splitlines():
            self.assertEqual(line, line.rstrip())


class ListFilterTests(ToolTestCase):
    """`list PATTERN... --category --vendor --access`, alone, together and with --supported."""

    def names(self, *args):
        return [m["name"] for m in self.ok_json("list", *args)]

    def expected(self, keep):
        return [m["name"] for m in self.listing() if keep(m)]

    def ranked(self, patterns, match, keep=lambda m: True):
        """The registers `patterns` select, in the listing's order: those with a name or
        alias that is a (non-glob) pattern first, then those with a name or alias a
        pattern matches, then those the patterns match by description only; each
        group in address order."""
        def rank(m):
            names = [m["name"], *m["aliases"]]
            ranks = []
            for p in patterns:
                if not any(c in p for c in "*?[") and any(n.lower() == p.lower() for n in names):
                    ranks.append(0)
                elif any(match(n, p) for n in names):
                    ranks.append(1)
                elif match(m["description"] or "", p):
                    ranks.append(2)
            return min(ranks) if ranks else None
        kept = [(rank(m), i, m["name"]) for i, m in enumerate(self.listing()) if keep(m)]
        return [name for r, _, name in sorted(k for k in kept if k[0] is not None)]

    def test_category(self):
        for category in sorted({m["category"] for m in self.listing()}):
            with self.subTest(category):
                self.assertEqual(self.names("--category", category),
                                 self.expected(lambda m: m["category"] == category))
        self.assertEqual(self.names("--category", "vmx,SYSCALL"),
                         self.expected(lambda m: m["category"] in ("vmx", "syscall")))

    def test_vendor(self):
        for vendor in sorted(VENDORS):
            with self.subTest(vendor):
                self.assertEqual(self.names("--vendor", vendor), self.expected(lambda m: vendor in m["vendors"]))
        self.assertEqual(self.names("--vendor", "kvm,hyperv"),
                         self.expected(lambda m: {"kvm", "hyperv"} & set(m["vendors"])))

    def test_access(self):
        for mode in ("ro", "rw", "wo"):
            with self.subTest(mode):
                names = self.names("--access", mode)
                self.assertTrue(names)
                self.assertEqual(names, self.expected(lambda m: m["access"] == mode))

    def test_substring_of_name_alias_or_description_in_any_case(self):
        def has(text, word):
            return word.lower() in text.lower()

        for word in ("efer", "Thermal", "TSC", "zzzz-nothing"):
            with self.subTest(word):
                self.assertEqual(self.names(word), self.ranked([word], has))
        self.assertIn("IA32_EFER", self.names("efer"))  # the alias EFER, the name IA32_EFER
        self.assertEqual(self.names("efer", "ia32_pat"), self.ranked(["efer", "ia32_pat"], has))

    def test_names_and_aliases_before_descriptions(self):
        names = self.names("efer")
        self.assertEqual(names[0], "IA32_EFER", "its alias EFER is the pattern")
        by_description = [m["name"] for m in self.listing() if "efer" not in m["name"].lower()
                          and not any("efer" in a.lower() for a in m["aliases"])]
        first = min(names.index(n) for n in names if n in by_description)
        self.assertTrue(all(n not in by_description for n in names[:first]))
        self.assertTrue(all(n in by_description for n in names[first:]), "a description match after the names")
        self.assertLess(first, len(names))
        text = self.ok("list", "efer").splitlines()
        self.assertRegex(text[1], r"^0xC0000080 +IA32_EFER ")

    def test_glob_over_the_whole_name_alias_or_description(self):
        import fnmatch

        def matches(m, pattern):
            return any(fnmatch.fnmatchcase((t or "").upper(), pattern.upper())
                       for t in [m["name"], m["description"], *m["aliases"]])

        def glob(text, pattern):
            return fnmatch.fnmatchcase(text.upper(), pattern.upper())

        for pattern in ("IA32_MTRR*", "ia32_vmx_*ctls", "*_CTL", "IA32_PMC[0-3]", "IA32_?AT"):
            with self.subTest(pattern):
                names = self.names(pattern)
                self.assertTrue(names)
                self.assertEqual(sorted(names), sorted(self.expected(lambda m: matches(m, pattern))))
                self.assertEqual(names, self.ranked([pattern], glob))
        self.assertEqual(self.names("IA32_?AT"), ["IA32_PAT"])
        self.assertEqual(self.names("*EFE"), [], "a glob matches the whole name, not a part")
        self.assertIn("IA32_EFER", self.names("EFE?"), "the alias EFER")

    def test_filters_combine(self):
        names = self.names("--category", "vmx", "--access", "ro", "*CTLS*", "--vendor", "intel")
        self.assertIn("IA32_VMX_TRUE_PINBASED_CTLS", names)
        keep = lambda m: m["category"] == "vmx" and m["access"] == "ro" and "intel" in m["vendors"]  # noqa: E731
        self.assertEqual(sorted(names), sorted(self.expected(
            lambda m: keep(m) and any("CTLS" in (t or "").upper() for t in [m["name"], m["description"], *m["aliases"]]))))
        self.assertEqual(names, self.ranked(["*CTLS*"], lambda t, p: "CTLS" in t.upper(), keep))

    def test_with_supported_and_a_cpuid_dump(self):
        cpuid = os.path.join(DATA, "cpuid-amd-svm.txt")
        supported = {m["name"] for m in self.ok_json("list", "--supported", "--cpuid", cpuid)}
        both = self.ok_json("list", "--supported", "--cpuid", cpuid, "--vendor", "amd", "--category", "svm")
        self.assertTrue(both)
        self.assertEqual([m["name"] for m in both],
                         self.expected(lambda m: m["name"] in supported and "amd" in m["vendors"] and
                                       m["category"] == "svm"))
        self.assertTrue(all(m["supported"] in ("yes", "unknown") for m in both))
        self.assertEqual(self.names("--category", "vmx", "--supported", "--cpuid", cpuid), [])

    def test_text_lists_the_same_registers(self):
        rows = self.ok("list", "--category", "syscall", "--access", "rw").splitlines()
        self.assertEqual(rows[0].split(), ["ADDRESS", "NAME", "CATEGORY", "ACCESS", "FIELDS"])
        self.assertEqual([r.split()[1] for r in rows[1:]], self.names("--category", "syscall", "--access", "rw"))
        self.assertEqual(self.ok("list", "no-such-register-anywhere"), "ADDRESS  NAME  CATEGORY  ACCESS  FIELDS\n")

    def test_unknown_names_are_usage_errors_with_a_suggestion(self):
        cases = [
            (["--category", "vmxx"], r"unknown category 'vmxx' \(did you mean vmx\?\)"),
            (["--category", "vmx,sycall"], r"unknown category 'sycall' \(did you mean syscall\?\)"),
            (["--vendor", "intl"], r"unknown vendor 'intl' \(did you mean intel\?\)"),
            (["--vendor", "via"], r"unknown vendor 'via' \(one of: " + ", ".join(
                ["intel", "amd", "kvm", "hyperv", "xen"]) + r"\)"),
            (["--access", "rww"], r"unknown register access mode 'rww' \(did you mean rw\?\)"),
            (["--access", "rw1c"], r"unknown register access mode 'rw1c' \(did you mean rw\?\)"),
            (["--access", "xyz"], r"unknown register access mode 'xyz' \(one of: ro, rw, wo\)"),
            (["--category", ""], r"empty category in '--category ' \(one of: .*\)"),
            (["--vendor", "amd,"], r"empty vendor in '--vendor amd,' \(one of: intel, amd, kvm, hyperv, xen\)"),
        ]
        for args, pattern in cases:
            with self.subTest(args=args):
                result = run("list", *args)
                self.assertEqual(result.returncode, 2)
                self.assertEqual(result.stdout, "")
                self.assertRegex(result.stderr, "^x86msr: " + pattern + "\n$")
                check_json_error(self, run("list", "--json", *args), "unknown_name")


def max_phys_addr(dump):
    """MAXPHYADDR of a `cpuid -r` dump's first CPU: CPUID.80000008H:EAX[7:0], else 36 with PAE
    (CPUID.01H:EDX[6]) and 32 without (SDM Vol 3A 4.1.4)."""
    leaves = {}
    with open(dump) as f:
        for line in f:
            words = line.split()
            if words[:1] == ["CPU"] and leaves:
                break
            if len(words) == 6 and words[0].startswith("0x"):
                leaves[int(words[0], 16)] = {w.split("=")[0]: int(w.split("=")[1], 16) for w in words[2:]}
    if leaves.get(0x80000008, {}).get("eax", 0) & 0xFF:
        return leaves[0x80000008]["eax"] & 0xFF
    return 36 if leaves.get(1, {}).get("edx", 0) & (1 << 6) else 32


DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


class SupportedTests(ToolTestCase):
    """`list --supported`: the spec's CPUID presence conditions, judged on CPUID dumps."""

    def supported(self, dump):
        return {m["name"]: m["supported"]
                for m in self.ok_json("list", "--supported", "--cpuid", os.path.join(DATA, dump))}

    def test_intel_cpu_with_vmx_has_the_vmx_block(self):
        s = self.supported("cpuid-intel-vmx.txt")
        self.assertEqual(s["IA32_VMX_BASIC"], "yes")
        self.assertEqual(s["IA32_FEATURE_CONTROL"], "yes")
        self.assertEqual(s["IA32_EFER"], "yes")
        self.assertEqual(s["IA32_LSTAR"], "yes")
        self.assertNotIn("VM_CR", s)  # SVM's CPUID bit is clear

    def test_amd_cpu_has_svm_and_no_vmx(self):
        s = self.supported("cpuid-amd-svm.txt")
        self.assertNotIn("IA32_VMX_BASIC", s)
        self.assertNotIn("IA32_VMX_TRUE_PINBASED_CTLS", s)
        self.assertEqual(s["VM_CR"], "yes")
        self.assertEqual(s["IA32_EFER"], "yes")

    def test_never_yes_where_cpuid_cannot_tell(self):
        """No condition, a condition on another MSR's value, or a processor state:
        CPUID alone cannot say yes."""
        def reads_msrs_or_state(tree):
            if tree["kind"] in ("msr", "context"):
                return True
            return any(reads_msrs_or_state(c) for c in tree.get("conditions", []))

        for dump in ("cpuid-intel-vmx.txt", "cpuid-amd-svm.txt"):
            for m in self.ok_json("list", "--supported", "--cpuid", os.path.join(DATA, dump)):
                with self.subTest(dump=dump, msr=m["name"]):
                    self.assertIn(m["supported"], ("yes", "unknown"))
                    if "present_if" not in m or (reads_msrs_or_state(m["present_if_tree"]) and
                                                 m["present_if_tree"]["kind"] != "any_of"):
                        self.assertEqual(m["supported"], "unknown")

    def test_vmx_msrs_that_hang_on_other_msrs_are_unknown_from_cpuid(self):
        """The issue's wrong "yes": CTLS2, the TRUE controls, VMFUNC, CTLS3 and EXIT_CTLS2
        exist only when IA32_VMX_BASIC or a control MSR says so."""
        s = self.supported("cpuid-intel-vmx.txt")
        for name in VMX_DEPENDENT:
            with self.subTest(name):
                self.assertEqual(s[name], "unknown")

    def test_a_snapshot_decides_them(self):
        """With the MSR values of a real processor the answer is exact: Skylake has the
        TRUE controls, secondary controls, EPT/VPID and VM functions, but no tertiary
        controls; the Core 2 X6800 has none of them."""
        cpuid = os.path.join(DATA, "cpuid-intel-vmx.txt")
        snapshots = os.path.join(os.path.dirname(DATA), "..", "vmx", "snapshots")
        skylake = {m["name"]: m["supported"] for m in self.ok_json(
            "list", "--supported", "--cpuid", cpuid, "--from",
            os.path.join(snapshots, "intel-core-i7-6700k-skylake.txt"))}
        for name in ("IA32_VMX_PROCBASED_CTLS2", "IA32_VMX_EPT_VPID_CAP", "IA32_VMX_TRUE_PINBASED_CTLS",
                     "IA32_VMX_TRUE_PROCBASED_CTLS", "IA32_VMX_TRUE_EXIT_CTLS", "IA32_VMX_TRUE_ENTRY_CTLS",
                     "IA32_VMX_VMFUNC"):
            self.assertEqual(skylake[name], "yes", name)
        for name in ("IA32_VMX_PROCBASED_CTLS3", "IA32_VMX_EXIT_CTLS2"):
            self.assertNotIn(name, skylake)
        merom = {m["name"]: m["supported"] for m in self.ok_json(
            "list", "--supported", "--cpuid", cpuid, "--from",
            os.path.join(snapshots, "intel-core2-x6800-merom.txt"))}
        for name in VMX_DEPENDENT:
            self.assertNotIn(name, merom)
        self.assertEqual(merom["IA32_VMX_BASIC"], "yes")

    def test_json_masks_and_fields_are_those_of_the_cpu(self):
        """Issue 21 item 5: with --cpuid the masks are that CPU's, and each field says whether the CPU has
        it; a field's bits are reserved exactly where it says no. IA32_EFER's AMD fields are absent on the
        Intel CPU (reserved there, not in the spec's own masks) and there on the AMD one."""
        mask = lambda f: ((1 << (f["msb"] - f["lsb"] + 1)) - 1) << f["lsb"]
        for dump in ("cpuid-intel-vmx.txt", "cpuid-amd-svm.txt", "cpuid-intel-silvermont.txt"):
            # A physical address's bits at and above the CPU's MAXPHYADDR are reserved too.
            below_max_phys = (1 << max_phys_addr(os.path.join(DATA, dump))) - 1
            for m in self.ok_json("list", "--supported", "--cpuid", os.path.join(DATA, dump)):
                with self.subTest(dump=dump, msr=m["name"]):
                    covered = 0
                    for f in m["fields"]:
                        self.assertIn(f["supported"], ("yes", "no", "unknown"))
                        if m["supported"] == "unknown":
                            self.assertNotEqual(f["supported"], "yes")
                        if f["supported"] != "no":
                            covered |= mask(f) & (below_max_phys if f.get("phys_addr") else ~0)
                    self.assertEqual(int(m["reserved_mask"], 16), ~covered & (1 << 64) - 1)
        efer_spec = self.entry("IA32_EFER")
        intel = next(m for m in self.ok_json("list", "IA32_EFER", "--supported", "--cpuid",
                                             os.path.join(DATA, "cpuid-intel-vmx.txt")) if m["name"] == "IA32_EFER")
        amd = next(m for m in self.ok_json("list", "IA32_EFER", "--supported", "--cpuid",
                                           os.path.join(DATA, "cpuid-amd-svm.txt")) if m["name"] == "IA32_EFER")
        svme = 1 << self.field(efer_spec, "SVME")["lsb"]
        self.assertFalse(int(efer_spec["reserved_mask"], 16) & svme)
        self.assertTrue(int(intel["reserved_mask"], 16) & svme)
        self.assertFalse(int(amd["reserved_mask"], 16) & svme)
        self.assertEqual(self.field(intel, "SVME")["supported"], "no")
        self.assertEqual(self.field(amd, "SVME")["supported"], "yes")
        self.assertEqual(self.field(intel, "NXE")["supported"], "yes")
        # show --cpuid --json is the same object
        self.assertEqual(self.ok_json("show", "IA32_EFER", "--cpuid", os.path.join(DATA, "cpuid-amd-svm.txt")), amd)

    def test_json_fields_carry_their_presence_condition_and_vendors(self):
        """Every field with a condition prints it in words and as a tree, as registers do; fields of one
        vendor name it."""
        efer = self.entry("IA32_EFER")
        nxe, svme = self.field(efer, "NXE"), self.field(efer, "SVME")
        self.assertEqual(nxe["present_if"], "CPUID.(EAX=80000001H):EDX[20] = 1")
        self.assertEqual(nxe["present_if_tree"], {"kind": "cpuid", "leaf": "0x80000001", "subleaf": "0x00000000",
                                                  "register": "edx", "msb": 20, "lsb": 20, "compare": "nonzero"})
        self.assertNotIn("vendors", nxe)
        self.assertEqual(svme["vendors"], ["amd"])
        self.assertNotIn("supported", nxe)  # no CPU judged
        with_conditions = [f for m in self.listing() for f in m["fields"] if "present_if" in f]
        self.assertGreater(len(with_conditions), 100)
        self.assertTrue(all("present_if_tree" in f for f in with_conditions))

    def test_registers_of_other_vendors_are_not_listed(self):
        """Vendor-strict presence (issue 21 item 3): a register none of the CPU's vendors documents is
        absent, so --supported leaves it out (IA32_MISC_ENABLE on AMD, VM_CR on Intel)."""
        for dump, vendor in (("cpuid-intel-vmx.txt", "intel"), ("cpuid-amd-svm.txt", "amd")):
            listed = self.ok_json("list", "--supported", "--cpuid", os.path.join(DATA, dump))
            with self.subTest(dump=dump):
                self.assertEqual([m["name"] for m in listed if vendor not in m["vendors"]], [])
        self.assertNotIn("IA32_MISC_ENABLE", self.supported("cpuid-amd-svm.txt"))
        self.assertIn("IA32_MISC_ENABLE", self.supported("cpuid-intel-vmx.txt"))

    def test_from_needs_supported(self):
        result = run("list", "--from", "/dev/null")
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr, "x86msr: --from SNAPSHOT only makes sense with --supported\n")

    def test_text_lists_a_supported_column(self):
        out = self.ok("list", "--supported", "--cpuid", os.path.join(DATA, "cpuid-intel-vmx.txt"))
        header, *rows = out.splitlines()
        self.assertEqual(header.split(), ["ADDRESS", "NAME", "CATEGORY", "ACCESS", "FIELDS", "SUPPORTED"])
        self.assertIn("IA32_VMX_BASIC", {r.split()[1] for r in rows if r.split()[-1] == "yes"})

    def test_this_machine(self):
        """The native CPUID: whatever the host, x86-64 means long mode, so EFER is there."""
        s = {m["name"]: m["supported"] for m in self.ok_json("list", "--supported")}
        self.assertEqual(s["IA32_EFER"], "yes")

    def test_bad_dump_names_the_line(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("CPU:\n   0x00000000 0x00: eax=0x1 ebx=0x2 ecx=0x3\n")
        try:
            result = run("list", "--supported", "--cpuid", f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr, f"x86msr: {f.name}:2: expected 'LEAF SUBLEAF: eax=.. ebx=.. ecx=.. edx=..'\n")
        with open(f.name, "w") as again:
            again.write("CPU:\n   0x00000000 0x00: eax=0x1 ebx=0x2 ecx=0x3\n")
        try:
            check_json_error(self, run("list", "--json", "--supported", "--cpuid", f.name), "bad_file")
        finally:
            os.unlink(f.name)

    def test_long_comment_is_one_line(self):
        """A comment longer than any buffer stays a comment: no leaf hides in its tail, no line is miscounted."""
        leaf = "   0x00000000 0x00: eax=0x00000010 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65"
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("# " + "x" * 600 + leaf + "\n" + "0x1 0x0: eax=0x1\n")
        try:
            result = run("list", "--supported", "--cpuid", f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr, f"x86msr: {f.name}:2: expected 'LEAF SUBLEAF: eax=.. ebx=.. ecx=.. edx=..'\n")

    def test_missing_dump_is_a_runtime_error(self):
        result = run("list", "--supported", "--cpuid", "/nonexistent/dump")
        self.assertEqual(result.returncode, 1)
        self.assertRegex(result.stderr, r"^x86msr: cannot read CPUID dump '/nonexistent/dump': ")
        check_json_error(self, run("list", "--supported", "--json", "--cpuid", "/nonexistent/dump"), "io")

    def test_cpuid_needs_supported(self):
        result = run("list", "--cpuid", os.path.join(DATA, "cpuid-amd-svm.txt"))
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr, "x86msr: --cpuid FILE only makes sense with --supported\n")


class ShowTests(ToolTestCase):
    def test_text_names_address_fields_and_reserved_bits(self):
        out = self.ok("show", "IA32_EFER")
        self.assertTrue(out.startswith("IA32_EFER\n"))
        self.assertRegex(out, r"(?m)^  address +0xC0000080$")
        self.assertRegex(out, r"(?m)^  access +rw$")
        self.assertRegex(out, r"(?m)^  reserved +0x[0-9A-F]{16} \(bits [0-9:, ]+\)$")
        self.assertRegex(out, r"(?m)^  present if +CPUID\.\(EAX=80000001H\):EDX\[\d+\] = 1")
        self.assertRegex(out, r"(?m)^  11 +NXE +rw ")
        self.assertRegex(out, r"(?m)^  10 +LMA +ro ")

    def test_text_lists_enum_values(self):
        out = self.ok("show", "IA32_PAT")
        self.assertRegex(out, r"(?m)^  2:0 +PA0 +rw ")
        self.assertIn("WB=6", out)
        self.assertIn("UC=0", out)

    def test_text_has_a_vendor_column_exactly_when_a_field_has_own_vendors(self):
        # Issue 24 item 8: EFER's SVME is AMD's alone; the table must say so per field.
        out = self.ok("show", "IA32_EFER")
        self.assertRegex(out, r"(?m)^  BITS +FIELD +ACCESS +VENDORS +RESET +DESCRIPTION$")
        self.assertRegex(out, r"(?m)^  12 +SVME +rw +amd +0x0 ")
        self.assertRegex(out, r"(?m)^  11 +NXE +rw +0x0 ")
        # Every register that has such fields (a handful), and a spread of the others.
        listing = self.listing()
        with_own = [m for m in listing if any("vendors" in f for f in m["fields"])]
        self.assertIn("IA32_EFER", [m["name"] for m in with_own])
        others = [m for m in listing if m not in with_own]
        for msr in with_own + others[::max(1, len(others) // 40)]:
            with self.subTest(msr["name"]):
                text = self.ok("show", msr["name"])
                own = [f for f in msr["fields"] if "vendors" in f]
                self.assertEqual("VENDORS" in text.split("\n  BITS", 1)[-1].split("\n", 1)[0], bool(own))
                for f in own:
                    self.assertRegex(text, rf"(?m)^  [0-9:]+ +{re.escape(f['name'])} +\S+ +"
                                           rf"{re.escape(', '.join(f['vendors']))} ")

    def test_json_equals_the_list_entry(self):
        for msr in sample(self.listing()):
            with self.subTest(msr["name"]):
                self.assertEqual(self.ok_json("show", msr["name"]), msr)

    def test_every_spelling_of_a_register_finds_it(self):
        for spelling in ("IA32_EFER", "ia32_efer", "Ia32_Efer", "0xC0000080", "0xc0000080",
                         "3221225600", "0xC000_0080", "0b11000000000000000000000010000000"):
            with self.subTest(spelling):
                self.assertEqual(self.ok_json("show", spelling)["name"], "IA32_EFER")

    def test_aliases_find_their_register(self):
        with_aliases = [m for m in self.listing() if m["aliases"]]
        if not with_aliases:
            self.skipTest("the spec declares no aliases")
        for msr in sample(with_aliases):
            for alias in msr["aliases"]:
                with self.subTest(alias):
                    self.assertEqual(self.ok_json("show", alias.lower())["name"], msr["name"])

    def test_options_may_come_before_operands(self):
        self.assertEqual(json.loads(self.ok("show", "--json", "IA32_PAT"))["name"], "IA32_PAT")
        self.assertEqual(json.loads(self.ok("show", "--json", "--", "IA32_PAT"))["name"], "IA32_PAT")

    def test_array_instances_are_their_own_entries(self):
        instances = [m for m in self.listing() if "array" in m]
        if not instances:
            self.skipTest("the spec has no array registers yet")
        msr = instances[-1]
        shown = self.ok_json("show", msr["name"])
        self.assertEqual(shown["array"], msr["array"])
        self.assertIn("{n}", msr["array"]["name"])
        self.assertIn(f"instance {msr['array']['index']} of", self.ok("show", msr["name"]))


# Box-drawing characters of the diagram and their --ascii counterparts.
TO_ASCII = str.maketrans({"─": "-", "│": "|", "┌": "+", "┬": "+", "┐": "+", "└": "+", "┴": "+", "┘": "+",
                          "░": "."})
LEGEND_ENTRY = re.compile(r"([a-zA-Z]) (\w+) (\d+(?::\d+)?) (\w+)")


def diagram_of(out):
    """The diagram lines of `show` text output: from the first bit-number line
    to the line before the field table (or the end)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"^  [+┌]", line)) - 1
    end = next((i for i, line in enumerate(lines) if line.startswith("  BITS ") or line == "  no fields"),
               len(lines))
    while lines[end - 1] == "":
        end -= 1
    return lines[start:end]


def expected_rows(msr):
    """Per row (msb of the row), the boxes from the high bit down: (name or None, msb, lsb)."""
    fields = msr["fields"]
    width = 32 if fields and max(f["msb"] for f in fields) < 32 else 64
    rows = []
    for hi in range(width - 1, -1, -32):
        boxes, bit = [], hi
        while bit >= hi - 31:
            f = next((f for f in fields if f["lsb"] <= bit <= f["msb"]), None)
            end = bit
            while end - 1 >= hi - 31 and next((g for g in fields if g["lsb"] <= end - 1 <= g["msb"]), None) is f:
                end -= 1
            boxes.append((f["name"] if f else None, bit, end, f["access"] if f else None))
            bit = end - 1
        rows.append((hi, boxes))
    return width, rows


class ShowDiagramTests(ToolTestCase):
    """`show NAME` draws the register's bits: boxes per field and per reserved run,
    labels or legend keys, at most 80 columns, an --ascii fallback."""

    def definitions(self):
        """One entry per spec definition: every plain register, the first instance of each array."""
        seen, out = set(), []
        for msr in self.listing():
            key = msr["array"]["name"] if "array" in msr else msr["name"]
            if key not in seen:
                seen.add(key)
                out.append(msr)
        return out

    def test_efer_ascii_exactly(self):
        self.assertEqual(diagram_of(self.ok("show", "IA32_EFER", "--ascii")), [
            "   31               22  20  18  16  14  12  10 9 8 7           1 0",
            "  +-------------------+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-------------+-+",
            "  |.....reserved......|a|b|.|c|d|.|e|f|g|h|i|j|.|k|..reserved...|l|",
            "  +-------------------+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-------------+-+",
            "  a AIBRSE 21 rw    b UAIE 20 rw      c INTWB 18 rw     d MCOMMIT 17 rw",
            "  e TCE 15 rw       f FFXSR 14 rw     g LMSLE 13 rw     h SVME 12 rw",
            "  i NXE 11 rw       j LMA 10 ro       k LME 8 rw        l SCE 0 rw",
            "  bits 63:32 are reserved",
        ])

    def test_unicode_is_the_ascii_drawing_with_box_characters(self):
        for name in ("IA32_EFER", "IA32_APIC_BASE", "IA32_VMX_BASIC", "IA32_MC0_CTL", "IA32_PAT"):
            with self.subTest(name):
                fancy = diagram_of(self.ok("show", name))
                self.assertIn("┌", fancy[1])
                self.assertEqual([line.translate(TO_ASCII) for line in fancy],
                                 diagram_of(self.ok("show", name, "--ascii")))

    def test_ascii_output_is_ascii(self):
        for name in ("IA32_EFER", "IA32_MC0_CTL", "IA32_FEATURE_CONTROL"):
            with self.subTest(name):
                self.ok("show", name, "--ascii").encode("ascii")

    def test_64_bit_registers_take_two_rows_32_bit_ones_one(self):
        two = diagram_of(self.ok("show", "IA32_APIC_BASE", "--ascii"))
        self.assertEqual(sum(1 for line in two if line.startswith("  |")), 2)
        self.assertNotIn("  bits 63:32 are reserved", two)
        one = diagram_of(self.ok("show", "IA32_EFER", "--ascii"))
        self.assertEqual(sum(1 for line in one if line.startswith("  |")), 1)
        self.assertEqual(one[-1], "  bits 63:32 are reserved")

    def test_every_register_box_by_box(self):
        for msr in sample(self.definitions()):
            with self.subTest(msr["name"]):
                self.check_diagram(msr, diagram_of(self.ok("show", msr["name"], "--ascii")))

    def check_diagram(self, msr, lines):
        width, rows = expected_rows(msr)
        for line in lines:
            self.assertLessEqual(len(line), 80, line)
        contents = [i for i, line in enumerate(lines) if line.startswith("  |")]
        self.assertEqual(len(contents), len(rows))
        self.assertEqual(lines[-1] == "  bits 63:32 are reserved", width == 32)
        for (hi, boxes), i in zip(rows, contents):
            top, content, bottom = lines[i - 1], lines[i], lines[i + 1]
            self.assertEqual(top, bottom)
            self.assertEqual(len(content), 2 + 65)
            self.assertRegex(lines[i - 2], rf"^ +{hi}\b.*\b{hi - 31}$")   # the row's bit numbers
            cells = content[3:-1].split("|")
            self.assertEqual(len(cells), len(boxes), content)
            self.assertEqual(top[2:].split("+")[1:-1], ["-" * len(c) for c in cells])
            legend = {}
            for line in lines[i + 2:]:
                if not LEGEND_ENTRY.match(line.strip()):
                    break
                for key, name, bits, access in LEGEND_ENTRY.findall(line):
                    self.assertNotIn(key, legend)
                    legend[key] = (name, bits, access)
            used = set()
            for cell, (name, msb, lsb, access) in zip(cells, boxes):
                self.assertEqual(len(cell), 2 * (msb - lsb + 1) - 1, cell)
                if name is None:
                    self.assertEqual(cell.replace("reserved", "").strip("."), "", cell)
                    continue
                label = cell.strip()
                if len(label) == 1:
                    bits = str(msb) if msb == lsb else f"{msb}:{lsb}"
                    self.assertEqual(legend.get(label), (name, bits, access), f"key {label} of {name}")
                    used.add(label)
                else:
                    self.assertEqual(label, f"{name} {access}")
            self.assertEqual(used, set(legend))


class DecodeTests(ToolTestCase):
    def decoded(self, name, value):
        out = self.ok_json("decode", name, value)
        return out, {f["name"]: int(f["value"], 16) for f in out["fields"]}

    def test_efer_long_mode_value(self):
        out, fields = self.decoded("IA32_EFER", "0xD01")
        self.assertEqual(out["name"], "IA32_EFER")
        self.assertEqual(out["address"], "0xC0000080")
        self.assertEqual(out["value"], "0x0000000000000D01")
        self.assertEqual(out["value_int"], 0xD01)
        self.assertEqual(out["reserved_bits_set"], ZERO64)
        self.assertEqual([(f["value"], f["value_int"]) for f in out["fields"] if f["name"] == "NXE"], [("0x1", 1)])
        for name in ("SCE", "LME", "LMA", "NXE"):
            self.assertEqual(fields[name], 1, name)
        self.assertTrue(all(v == 0 for k, v in fields.items() if k not in ("SCE", "LME", "LMA", "NXE")))

    def test_efer_text(self):
        out = self.ok("decode", "efer", "0xD01")
        self.assertTrue(out.startswith("IA32_EFER (0xC0000080) = 0x0000000000000D01\n"))
        self.assertRegex(out, r"(?m)^0 +SCE +rw +0x1 +1$")
        self.assertRegex(out, r"(?m)^11 +NXE +rw +0x1 +1$")
        self.assertNotIn("warning", out)

    def test_reserved_bits_warn_on_stderr_but_succeed(self):
        warn = "x86msr: warning: IA32_EFER: reserved bits set: 0x8000000000000000 (bit 63)\n"
        out = self.ok("decode", "IA32_EFER", "0x8000000000000D01", stderr=warn)
        self.assertNotIn("warning", out)
        data = self.ok_json("decode", "IA32_EFER", "0x8000000000000D01", stderr=warn)
        self.assertEqual(data["reserved_bits_set"], "0x8000000000000000")
        self.assertEqual(data["value"], "0x8000000000000D01")
        self.assertNotIn("value_int", data, "above 2^53: no integer that would lose precision")
        self.assertEqual(next(f["value_int"] for f in data["fields"] if f["name"] == "NXE"), 1)

    def test_names_with_the_msr_prefix_are_found(self):
        self.assertEqual(self.ok_json("decode", "MSR_PLATFORM_INFO", "0")["name"], "PLATFORM_INFO")
        self.assertEqual(self.ok_json("decode", "msr_ia32_efer", "0")["name"], "IA32_EFER")

    def test_shared_address_follows_the_cpu_of_a_dump(self):
        # 0CDH: FSB_FREQ (Core, Core 2, early Atom) and SILVERMONT_FSB_FREQ share it by model.
        silvermont = os.path.join(DATA, "cpuid-intel-silvermont.txt")
        out = self.ok_json("decode", "0xCD", "0xC", "--cpuid", silvermont)
        self.assertEqual(out["name"], "SILVERMONT_FSB_FREQ")
        self.assertEqual(out["reserved_bits_set"], ZERO64)
        self.assertEqual(self.ok_json("show", "0xCD", "--cpuid", silvermont)["name"], "SILVERMONT_FSB_FREQ")
        self.assertEqual(self.ok("encode", "0xCD", "BUS_SPEED=0xC", "--cpuid", silvermont, "--allow-ro"),
                         "0x000000000000000C\n")

    def test_reserved_bits_are_judged_for_the_cpu_of_a_dump(self):
        # SVME (bit 12) is AMD's: reserved on the Intel CPU of the dump, a field on the AMD one.
        intel = os.path.join(DATA, "cpuid-intel-vmx.txt")
        amd = os.path.join(DATA, "cpuid-amd-svm.txt")
        warn = "x86msr: warning: IA32_EFER: reserved bits set: 0x0000000000001000 (bit 12)\n"
        self.assertEqual(self.ok_json("decode", "IA32_EFER", "0x1D01", "--cpuid", intel,
                                      stderr=warn)["reserved_bits_set"], "0x0000000000001000")
        self.ok("decode", "IA32_EFER", "0x1D01", "--cpuid", intel, stderr=warn)
        self.assertEqual(self.ok_json("decode", "IA32_EFER", "0x1D01", "--cpuid", amd)["reserved_bits_set"], ZERO64)
        # Without a dump only the bits no processor uses are reserved.
        self.assertEqual(self.ok_json("decode", "IA32_EFER", "0x1D01")["reserved_bits_set"], ZERO64)

    def test_undocumented_bits_are_no_reserved_bits(self):
        # IA32_SYSENTER_CS bits 63:16 are implementation-specific (the SDM: not used, read and written).
        out = self.ok_json("decode", "IA32_SYSENTER_CS", "0xFFFF0010")
        self.assertEqual(out["reserved_bits_set"], ZERO64)
        field = next(f for f in out["fields"] if f["name"] == "NOT_USED")
        self.assertTrue(field["undocumented"])
        text = self.ok("decode", "IA32_SYSENTER_CS", "0xFFFF0010")
        self.assertNotIn("warning", text)
        self.assertIn("(undocumented: implementation-specific)", text)

    def test_pat_power_up_value_names_memory_types(self):
        out = self.ok_json("decode", "IA32_PAT", "0x0007040600070406")
        names = [f["enum"] for f in out["fields"]]
        self.assertEqual(names, ["WB", "WT", "UC_MINUS", "UC"] * 2)
        text = self.ok("decode", "IA32_PAT", "0x0007040600070406")
        self.assertRegex(text, r"(?m)^2:0 +PA0 +rw +0x6 +6 +WB$")
        self.assertRegex(self.ok("decode", "IA32_APIC_BASE", "0xFEE00900"),
                         r"(?m)^51:12 +APIC_BASE +rw +0x00000FEE00 +1043968 *$")
        self.assertRegex(text, r"(?m)^26:24 +PA3 +rw +0x0 +0 +UC$")

    def test_unnamed_enum_value_is_null_in_json_and_flagged_in_text(self):
        out = self.ok_json("decode", "IA32_PAT", "0x2")  # encoding 2 is reserved
        self.assertIsNone(out["fields"][0]["enum"])
        # strict_enum fields (memory types) say what a WRMSR of the value does
        self.assertRegex(self.ok("decode", "IA32_PAT", "2"),
                         r"(?m)^2:0 +PA0 +rw +0x2 +2 +\(undefined: WRMSR raises #GP\)$")
        self.assertRegex(self.ok("decode", "IA32_MTRR_DEF_TYPE", "0xC07"),
                         r"(?m)^7:0 +TYPE +rw +0x07 +7 +\(undefined: WRMSR raises #GP\)$")
        self.assertRegex(self.ok("decode", "IA32_X2APIC_ICR", "0x300"),
                         r"(?m)^10:8 +DELIVERY_MODE +rw +0x3 +3 +\(not a named value\)$")

    def test_fields_without_enum_have_no_enum_member(self):
        out = self.ok_json("decode", "IA32_EFER", "1")
        self.assertTrue(all("enum" not in f for f in out["fields"]))

    def test_64_bit_field(self):
        wide = [(m, f) for m in self.listing() for f in m["fields"] if f["lsb"] == 0 and f["msb"] == 63]
        self.assertTrue(wide, "the spec has a 64-bit field (IA32_LSTAR)")
        msr, field = wide[0]
        for value in ("0xFFFFFFFF81000000", "0xFFFFFFFFFFFFFFFF", "0"):
            _, fields = self.decoded(msr["name"], value)
            self.assertEqual(fields[field["name"]], int(value, 16))
        self.assertRegex(self.ok("decode", msr["name"], "18446744073709551615"),
                         r"0xFFFFFFFFFFFFFFFF +18446744073709551615")

    def test_all_ones_fills_every_field_and_every_reserved_bit(self):
        for msr in sample(self.listing()):
            with self.subTest(msr["name"]):
                mask = int(msr["reserved_mask"], 16)
                out = self.ok_json("decode", msr["name"], "0xFFFF_FFFF_FFFF_FFFF",
                                   stderr=reserved_warning(msr["name"], mask) if mask else "")
                self.assertEqual(out["name"], msr["name"])
                self.assertEqual(out["reserved_bits_set"], msr["reserved_mask"])
                for f, decoded in zip(msr["fields"], out["fields"]):
                    width = f["msb"] - f["lsb"] + 1
                    self.assertEqual(decoded["value"], field_hex((1 << width) - 1, width))
                    self.assertEqual(decoded.get("value_int"), (1 << width) - 1 if width <= 53 else None)

    def test_number_forms_agree(self):
        expected = self.ok_json("decode", "IA32_EFER", "0xD01")
        for spelling in ("3329", "0XD01", "0xd01", "0b1101_0000_0001", "3_329", "0x0000_0D01"):
            with self.subTest(spelling):
                self.assertEqual(self.ok_json("decode", "IA32_EFER", spelling), expected)


class DecodeRulesTests(ToolTestCase):
    """decode's WRMSR verdict: the value rules the MSR-exit handler applies
    (the core's msr_write_check()), for the CPU of a dump: one test per rule."""
    INTEL = os.path.join(DATA, "cpuid-intel-rules.txt")  # MAXPHYADDR 39
    AMD = os.path.join(DATA, "cpuid-amd-rules.txt")      # MAXPHYADDR 48

    def verdict(self, name, value, dump, stderr=""):
        """The wrmsr member of decode --json and the text's WRMSR line."""
        wrmsr = self.ok_json("decode", name, value, "--cpuid", dump, stderr=stderr)["wrmsr"]
        text = self.ok("decode", name, value, "--cpuid", dump, stderr=stderr)
        lines = [line for line in text.splitlines() if line.startswith("WRMSR: ")]
        self.assertEqual(len(lines), 1, text)
        if wrmsr["accepted"]:
            self.assertEqual(lines[0], "WRMSR: accepted by the value rules on the CPU of the --cpuid dump")
            self.assertEqual((wrmsr["rule"], wrmsr["field"], wrmsr["reason"]), (None, None, None))
        else:
            self.assertEqual(lines[0], f"WRMSR: raises #GP ({wrmsr['rule']}): {wrmsr['reason']}")
        return wrmsr, text

    def test_write_zero_status_takes_only_zero_unless_the_other_msr_condition_is_known(self):
        # IA32_MCi_STATUS: Intel faults on any nonzero write; AMD unless HWCR[18]
        # (McStatusWrEn), another MSR's bit that CPUID cannot show: the core counts it as not holding.
        for dump in (self.INTEL, self.AMD):
            wrmsr, text = self.verdict("IA32_MC0_STATUS", "0x8000000000000001", dump)
            self.assertEqual((wrmsr["accepted"], wrmsr["rule"], wrmsr["field"]), (False, "write_zero", None))
            self.assertEqual((wrmsr["writable_if"], wrmsr["writable_if_holds"]), ("HWCR[18] = 1", "unknown"))
            self.assertIn("only 0 may be written to the register unless HWCR[18] = 1", text)
            self.assertTrue(self.verdict("IA32_MC3_STATUS", "0", dump)[0]["accepted"])

    def test_a_set_lock_field_is_reported(self):
        wrmsr, text = self.verdict("IA32_FEATURE_CONTROL", "0x5", self.INTEL)
        self.assertEqual((wrmsr["accepted"], wrmsr["lock_set"], wrmsr["lock_writes"]), (True, True, "fault"))
        self.assertIn("\nLOCK = 1: WRMSRs after this one raise #GP until reset\n", text)
        wrmsr, text = self.verdict("IA32_FEATURE_CONTROL", "0x4", self.INTEL)
        self.assertEqual((wrmsr["accepted"], wrmsr["lock_set"]), (True, False))
        self.assertIn("\nLOCK = 0: the register stays writable\n", text)
        # a register without a lock field has no lock members
        self.assertNotIn("lock_set", self.verdict("IA32_PAT", hex(0x0007040600070406), self.INTEL)[0])

    def test_a_field_the_cpu_lacks_is_named(self):
        # ENABLE_VMX_INSIDE_SMX needs SMX (CPUID.01H:ECX[6]), which the Intel dump lacks.
        wrmsr, _ = self.verdict("IA32_FEATURE_CONTROL", "0x3", self.INTEL,
                                stderr=reserved_warning("IA32_FEATURE_CONTROL", 0x2))
        self.assertEqual((wrmsr["accepted"], wrmsr["rule"], wrmsr["field"]),
                         (False, "absent_field", "ENABLE_VMX_INSIDE_SMX"))

    def test_physical_addresses_are_bounded_by_the_dumps_maxphyaddr(self):
        for name, value, field in (("IA32_APIC_BASE", 0x80FEE00900, "APIC_BASE"),
                                   ("IA32_MTRR_PHYSBASE0", 0x8000000006, "PHYSBASE")):
            with self.subTest(name):
                wrmsr, text = self.verdict(name, hex(value), self.INTEL, stderr=reserved_warning(name, 1 << 39))
                self.assertEqual((wrmsr["accepted"], wrmsr["rule"], wrmsr["field"]), (False, "phys_addr", field))
                self.assertIn("MAXPHYADDR (39 bits", text)
                self.assertTrue(self.verdict(name, hex(value), self.AMD)[0]["accepted"], "MAXPHYADDR 48")
                self.assertTrue(self.verdict(name, hex(value & ~(1 << 39)), self.INTEL)[0]["accepted"])

    def test_canonical_addresses_per_vendor(self):
        high = "0x0001000000000000"  # bit 48 set, 63:49 clear: not canonical with 48-bit linear addresses
        wrmsr, _ = self.verdict("IA32_SYSENTER_ESP", high, self.INTEL)
        self.assertEqual((wrmsr["accepted"], wrmsr["rule"], wrmsr["field"]), (False, "canonical", "ESP"))
        # AMD ignores the upper half of SYSENTER_ESP: no canonical check there
        self.assertTrue(self.verdict("IA32_SYSENTER_ESP", high, self.AMD)[0]["accepted"])
        for dump in (self.INTEL, self.AMD):
            wrmsr, _ = self.verdict("IA32_LSTAR", high, dump)
            self.assertEqual((wrmsr["accepted"], wrmsr["rule"]), (False, "canonical"))
            self.assertTrue(self.verdict("IA32_LSTAR", "0xFFFF800000001000", dump)[0]["accepted"])

    def test_undefined_memory_types_fault(self):
        wrmsr, _ = self.verdict("IA32_PAT", "0x0007040600070402", self.INTEL)
        self.assertEqual((wrmsr["accepted"], wrmsr["rule"], wrmsr["field"]), (False, "strict_enum", "PA0"))
        self.assertEqual(wrmsr["reason"], "PA0 = 0x2 is not a value its enumeration defines")

    def test_read_only_registers_fault(self):
        wrmsr, _ = self.verdict("IA32_VMX_BASIC", "0", self.INTEL)
        self.assertEqual((wrmsr["accepted"], wrmsr["rule"], wrmsr["field"]), (False, "read_only", None))


class HelpTests(ToolTestCase):
    def test_top_level_help_lists_subcommands_and_exit_codes(self):
        for args in (["--help"], ["-h"], ["help"]):
            out = self.ok(*args)
            self.assertTrue(out.startswith("Usage: x86msr"))
            for sub in ("list", "show", "decode", "help"):
                self.assertRegex(out, rf"(?m)^  {sub} ")
            self.assertIn("2 bad usage", out)

    def test_subcommand_help(self):
        for sub in ("list", "show", "decode", "help"):
            for args in ([sub, "--help"], [sub, "-h"], ["help", sub], ["--help", sub]):
                with self.subTest(args=args):
                    out = self.ok(*args)
                    self.assertTrue(out.startswith(f"Usage: x86msr {sub}"))
                    self.assertIn("--help", out)

    def test_help_wins_over_other_arguments(self):
        self.assertTrue(self.ok("decode", "NOPE", "zz", "--help").startswith("Usage: x86msr decode"))

    def test_version(self):
        self.assertRegex(self.ok("--version"), r"^x86msr \S+\n$")


class CompletionTests(ToolTestCase):
    """`x86msr completion bash`: the script, sourced in bash, completes subcommands,
    options, register names, option values and operands from the tool's tables."""

    script = None

    def setUp(self):
        if shutil.which("bash") is None:
            self.skipTest("no bash")
        if CompletionTests.script is None:
            CompletionTests.script = self.ok("completion", "bash")

    def complete(self, *words):
        """COMPREPLY for the command line `words` (the last one is being completed)."""
        quoted = " ".join(shlex.quote(w) for w in words)
        program = (CompletionTests.script + "\n"
                   f"COMP_WORDS=({quoted}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); COMPREPLY=()\n"
                   "_x86msr\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
        result = subprocess.run(["bash", "--norc", "--noprofile"], input=program, capture_output=True, text=True,
                                timeout=30, env=dict(os.environ, X86MSR_CPU_ROOT="/nonexistent"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        return [w for w in result.stdout.split("\n") if w]

    def test_subcommands(self):
        self.assertEqual(self.complete("x86msr", "li"), ["list"])
        self.assertEqual(self.complete("x86msr", "d"), ["decode", "dump", "diff"])
        self.assertEqual(self.complete("x86msr", "--v"), ["--version"])
        names = [line.split()[0] for line in self.ok("--help").split("Subcommands:\n")[1].split("\n\n")[0]
                 .splitlines()]
        self.assertEqual(self.complete("x86msr", ""), names + ["--help", "--version"])

    def test_options_of_each_subcommand(self):
        self.assertEqual(self.complete("x86msr", "list", "--cat"), ["--category"])
        self.assertEqual(self.complete("x86msr", "encode", "IA32_EFER", "--al"),
                         ["--allow-ro", "--allow-undefined", "--allow-fault"])
        self.assertEqual(self.complete("x86msr", "watch", "-"),
                         ["-i", "--interval", "-n", "--count", "-c", "--cpu", "-a", "--all", "--json", "-h", "--help"])

    def test_register_names_in_any_case(self):
        self.assertEqual(self.complete("x86msr", "show", "IA32_EF"), ["IA32_EFER"])
        self.assertEqual(self.complete("x86msr", "read", "-c", "0", "ia32_ef"), ["IA32_EFER"])
        self.assertIn("IA32_PAT", self.complete("x86msr", "read", "IA32_EFER", "IA32_PA"))
        self.assertIn("EFER", self.complete("x86msr", "decode", "EF"), "aliases too")
        self.assertEqual(self.complete("x86msr", "decode", "IA32_EFER", "0x"), [], "a VALUE has no completion")
        self.assertIn("IA32_TIME_STAMP_COUNTER", self.complete("x86msr", "watch", "-i", "0.5", "IA32_TIME"))

    def test_option_values(self):
        categories = {m["category"] for m in self.listing()}
        self.assertEqual(set(self.complete("x86msr", "list", "--category", "")) & categories, categories)
        self.assertEqual(self.complete("x86msr", "list", "--category", "vm"), ["vmx"])
        self.assertIn("vmx,syscall", self.complete("x86msr", "list", "--category", "vmx,sys"))
        self.assertEqual(self.complete("x86msr", "list", "--vendor", "in"), ["intel"])
        self.assertEqual(self.complete("x86msr", "list", "--access", ""), ["ro", "rw", "wo"])
        self.assertEqual(self.complete("x86msr", "read", "-c", ""), [])
        here = os.path.dirname(os.path.abspath(__file__))
        self.assertIn(os.path.join(here, "test_cli.py"),
                      self.complete("x86msr", "dump", "--from", os.path.join(here, "test_cli.p")))

    def test_field_names_after_the_register(self):
        self.assertEqual(self.complete("x86msr", "encode", "IA32_EFER", "N"), ["NXE="])
        self.assertEqual(self.complete("x86msr", "encode", "efer", "l"), ["LME=", "LMA=", "LMSLE="],
                         "an alias, any case; in the register's field order")
        self.assertEqual(self.complete("x86msr", "encode", "IA32_EFER", "SCE=1", "--base", "0", "N"), ["NXE="])
        self.assertEqual(self.complete("x86msr", "write", "-c", "0", "IA32_PAT", "PA7"), ["PA7="])
        self.assertEqual(self.complete("x86msr", "encode", "IA32_MTRR_PHYSBASE3", "T"), ["TYPE="], "an array instance")
        self.assertEqual(self.complete("x86msr", "encode", "IA32_PAT", "PA0="), [], "a value has no completion")
        self.assertEqual(self.complete("x86msr", "read", "IA32_EFER", "-f", "N"), ["NXE"], "-f FIELD: no '='")
        self.assertEqual(self.complete("x86msr", "read", "-f", "N"), [], "no register yet")
        self.assertEqual(self.complete("x86msr", "encode", "0xC0000080", "N"), [], "by address: no fields offered")

    def test_other_operands(self):
        self.assertEqual(self.complete("x86msr", "help", "wa"), ["watch"])
        self.assertEqual(self.complete("x86msr", "completion", ""), ["bash"])
        here = os.path.dirname(os.path.abspath(__file__))
        self.assertIn(os.path.join(here, "fake_tree.py"),
                      self.complete("x86msr", "diff", os.path.join(here, "fake_t")))

    def test_the_build_writes_the_same_script(self):
        built = os.path.join(os.path.dirname(os.path.realpath(TOOL)), "x86msr.bash-completion")
        if not os.path.exists(built):
            self.skipTest("no x86msr.bash-completion next to the tool")
        with open(built, encoding="utf-8") as f:
            self.assertEqual(f.read(), CompletionTests.script)

    def test_unknown_shell(self):
        for shell in ("bsh", "zsh"):
            result = run("completion", shell)
            self.assertEqual(result.returncode, 2)
            self.assertEqual(result.stderr,
                             f"x86msr: unknown shell '{shell}': the completion script is for bash only\n")
        check_json_error(self, run("completion", "--json", "zsh"), "usage")


# (arguments, pattern the single stderr line must match, after "x86msr: ")
BAD_USAGE = [
    ([], r"missing subcommand \(try 'x86msr --help'\)", "usage"),
    (["lst"], r"unknown subcommand 'lst' \(did you mean list\?\)", "usage"),
    (["frobnicate"], r"unknown subcommand 'frobnicate' \(try 'x86msr --help'\)", "usage"),
    (["--bogus"], r"unknown option '--bogus'", "usage"),
    (["--version", "extra"], r"unexpected argument 'extra' after --version", "usage"),
    (["help", "decod"], r"unknown subcommand 'decod' \(did you mean decode\?\)", "usage"),
    # unknown registers
    (["show", "IA32_EFFER"], r"unknown MSR 'IA32_EFFER' \(did you mean IA32_EFER\?\)", "unknown_msr"),
    (["show", "ia32_efre"], r"unknown MSR 'ia32_efre' \(did you mean IA32_EFER\?\)", "unknown_msr"),
    (["show", "VMX_BASIC"], r"unknown MSR 'VMX_BASIC' \(did you mean IA32_VMX_BASIC\?\)", "unknown_msr"),
    (["show", "MSR_K8_TOP_MEM2"], r"unknown MSR 'MSR_K8_TOP_MEM2'$", "unknown_msr"),
    (["decode", "IA32_PATT", "0"], r"unknown MSR 'IA32_PATT' \(did you mean IA32_PAT\?\)", "unknown_msr"),
    (["show", ""], r"empty MSR name", "unknown_msr"),
    (["show", "a\nb"], r"unknown MSR 'a\\nb'", "unknown_msr"),
    # addresses
    (["show", "0x12345"], r"no MSR at address 0x00012345", "unknown_msr"),
    (["show", "0x100000000"], r"invalid MSR address '0x100000000': does not fit in 32 bits", "bad_number"),
    (["show", "0x3Z"], r"invalid MSR address '0x3Z': 'Z' is not a hex digit", "bad_number"),
    (["show", "0x"], r"invalid MSR address '0x': no digits after '0x'", "bad_number"),
    (["show", "058"], r"invalid MSR address '058': leading zero", "bad_number"),
    (["show", "0x480 "], r"invalid MSR address '0x480 ': byte 0x20 is not a hex digit", "bad_number"),
    # values
    (["decode", "IA32_EFER", ""], r"invalid value '': empty", "bad_number"),
    (["decode", "IA32_EFER", "0xD01G"], r"invalid value '0xD01G': 'G' is not a hex digit", "bad_number"),
    (["decode", "IA32_EFER", "12abc"], r"invalid value '12abc': 'a' is not a decimal digit", "bad_number"),
    (["decode", "IA32_EFER", "0b102"], r"invalid value '0b102': '2' is not a binary digit", "bad_number"),
    (["decode", "IA32_EFER", "-1"], r"invalid value '-1': a sign is not allowed", "bad_number"),
    (["decode", "IA32_EFER", "+1"], r"invalid value '\+1': a sign is not allowed", "bad_number"),
    (["decode", "IA32_EFER", "0x1_0000_0000_0000_0000"],
     r"invalid value '0x1_0000_0000_0000_0000': does not fit in 64 bits", "bad_number"),
    (["decode", "IA32_EFER", "18446744073709551616"],
     r"invalid value '18446744073709551616': does not fit in 64 bits", "bad_number"),
    (["decode", "IA32_EFER", "1__0"], r"invalid value '1__0': misplaced '_'", "bad_number"),
    (["decode", "IA32_EFER", "1_"], r"invalid value '1_': misplaced '_'", "bad_number"),
    (["decode", "IA32_EFER", "1\t"], r"invalid value '1\\t': byte 0x09 is not a decimal digit", "bad_number"),
    # arguments and options
    (["show"], r"missing argument NAME\|ADDRESS \(try 'x86msr show --help'\)", "usage"),
    (["decode"], r"missing argument NAME\|ADDRESS \(try 'x86msr decode --help'\)", "usage"),
    (["decode", "IA32_EFER"], r"missing argument VALUE \(try 'x86msr decode --help'\)", "usage"),
    (["decode", "IA32_EFER", "1", "2"], r"unexpected argument '2'", "usage"),
    (["show", "IA32_EFER", "IA32_PAT"], r"unexpected argument 'IA32_PAT'", "usage"),
    (["show", "IA32_EFER", "--category", "vmx"], r"unknown option '--category' for 'show'", "usage"),
    (["list", "--jsn"], r"unknown option '--jsn' for 'list' \(did you mean --json\?\)", "usage"),
    (["decode", "-x", "IA32_EFER", "1"], r"unknown option '-x' for 'decode'", "usage"),
    (["show", "--json=yes", "IA32_EFER"], r"option '--json' takes no value", "usage"),
    (["help", "list", "show"], r"unexpected argument 'show'", "usage"),
]


class ErrorTests(unittest.TestCase):
    def test_bad_usage_is_one_line_and_status_2(self):
        for args, pattern, _ in BAD_USAGE:
            with self.subTest(args=args):
                result = run(*args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(result.stdout, "")
                self.assertTrue(result.stderr.endswith("\n"), repr(result.stderr))
                lines = result.stderr.splitlines()
                self.assertEqual(len(lines), 1, lines)
                self.assertRegex(lines[0], "^x86msr: " + pattern)

    def test_with_json_each_failure_is_one_error_object_on_stdout(self):
        """The same failures with --json: exit status 2 still, the line on stderr still,
        and on stdout exactly {"error": {"code", "message"}} with the code of the table."""
        for args, pattern, code in BAD_USAGE:
            if not args or args[0].startswith("-") or args[0] == "help":
                continue  # another mistake with --json: an unknown global option, or help's
            with self.subTest(args=args):
                result = run(args[0], "--json", *args[1:])
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(len(result.stderr.splitlines()), 1)
                self.assertRegex(result.stderr, "^x86msr: " + pattern)
                check_json_error(self, result, code)
        check_json_error(self, run("--json"), "usage")
        self.assertEqual(run("show", "--", "--json").stdout, "")

    def test_dash_dash_makes_option_lookalikes_operands(self):
        result = run("show", "--", "--json")
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr, "x86msr: unknown MSR '--json'\n")

    def test_write_error_is_a_runtime_failure(self):
        if not os.path.exists("/dev/full"):
            self.skipTest("no /dev/full")
        with open("/dev/full", "w") as full:
            result = subprocess.run([TOOL, "list", "--json"], stdout=full, stderr=subprocess.PIPE, text=True,
                                    timeout=30)
        self.assertEqual(result.returncode, 1)
        self.assertRegex(result.stderr, r"^x86msr: cannot write output: .+\n$")


if __name__ == "__main__":
    run_tests(sys.modules[__name__])
