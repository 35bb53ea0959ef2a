#!/usr/bin/env python3
"""The MSR-exit handler against a hand-written switch (issue 20), rerunnable.

Times (bench_exit time: medians of RUNS runs, the three paths interleaved in
every run) and callgrind instruction counts per exit (bench_exit count under
valgrind at two round counts: the difference over the difference of exits, so
set-up is not counted), each as a ratio to the switch measured in the same
run; the policy-size and CPUID-size scaling; the one-off costs at 20 and
2,000 entries; the ring-0 footprint (tests/virt/check_footprint.sh).
test_exit_mix (CTest bench_exit_mix_baseline) proves the switch makes the
handler's decisions.

Usage: tests/bench/bench_exit.py [--build build] [--runs 11] [--no-callgrind]
(from the repository root, after building the default preset)
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

PATHS = ("unprepared", "prepared", "switch")


def timings(bench, runs):
    out = subprocess.run([bench, "time", str(runs)], check=True, capture_output=True, text=True).stdout
    t = {}
    for line in out.splitlines():
        *key, value = line.split()
        t[tuple(key)] = float(value)
    return t


def instructions(bench, args, rounds=(20, 60)):
    """Instructions per exit of `bench_exit ARGS ROUNDS` (100 exits a round)."""
    counts = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in rounds:
            out = os.path.join(tmp, f"cg.{r}")
            subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", bench, *args, str(r)],
                           check=True, capture_output=True, text=True)
            with open(out, encoding="utf-8") as f:
                m = re.search(r"^summary:\s+(\d+)", f.read(), re.M)
            counts.append(int(m.group(1)))
    return (counts[1] - counts[0]) / ((rounds[1] - rounds[0]) * 100)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--no-callgrind", action="store_true")
    args = ap.parse_args()
    bench = os.path.join(args.build, "tests", "bench", "bench_exit")
    if not os.access(bench, os.X_OK):
        sys.exit(f"{bench} is not built (cmake --build {args.build})")
    callgrind = not args.no_callgrind and shutil.which("valgrind") is not None

    t = timings(bench, args.runs)
    print(f"times: medians of {args.runs} interleaved runs, ns per exit (ratio to the switch)")
    for leaves in ("12", "63"):
        sw = t[("mix", "switch", leaves)]
        cells = [f"{p} {t[('mix', p, leaves)]:.2f} ({t[('mix', p, leaves)] / sw:.2f}x)" for p in PATHS]
        print(f"  mix, {leaves} CPUID leaves: " + ", ".join(cells))
    for leaf_path in ("unprepared", "prepared"):
        a, b = t[("mix", leaf_path, "12")], t[("mix", leaf_path, "63")]
        print(f"  {leaf_path}: 63 leaves / 12 leaves = {b / a:.2f}")
    for pad in ("20", "200", "2000"):
        for where in ("before", "after"):
            sw = t[("padded", "switch", pad, where)]
            cells = [f"{p} {t[('padded', p, pad, where)]:.2f} ({t[('padded', p, pad, where)] / sw:.2f}x)"
                     for p in PATHS[:2]]
            print(f"  mix, {pad} deny entries {where}: " + ", ".join(cells))
    for p in PATHS[:2]:
        m20, m2000 = t[("miss", p, "20")], t[("miss", p, "2000")]
        print(f"  policy miss, {p}: 23 entries {t[('miss', p, '0')]:.2f} ns, +20 {m20:.2f}, +200 "
              f"{t[('miss', p, '200')]:.2f}, +2000 {m2000:.2f} (2000 / 20 = {m2000 / m20:.2f})")
    for what in ("policy_check", "index_build", "vmx_bitmap", "prepare"):
        print(f"  {what}: {t[('setup', what, '20')]:.2f} us at 20 padding entries, "
              f"{t[('setup', what, '2000')]:.2f} us at 2000")

    if callgrind:
        print("instructions per exit (callgrind), ratio to the switch")
        for leaves in ("12", "63"):
            n = {p: instructions(bench, ["count", p, leaves, "0"]) for p in PATHS}
            cells = [f"{p} {n[p]:.0f} ({n[p] / n['switch']:.2f}x)" for p in PATHS]
            print(f"  mix, {leaves} CPUID leaves: " + ", ".join(cells))
        for pad in ("20", "2000"):
            n = {p: instructions(bench, ["count-miss", p, pad]) for p in PATHS[:2]}
            print(f"  policy miss, {pad} deny entries before: " + ", ".join(f"{p} {n[p]:.0f}" for p in n))
    else:
        print("instructions: valgrind not installed (or --no-callgrind)")

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    libs = [os.path.join(args.build, p) for p in
            ("src/virt/libx86msr_virt.a", "src/vmx/libx86msr_vmx.a", "libx86msr.a")]
    if all(os.path.exists(p) for p in libs):
        r = subprocess.run(["sh", os.path.join(root, "tests", "virt", "check_footprint.sh"), "gcc", root,
                            os.path.join(args.build, "generated", "include"), "65536", *libs],
                           capture_output=True, text=True)
        print(r.stdout.rstrip())
    else:
        print("footprint: the static libraries are not in the build")


if __name__ == "__main__":
    main()
