#!/usr/bin/env python3
"""The replay's verdicts on made-up traces (tests/linux_kernel/replay.c): an
unlisted disagreement, in either direction, fails; a listed one passes; a
listed one the trace makes without the disagreement is stale and fails; an
entry naming the other side explains nothing; malformed input is refused
with its line; missing boot files skip only with --skip-missing.

  test_replay.py REPLAY_BINARY CPUID_FILE   (the CPUID of an Intel capture)
"""

import os
import subprocess
import sys
import tempfile
import unittest

REPLAY = CPUID = None
CPU = "Made-Up-Intel"
HEADER = "# seq\ttime\tphase\top\tmsr\tvalue\tgp\tunchecked\n"
EFER = 0xC0000080
# IA32_EFER with SCE, LME, LMA, NXE, as Linux runs; bit 63 is reserved.
GOOD_EFER = 0xD01
BAD_EFER = GOOD_EFER | 1 << 63


def access(seq, op, msr, value, gp):
    return f"{seq}\t0.{seq:06d}\tkernel\t{op}\t0x{msr:08x}\t0x{value:016x}\t{int(gp)}\t0\n"


def deviation(op, msr, value, refuser):
    return f"{CPU}\t{op}\t0x{msr:08x}\t{value}\t{refuser}\ta made-up reason\ta made-up source\n"


class Replay(unittest.TestCase):
    def run_replay(self, trace, deviations, *extra, cpuid=None):
        with tempfile.TemporaryDirectory() as tmp:
            paths = {}
            for name, text in (("trace.tsv", trace), ("deviations.tsv", deviations)):
                paths[name] = os.path.join(tmp, name)
                if text is not None:
                    with open(paths[name], "w") as f:
                        f.write(text)
            json = os.path.join(tmp, "replay.json")
            run = subprocess.run([REPLAY, "--cpu", CPU, "--cpuid", cpuid or CPUID, "--trace", paths["trace.tsv"],
                                  "--deviations", paths["deviations.tsv"], "--json", json, *extra],
                                 capture_output=True, text=True)
            figures = None
            if os.path.exists(json):
                with open(json) as f:
                    figures = f.read()
        return run.returncode, run.stdout + run.stderr, figures

    def test_agreement_passes(self):
        trace = HEADER + access(1, "read", EFER, GOOD_EFER, False) + access(2, "write", EFER, BAD_EFER, True)
        rc, out, figures = self.run_replay(trace, "")
        self.assertEqual(rc, 0, out)
        self.assertIn("the handler agrees on 2", out)
        self.assertIn('"agree": 2', figures)

    def test_an_unlisted_refusal_fails(self):
        # QEMU accepted a reserved bit; the handler refuses it.
        trace = HEADER + access(1, "write", EFER, BAD_EFER, False)
        rc, out, _ = self.run_replay(trace, "")
        self.assertEqual(rc, 1, out)
        self.assertIn("x86msr refuses", out)
        self.assertIn("NEW", out)
        self.assertIn("a reserved bit is set", out)

    def test_an_unlisted_acceptance_fails(self):
        trace = HEADER + access(1, "read", EFER, 0, True)
        rc, out, _ = self.run_replay(trace, "")
        self.assertEqual(rc, 1, out)
        self.assertIn("qemu refuses", out)
        self.assertIn("NEW", out)

    def test_a_listed_disagreement_passes(self):
        trace = HEADER + access(1, "write", EFER, BAD_EFER, False)
        rc, out, figures = self.run_replay(trace, deviation("write", EFER, f"0x{BAD_EFER:x}", "x86msr"))
        self.assertEqual(rc, 0, out)
        self.assertIn("a made-up reason", out)
        self.assertIn('"explained": 1', figures)
        rc, out, _ = self.run_replay(trace, deviation("write", EFER, "*", "x86msr"))
        self.assertEqual(rc, 0, out)

    def test_an_entry_for_another_side_value_or_cpu_explains_nothing(self):
        trace = HEADER + access(1, "write", EFER, BAD_EFER, False)
        for entry in (deviation("write", EFER, "*", "qemu"), deviation("write", EFER, "0x1", "x86msr"),
                      deviation("write", EFER, "*", "x86msr").replace(CPU, "Another-CPU")):
            rc, out, _ = self.run_replay(trace, entry)
            self.assertEqual(rc, 1, entry + out)
            self.assertIn("NEW", out)
            if "qemu" in entry:
                self.assertIn("its entry names the other side", out)

    def test_a_stale_entry_fails(self):
        # The listed access is there, and both sides refuse it now.
        trace = HEADER + access(1, "write", EFER, BAD_EFER, True)
        rc, out, _ = self.run_replay(trace, deviation("write", EFER, "*", "x86msr"))
        self.assertEqual(rc, 1, out)
        self.assertIn("STALE", out)

    def test_an_entry_whose_access_is_absent_is_not_stale(self):
        trace = HEADER + access(1, "read", EFER, GOOD_EFER, False)
        rc, out, _ = self.run_replay(trace, deviation("write", 0x3A, "*", "x86msr"))
        self.assertEqual(rc, 0, out)
        self.assertIn("this trace has no such access", out)

    def test_presence_follows_the_msr_values_of_the_trace(self):
        # IA32_MC12_CTL exists only with IA32_MCG_CAP.COUNT > 12: the trace's
        # first read of MCG_CAP decides (a vCPU with 10 banks: refused).
        mc12_ctl = 0x400 + 4 * 12
        trace = (HEADER + access(1, "write", mc12_ctl, ~0 & (1 << 64) - 1, False)
                 + access(2, "read", 0x179, 0xA, False))
        rc, out, _ = self.run_replay(trace, "")
        self.assertEqual(rc, 1, out)
        self.assertIn("IA32_MC12_CTL", out)
        trace = trace.replace("0x000000000000000a", "0x0000000000000010")
        rc, out, _ = self.run_replay(trace, "")
        self.assertEqual(rc, 0, out)

    def test_malformed_input_is_refused_with_its_line(self):
        rc, out, _ = self.run_replay(HEADER + "1\t0.1\tkernel\tpeek\t0x10\t0x0\t0\t0\n", "")
        self.assertEqual(rc, 1, out)
        self.assertIn("trace.tsv:2:", out)
        rc, out, _ = self.run_replay(HEADER + access(1, "read", EFER, 0, False), "cpu\tread\t0x10\n")
        self.assertEqual(rc, 1, out)
        self.assertIn("deviations.tsv:1:", out)
        rc, out, _ = self.run_replay(HEADER, "")
        self.assertEqual(rc, 1, out)
        self.assertIn("the trace has no access", out)

    def test_missing_boot_files_skip_only_when_asked(self):
        rc, out, _ = self.run_replay(None, "", "--skip-missing")
        self.assertEqual(rc, 77, out)
        self.assertIn("SKIP", out)
        rc, out, _ = self.run_replay(None, "")
        self.assertEqual(rc, 1, out)


if __name__ == "__main__":
    REPLAY, CPUID = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1] + sys.argv[3:], verbosity=2)
