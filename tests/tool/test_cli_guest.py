#!/usr/bin/env python3
"""End-to-end tests of the guest-state commands of `x86msr` (issue 23):
save-list (the registers a VMM saves, in restore order), template (CPU
templates by field name, every error at FILE:LINE:COL) and baseline (what a
fleet of hosts can offer a guest, and the template that yields it).

Run: test_cli_guest.py --tool PATH/TO/x86msr [unittest arguments, e.g. TemplateTests]
(or set X86MSR_TOOL). CTest runs each TestCase class as its own test.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tool_main import check_json_error, run_tests  # noqa: E402

TOOL = os.environ.get("X86MSR_TOOL", "")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SNAPSHOTS = os.path.join(ROOT, "tests", "vmx", "snapshots")
HOSTS = [os.path.join(SNAPSHOTS, name) for name in
         ("intel-core-i7-6700k-skylake.txt", "intel-core2-x6800-merom.txt", "intel-xeon-x5482-penryn.txt")]
CPUID_VMX = os.path.join(ROOT, "tests", "tool", "data", "cpuid-intel-vmx.txt")
CPUID_AMD = os.path.join(ROOT, "tests", "tool", "data", "cpuid-amd-svm.txt")
CARRIERS = ["feature", "setup", "sregs", "lapic", "msr"]  # enum msr_guest_state: restore order


def run(*args, stdin=None):
    return subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=60, input=stdin)


def snapshot_values(path):
    """{cpu: {address: value}} of a snapshot file (`cpu N` lines, then `ADDRESS VALUE [NAME]`)."""
    cpus = {}
    cpu = cpus.setdefault(0, {})  # a file without `cpu` lines is CPU 0's
    with open(path) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if words[0] == "cpu":
                cpu = cpus.setdefault(int(words[1], 0), {})
            else:
                cpu[int(words[0], 16)] = int(words[1], 16)
    return cpus


class GuestTestCase(unittest.TestCase):
    maxDiff = None

    def ok(self, *args, stdin=None):
        result = run(*args, stdin=stdin)
        self.assertEqual(result.returncode, 0, f"x86msr {' '.join(args)}: {result.stderr}")
        self.assertEqual(result.stderr, "", f"x86msr {' '.join(args)}")
        return result.stdout

    def ok_json(self, *args, stdin=None):
        return json.loads(self.ok(*args, "--json", stdin=stdin))

    def fails(self, args, code, message, stdin=None):
        """Exit status 2, nothing on stdout, one stderr line that is `message`;
        with --json the error object with `code`."""
        result = run(*args, stdin=stdin)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.stderr, "x86msr: " + message + "\n")
        check_json_error(self, run(args[0], "--json", *args[1:], stdin=stdin), code)


class SaveListTests(GuestTestCase):
    def check_order(self, regs):
        position = {r["name"]: i for i, r in enumerate(regs)}
        defs = {}
        for i, r in enumerate(regs):
            self.assertEqual(r["order"], i + 1)
            defs.setdefault(r["name"].rstrip("0123456789"), i)
            if i:
                self.assertLessEqual(CARRIERS.index(regs[i - 1]["carrier"]), CARRIERS.index(r["carrier"]),
                                     f"{r['name']} is carried before {regs[i - 1]['name']}")
            for earlier in r["after"]:
                # an array's definition name stands for its instances: each must come first
                names = [n for n in position if n == earlier or
                         ("{n}" in earlier and n.startswith(earlier.split("{n}")[0]) and
                          n.endswith(earlier.split("{n}")[1]))]
                self.assertTrue(names, f"{r['name']} comes after {earlier}, which is not listed")
                for n in names:
                    self.assertLess(position[n], i, f"{r['name']} is restored before {n}")
            if r["after"]:
                self.assertTrue(r["why"])

    def test_a_guest_s_list_is_in_restore_order(self):
        for cpuid in (CPUID_VMX, CPUID_AMD):
            with self.subTest(cpuid=cpuid):
                data = self.ok_json("save-list", "--cpuid", cpuid)
                self.assertEqual(data["facts"]["cpuid"], cpuid)
                self.assertTrue(data["registers"])
                self.check_order(data["registers"])
                self.assertTrue(all(r["presence"] == "yes" for r in data["registers"]))

    def test_msr_values_decide_what_cpuid_cannot(self):
        """The snapshot's VMX and MCG_CAP values decide registers CPUID alone leaves unknown."""
        alone = self.ok_json("save-list", "--cpuid", CPUID_VMX)["registers"]
        unknown = self.ok_json("save-list", "--cpuid", CPUID_VMX, "--unknown")["registers"]
        names = {r["name"] for r in alone}
        self.assertLessEqual(names, {r["name"] for r in unknown})
        self.assertTrue(any(r["presence"] == "unknown" for r in unknown))
        self.check_order(unknown)
        with_msrs = self.ok_json("save-list", "--cpuid", CPUID_VMX, "--from", HOSTS[0])["registers"]
        self.check_order(with_msrs)
        more = {r["name"] for r in with_msrs} - names
        self.assertIn("IA32_VMX_PROCBASED_CTLS2", more)     # IA32_VMX_PROCBASED_CTLS[63]
        self.assertNotIn("IA32_VMX_PROCBASED_CTLS2", names)

    def test_the_bank_count_gives_the_machine_check_banks(self):
        with tempfile.TemporaryDirectory() as d:
            cpuid, msrs = os.path.join(d, "cpuid.txt"), os.path.join(d, "msrs.txt")
            with open(CPUID_VMX) as f, open(cpuid, "w") as out:   # the same CPU with MCA (CPUID.1:EDX[14])
                out.write(f.read().replace("edx=0x00010010", "edx=0x00014010"))
            with open(msrs, "w") as out:
                out.write("0x179 0x0000000000000002\n")           # IA32_MCG_CAP: 2 banks
            regs = self.ok_json("save-list", "--cpuid", cpuid, "--from", msrs)["registers"]
        self.check_order(regs)
        banks = [r["name"] for r in regs if r["name"].startswith("IA32_MC") and r["name"][7].isdigit()]
        self.assertEqual(banks, [f"IA32_MC{n}_{kind}" for n in (0, 1) for kind in ("CTL", "STATUS", "ADDR", "MISC")])
        carriers = {r["name"]: r["carrier"] for r in regs}
        self.assertEqual(carriers["IA32_MCG_CAP"], "setup")      # KVM_X86_SETUP_MCE, before the banks

    def test_compare_mask_leaves_out_what_changes_by_itself(self):
        regs = {r["name"]: r for r in self.ok_json("save-list", "--cpuid", CPUID_VMX)["registers"]}
        self.assertEqual(regs["IA32_TIME_STAMP_COUNTER"]["compare_mask"], "0x0000000000000000")
        self.assertEqual(regs["IA32_PAT"]["compare_mask"], "0xFFFFFFFFFFFFFFFF")   # nothing in it changes
        with tempfile.TemporaryDirectory() as d:
            cpuid = os.path.join(d, "cpuid.txt")
            with open(CPUID_VMX) as f, open(cpuid, "w") as out:   # with TSC-deadline mode (CPUID.1:ECX[24])
                out.write(f.read().replace("ecx=0x00000020", "ecx=0x01000020"))
            regs = {r["name"]: r for r in self.ok_json("save-list", "--cpuid", cpuid)["registers"]}
        self.assertEqual(regs["IA32_TSC_DEADLINE"]["compare_mask"], "0x0000000000000000")   # fires and clears

    def test_text_lists_the_same_registers(self):
        data = self.ok_json("save-list", "--cpuid", CPUID_AMD)["registers"]
        text = self.ok("save-list", "--cpuid", CPUID_AMD).splitlines()
        rows = [line.split()[2] for line in text[2:2 + len(data)]]
        self.assertEqual(rows, [r["name"] for r in data])
        self.assertIn(f"{len(data)} registers:", "\n".join(text))

    def test_bad_usage(self):
        self.fails(["save-list", "-c", "1"], "usage", "--cpu only makes sense with --from")
        self.fails(["save-list", "--from", HOSTS[0], "-c", "7"], "no_cpu",
                   f"{HOSTS[0]}: no CPU '7' in the snapshot")


