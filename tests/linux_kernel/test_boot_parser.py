#!/usr/bin/env python3
"""boot.py's console parser on made-up consoles (no QEMU needed): what it
extracts, and each kind of trouble it must report. The real consoles are
checked by the linux_kernel_boot_* tests, the parser's alarms on a real
kernel by linux_kernel_boot_detects_faults."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boot  # noqa: E402

MODULE = "/build/x86msr_test.ko"


def console(*middle, cpuid=None, done=True, taint=4096):
    """A console as QEMU prints it: firmware noise, then kernel records."""
    cpuid = cpuid if cpuid is not None else [
        "CPU 0:",
        "   0x00000000 0x00: eax=0x0000000d ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69",
        "   0x00000001 0x00: eax=0x000506e3 ebx=0x00000800 ecx=0xfed83203 edx=0x078bfbfd",
    ]
    lines = ["SeaBIOS (version 1.16.2-debian-1.16.2-1)",
             "\x1bc\x1b[?7l\x1b[2J[    0.000000] Linux version 6.1.0-57-amd64 (debian-kernel@lists.debian.org)",
             "RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable to RETBleed attacks",
             "read_msr: 1a0, value 1",
             "write_msr: 3a, value 1",
             "x86msr-init: start kernel=6.1.0-57-amd64",
             "x86msr-cpuid: begin vendor=GenuineIntel"]
    lines += cpuid
    lines += [f"x86msr-cpuid: end leaves={sum(1 for c in cpuid if c != 'CPU 0:')}",
              "x86msr-init: module begin x86msr_test.ko"]
    lines += list(middle)
    lines += ["x86msr-init: module end x86msr_test.ko ok",
              "x86msr-init: modules loaded=1 failed=0",
              f"x86msr-init: tainted={taint}"]
    if done:
        lines += ["x86msr-init: done failures=0", "read_msr: 179, value 100010a"]
    out = []
    for i, line in enumerate(lines):
        if line.startswith("SeaBIOS") or line.startswith("\x1b"):
            out.append(line + "\r")
        else:
            out.append(f"[{1 + i / 1000:12.6f}] {line}\r")
    return "\n".join(out) + "\n"


GOOD_MODULE = [
    "x86msr-test: begin x86msr_test",
    "read_msr: 1b, value fee00900",
    "x86msr-test: ok read.apic_base: msr=0x1b value=0xfee00900",
    "write_msr: 6e1, value 100000000 #GP",
    "x86msr-test: ok write.pkrs_reserved: msr=0x6e1 bit 32: wrmsrl_safe returned -5",
    "x86msr-test: skip read.absent: msr=0x12345678: QEMU TCG reads it as 0x0 without a #GP",
    "x86msr-test: end x86msr_test passed=2 failed=0 skipped=1",
]


def parse(text):
    return boot.Console(text, [MODULE])


class Extracts(unittest.TestCase):
    def test_good_console(self):
        c = parse(console(*GOOD_MODULE))
        self.assertEqual(c.problems, [])
        self.assertEqual(c.kernel, "6.1.0-57-amd64")
        self.assertEqual(c.cpuid_vendor, "GenuineIntel")
        self.assertEqual(c.cpuid_lines[0], "CPU 0:")
        self.assertEqual(len(c.cpuid_lines), 3)
        self.assertEqual([(a["phase"], a["op"], a["msr"], a["value"], a["gp"]) for a in c.accesses], [
            ("kernel", "read", 0x1a0, 1, False),
            ("kernel", "write", 0x3a, 1, False),
            ("module:x86msr_test.ko", "read", 0x1b, 0xfee00900, False),
            ("module:x86msr_test.ko", "write", 0x6e1, 0x100000000, True),
            ("shutdown", "read", 0x179, 0x100010a, False),
        ])
        f = c.figures()
        self.assertEqual((f["accesses"], f["reads"], f["writes"], f["gp"], f["cpuid_leaves"]), (5, 3, 2, 1, 2))
        self.assertEqual(c.tests["x86msr_test"]["end"], (2, 0, 1))

    def test_unchecked_access_marks_the_record(self):
        c = parse(console(*GOOD_MODULE[:-1],
                          "unchecked MSR access error: WRMSR to 0x6e1 (tried to write 0x0000000100000000) "
                          "at rIP: 0xffffffff9c27e914 (native_write_msr+0x4/0x20)",
                          "Call Trace:",
                          "write_msr: 6e1, value 100000000",
                          GOOD_MODULE[-1]))
        last = [a for a in c.accesses if a["msr"] == 0x6e1][-1]
        self.assertTrue(last["gp"] and last["unchecked"])
        self.assertTrue(any("unchecked MSR access" in p for p in c.problems))
        self.assertTrue(any(p.startswith("call trace") for p in c.problems))


class Reports(unittest.TestCase):
    def assertProblem(self, text, fragment):
        problems = parse(text).problems
        self.assertTrue(any(fragment in p for p in problems), f"no problem with {fragment!r} in {problems}")

    def test_kernel_trouble(self):
        for line, fragment in [
                ("Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b", "kernel panic"),
                ("BUG: kernel NULL pointer dereference, address: 0000000000000000", "BUG"),
                ("Oops: 0000 [#1] PREEMPT SMP NOPTI", "oops"),
                ("WARNING: CPU: 0 PID: 1 at kernel/foo.c:1 foo+0x1/0x2", "WARNING"),
                ("general protection fault, probably for non-canonical address", "general protection fault"),
                ("** 12 printk messages dropped **", "console output lost"),
                ("traps: init[1] general protection fault ip:432a8b", "user-space fault"),
                ("watchdog: BUG: soft lockup - CPU#0 stuck for 22s!", "BUG")]:
            with self.subTest(line=line):
                self.assertProblem(console(*GOOD_MODULE, line), fragment)

    def test_taint(self):
        self.assertProblem(console(*GOOD_MODULE, taint=4096 | 512), "tainted W")
        self.assertProblem(console(*GOOD_MODULE, taint=4096 | 128), "tainted D")

    def test_init_did_not_finish(self):
        self.assertProblem(console(*GOOD_MODULE, done=False), "/init never finished")

    def test_cpuid_dump_incomplete(self):
        text = console(*GOOD_MODULE).replace("end leaves=2", "end leaves=3")
        self.assertProblem(text, "announces 3 leaves, 2 arrived whole")
        self.assertProblem(console(*GOOD_MODULE, cpuid=["CPU 0:"]), "lacks leaf 0")

    def test_module_fail_line(self):
        lines = GOOD_MODULE[:-1] + ["x86msr-test: fail efer.long_mode: SCE, LME and LMA: 0x1 of 0x501",
                                    "x86msr-test: end x86msr_test passed=2 failed=1 skipped=1"]
        self.assertProblem(console(*lines), "fail efer.long_mode")

    def test_module_counts_disagree(self):
        lines = GOOD_MODULE[:-1] + ["x86msr-test: end x86msr_test passed=3 failed=0 skipped=1"]
        self.assertProblem(console(*lines), "end line says")

    def test_module_without_end(self):
        self.assertProblem(console(*GOOD_MODULE[:-1]), "no end line")

    def test_module_that_checks_nothing(self):
        lines = ["x86msr-test: begin x86msr_test",
                 "x86msr-test: skip everything: nothing to do",
                 "x86msr-test: end x86msr_test passed=0 failed=0 skipped=1"]
        self.assertProblem(console(*lines), "asserts nothing")

    def test_claimed_read_not_traced(self):
        lines = [line.replace("read_msr: 1b, value fee00900", "read_msr: 1b, value fee00800")
                 for line in GOOD_MODULE]
        self.assertProblem(console(*lines), "Linux traced no such read")

    def test_failed_load(self):
        text = console(*GOOD_MODULE).replace("module end x86msr_test.ko ok",
                                             "module end x86msr_test.ko failed errno=8 (Exec format error)")
        self.assertProblem(text, "finit_module failed errno=8")

    def test_no_trace(self):
        text = "\n".join(line for line in console(*GOOD_MODULE).split("\n") if "_msr: " not in line)
        self.assertProblem(text, "no MSR access traced")


class Initramfs(unittest.TestCase):
    def test_newc_layout(self):
        archive = boot.cpio_newc([("init", 0o100755, b"\x7fELF", (0, 0)),
                                  ("dev/console", 0o020600, b"", (5, 1))])
        self.assertEqual(len(archive) % 512, 0)
        at, names = 0, []
        while True:
            header = archive[at:at + 110]
            self.assertEqual(header[:6], b"070701")
            fields = [int(header[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
            size, namesize = fields[6], fields[11]
            name = archive[at + 110:at + 110 + namesize - 1].decode()
            names.append((name, fields[1], fields[9], fields[10], size))
            at += 110 + namesize
            at += -at % 4
            at += size + (-size % 4)
            if name == "TRAILER!!!":
                break
        self.assertEqual(names, [("init", 0o100755, 0, 0, 4), ("dev/console", 0o020600, 5, 1, 0),
                                 ("TRAILER!!!", 0, 0, 0, 0)])


if __name__ == "__main__":
    unittest.main()