# (template text, error code, line, column, message after FILE:LINE:COL: )
BAD_TEMPLATES = [
    ('{', "bad_file", 1, 2, "expected a key (a string in double quotes), not the end of the file"),
    ('[]', "bad_file", 1, 1, 'a template is an object with "registers" (and "description"), not an array'),
    ('{"registers": {}} x', "bad_file", 1, 19, "more after the end of the document: 'x'"),
    ('{"description": 1, "registers": {}}', "bad_file", 1, 17, '"description" must be a string, not a number'),
    ('{"registers": []}', "bad_file", 1, 15, '"registers" must be an object of register names, not an array'),
    ('{"registrs": {}}', "bad_file", 1, 2,
     'unknown key "registrs" (did you mean registers?) (a template has "description" and "registers")'),
    ('{"description": "x"}', "bad_file", 1, 1, 'a template needs "registers"'),
    ('{"registers": {"EFFER": {}}}', "unknown_msr", 1, 16, "unknown MSR 'EFFER' (did you mean IA32_EFER?)"),
    ('{"registers": {"IA32_PAT": 3}}', "bad_file", 1, 28,
     "IA32_PAT: expected an object of field names and values, not a number"),
    ('{"registers": {"IA32_MPERF": {}}}', "refused", 1, 16,
     "IA32_MPERF is no guest state: a template sets a vCPU's feature MSRs and its guest-state registers"),
    ('{"registers": {"IA32_PAT": {}, "pat": {}}}', "bad_file", 1, 32,
     'IA32_PAT is given twice (as "pat"; first at line 1)'),
    ('{"registers": {"IA32_PAT": {"PA9": 1}}}', "unknown_field", 1, 29, "IA32_PAT has no field 'PA9' (did you mean PA0?)"),
    ('{"registers": {"IA32_PAT": {"PA0": 1, "pa0": 6}}}', "bad_file", 1, 39,
     "field PA0 of IA32_PAT is given twice (first at line 1)"),
    ('{"registers": {"IA32_PAT": {"PA0": 9}}}', "bad_value", 1, 36,
     "value 9 does not fit field IA32_PAT.PA0 (3 bits, at most 0x7)"),
    ('{"registers": {"IA32_PAT": {"PA0": 2}}}', "bad_value", 1, 36,
     "IA32_PAT.PA0: 2 is not one of the field's values (a WRMSR with it raises #GP)"),
    ('{"registers": {"IA32_PAT": {"PA0": "WT2"}}}', "bad_value", 1, 36,
     "invalid value 'WT2' for IA32_PAT.PA0: not a number or a value name (did you mean WT?)"),
    ('{"registers": {"IA32_PAT": {"PA0": true}}}', "bad_value", 1, 36,
     'IA32_PAT.PA0: true and false are for one-bit fields; this one has 3 bits ("set", "clear" or a number)'),
    ('{"registers": {"IA32_PAT": {"PA0": -1}}}', "bad_value", 1, 36, "IA32_PAT.PA0: -1 is not a whole number of 0 or more"),
    ('{"registers": {"IA32_PAT": {"PA0": 1.5}}}', "bad_value", 1, 36,
     "IA32_PAT.PA0: 1.5 is not a whole number of 0 or more"),
    ('{"registers": {"IA32_PAT": {"PA0": ""}}}', "bad_value", 1, 36,
     'IA32_PAT.PA0: an empty value (expected "set", "clear", "keep", a number or a value name)'),
    ('{"registers": {"IA32_PAT": {"PA0": null}}}', "bad_value", 1, 36,
     'IA32_PAT.PA0: expected "set", "clear", "keep", a number, a value name or (one bit) true or false, not null'),
    ('{"registers": {"IA32_TSC_AUX": {"AUX": "0x1_0000_0000"}}}', "bad_value", 1, 40,
     "value 0x1_0000_0000 does not fit field IA32_TSC_AUX.AUX (32 bits, at most 0xFFFFFFFF)"),
    ('{"registers": {"IA32_TSC_AUX": {"AUX": "0xZ"}}}', "bad_number", 1, 40, None),
    ('{"registers": {"IA32_APIC_BASE": {"BSP": "set"}}}', "refused", 1, 35,
     "field BSP of IA32_APIC_BASE is read-only, and its register is no feature register: not writable, "
     "not a feature bit"),
    ('{"registers": {"IA32_VMX_MISC": {"IMPL_9": "clear"}}}', "refused", 1, 34,
     "field IMPL_9 of IA32_VMX_MISC is undocumented (implementation-specific): not a feature bit, not writable"),
    ('{"registers": {\n  "IA32_PAT": {\n    "PA0": "WB",\n    "PA1": "UC-"\n  }\n}}', "bad_value", 4, 12, None),
    ('{"registers": {"IA32_PAT": {"PA0": "\\q"}}}', "bad_file", 1, 38, "invalid escape \\'q' in a string"),
    ('{"a": 1, "a": 2}', "bad_file", 1, 10, 'duplicate key "a" (first at line 1, column 2)'),
    ('{"registers": {}, }', "bad_file", 1, 19, "a trailing ',' before '}'"),
    ('[' * 70, "bad_file", 1, 65, "nested deeper than 64 levels"),
]


class TemplateTests(GuestTestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def write(self, text, name="t.json"):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_every_mistake_is_one_error_at_its_line_and_column(self):
        for text, code, line, col, message in BAD_TEMPLATES:
            with self.subTest(text=text):
                path = self.write(text)
                result = run("template", path)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(result.stdout, "")
                lines = result.stderr.splitlines()
                self.assertEqual(len(lines), 1, lines)
                prefix = f"x86msr: {path}:{line}:{col}: "
                self.assertTrue(lines[0].startswith(prefix), (lines[0], prefix))
                if message is not None:
                    self.assertEqual(lines[0], prefix + message)
                check_json_error(self, run("template", "--json", path), code)

    def test_a_missing_file_is_named(self):
        result = run("template", os.path.join(self.dir.name, "none.json"))
        self.assertEqual(result.returncode, 1)
        self.assertRegex(result.stderr, r"^x86msr: .*none\.json: cannot open: No such file")

    def test_values_compile_to_clear_and_set(self):
        path = self.write(json.dumps({"description": "d", "registers": {
            "IA32_PAT": {"PA0": "WB", "PA1": 0, "PA2": "keep"},
            "efer": {"NXE": True, "SCE": "clear"},
            "IA32_TSC_AUX": {"AUX": "0b101"}}}))
        data = self.ok_json("template", path)
        with open(path) as f:
            text = f.read()
        self.assertEqual(data["description"], "d")
        regs = {r["name"]: r for r in data["registers"]}
        self.assertEqual(list(regs), ["IA32_PAT", "IA32_EFER", "IA32_TSC_AUX"])    # file order
        self.assertEqual(regs["IA32_PAT"]["clear"], "0x0000000000000707")
        self.assertEqual(regs["IA32_PAT"]["set"], "0x0000000000000006")
        self.assertEqual([f["keep"] for f in regs["IA32_PAT"]["fields"]], [False, False, True])
        self.assertEqual(regs["IA32_EFER"]["clear"], "0x0000000000000801")
        self.assertEqual(regs["IA32_EFER"]["set"], "0x0000000000000800")
        self.assertEqual(regs["IA32_TSC_AUX"]["set"], "0x0000000000000005")
        self.assertEqual(self.ok_json("template", "-", stdin=text), dict(data, template="-"))

    def test_applied_to_a_host_and_written_out(self):
        """--from shows before/after and asks-for-more; --output is the snapshot with the template applied."""
        path = self.write(json.dumps({"registers": {
            "IA32_VMX_PROCBASED_CTLS": {"ALLOWED_1": "0xFFFFFFFF"},     # more than Merom allows
            "IA32_VMX_BASIC": {"INS_OUTS_INFO": "clear"}}}))
        out = os.path.join(self.dir.name, "out.txt")
        data = self.ok_json("template", path, "--from", HOSTS[1], "--output", out)
        host = snapshot_values(HOSTS[1])
        regs = {r["name"]: r for r in data["registers"]}
        procbased = regs["IA32_VMX_PROCBASED_CTLS"]
        self.assertEqual(int(procbased["host_value"], 16), host[0][0x482])
        self.assertEqual(int(procbased["value"], 16), (host[0][0x482] & 0xFFFFFFFF) | 0xFFFFFFFF << 32)
        self.assertTrue(procbased["fields"][0]["exceeds_host"])
        self.assertFalse(regs["IA32_VMX_BASIC"]["fields"][0]["exceeds_host"])
        written = snapshot_values(out)
        self.assertEqual(sorted(written), sorted(host))
        for cpu in host:
            for address, value in host[cpu].items():
                expected = (value & 0xFFFFFFFF) | 0xFFFFFFFF << 32 if address == 0x482 else \
                    value & ~(1 << 54) if address == 0x480 else value
                self.assertEqual(written[cpu][address], expected, hex(address))
        text = self.ok("template", path, "--from", HOSTS[1])
        self.assertIn("more than the host offers", text)
        self.assertIn("1 ask for more than the host offers", text)

    def test_the_guide_s_template_is_valid(self):
        """docs/guest-state.md's example template passes the checks it describes."""
        with open(os.path.join(ROOT, "docs", "guest-state.md")) as f:
            guide = f.read()
        text = guide.split("```json\n", 1)[1].split("```", 1)[0]
        data = self.ok_json("template", self.write(text))
        self.assertEqual([r["name"] for r in data["registers"]],
                         ["IA32_ARCH_CAPABILITIES", "IA32_PAT", "IA32_TSC_AUX"])
        pat = data["registers"][1]
        self.assertEqual(pat["set"], "0x0000000000070406")   # WB WT UC- UC: the power-up PAT's low half

    def test_bad_usage(self):
        path = self.write('{"registers": {}}')
        self.fails(["template", path, "-o", "x"], "usage", "--output only makes sense with --from")
        self.fails(["template", path, "-c", "0"], "usage", "--cpu only makes sense with --from")


class BaselineTests(GuestTestCase):
    def test_features_merge_by_their_rules(self):
        data = self.ok_json("baseline", *HOSTS)
        hosts = [snapshot_values(h)[0] for h in HOSTS]
        regs = {r["name"]: r for r in data["registers"]}
        pin = regs["IA32_VMX_PINBASED_CTLS"]
        self.assertTrue(pin["offered"])
        self.assertEqual(int(pin["value"], 16) >> 32, hosts[0][0x481] >> 32 & hosts[1][0x481] >> 32 &
                         hosts[2][0x481] >> 32)   # allowed-1: AND
        self.assertEqual(int(pin["value"], 16) & 0xFFFFFFFF, (hosts[0][0x481] | hosts[1][0x481] |
                                                              hosts[2][0x481]) & 0xFFFFFFFF)   # allowed-0: OR
        basic = {f["name"]: f for f in regs["IA32_VMX_BASIC"]["differing_fields"]}
        self.assertTrue(basic["REVISION_ID"]["conflict"])                # equal: no common value
        self.assertEqual(basic["VMCS_SIZE"]["value"], max(basic["VMCS_SIZE"]["hosts"]))
        self.assertEqual(basic["TRUE_CONTROLS"]["value"], 0)
        self.assertFalse(regs["IA32_VMX_EPT_VPID_CAP"]["offered"])     # not on Merom or Penryn
        self.assertEqual(regs["IA32_VMX_EPT_VPID_CAP"]["why"], "missing on a host")

    def test_its_template_fits_every_host(self):
        """The template written for the baseline asks no host for more than it offers."""
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "base.json")
            self.ok("baseline", *HOSTS, "--template", path)
            with open(path) as f:
                template = json.load(f)
            self.assertEqual(template, self.ok_json("baseline", *HOSTS)["template"])
            self.assertIn("IA32_VMX_BASIC", template["registers"])
            self.assertEqual(template["registers"]["IA32_VMX_BASIC"]["REVISION_ID"], "keep")
            for host in HOSTS:
                with self.subTest(host=host):
                    data = self.ok_json("template", path, "--from", host)
                    for r in data["registers"]:
                        self.assertTrue(r["on_host"], r["name"])
                        for f in r["fields"]:
                            self.assertFalse(f["exceeds_host"], (r["name"], f["name"]))

    def test_bad_usage(self):
        self.fails(["baseline", HOSTS[0]], "usage", "a baseline needs the snapshots of two or more hosts (got 1)")
        self.fails(["baseline", HOSTS[0], HOSTS[1], "-c", "3"], "no_cpu", f"{HOSTS[0]}: no CPU '3' in the snapshot")


if __name__ == "__main__":
    run_tests(sys.modules[__name__])
