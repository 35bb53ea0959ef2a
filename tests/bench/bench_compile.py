#!/usr/bin/env python3
"""Compile cost of the generated headers, side by side with baselines measured
in the same run (issue "a leaner generated API").

For gcc and clang at -O2 (-std=gnu11), the best of N (default 9) compiles, the
probes interleaved, of a one-function translation unit that includes:
  empty      <stdint.h> only                       (the floor)
  category   x86msr/msr_system.h                   (one category header)
  umbrella   x86msr/msrs.h                         (every register)
  ia32       ia32-doc's ia32.h (given with --ia32) (a comparable macros-and-unions header)
Times are the compiler's CPU time (user + system, of cc1 and the driver), which a
busy machine disturbs far less than wall time. Prints a table and the ratios
the targets are stated in: umbrella / ia32 (target <= 1.25) and
category / empty (target <= 1.2).

With --instructions, each compile is also counted in instructions executed
(valgrind --tool=callgrind, compiler driver and cc1 included): exact and
repeatable whatever else the machine is doing, unlike times.

Usage (from the repository root):
  python3 tests/bench/bench_compile.py [--ia32 PATH/TO/ia32.h] [--runs N] [--include DIR] [--instructions]
ia32.h is not part of this repository (it is ia32-doc's, github.com/ia32-doc/ia32-doc,
out/ia32.h); without it the ia32 row and ratio are skipped.
"""

import argparse
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PROBES = {
    "empty": "#include <stdint.h>\n",
    "category": '#include "x86msr/msr_system.h"\n',
    "umbrella": '#include "x86msr/msrs.h"\n',
    "ia32": '#include "ia32.h"\n',
}
BODY = "int probe(void);\nint probe(void) { return 0; }\n"


def cpu_time(cmd):
    """CPU seconds (user + system) the command and its children used."""
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.execvp(cmd[0], cmd)
    _, status, usage = os.wait4(pid, 0)
    if status != 0:
        sys.exit(f"bench_compile: failed: {' '.join(cmd)}")
    return usage.ru_utime + usage.ru_stime


def instructions(cmd):
    """Instructions the command and its children executed (callgrind)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["valgrind", "--tool=callgrind", "--trace-children=yes",
                        f"--callgrind-out-file={tmp}/cg.%p", *cmd], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        total = 0
        for name in os.listdir(tmp):
            with open(os.path.join(tmp, name)) as f:
                for line in f:
                    if line.startswith(("summary:", "totals:")):
                        total += int(line.split()[1])
                        break
        return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ia32", help="path to ia32-doc's ia32.h")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--instructions", action="store_true", help="also count instructions (valgrind)")
    parser.add_argument("--include", default=os.path.join(REPO, "generated", "include"),
                        help="the generated include directory (default: the committed generated/include)")
    args = parser.parse_args()
    includes = ["-I" + args.include, "-I" + os.path.join(REPO, "src", "include")]
    if args.ia32:
        includes.append("-I" + os.path.dirname(os.path.abspath(args.ia32)))
    probes = [p for p in PROBES if p != "ia32" or args.ia32]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in probes:
            with open(os.path.join(tmp, name + ".c"), "w") as f:
                f.write(PROBES[name] + BODY)
        for cc in ("gcc", "clang"):
            cmds = {name: [cc, "-std=gnu11", "-O2", *includes, "-c", os.path.join(tmp, name + ".c"), "-o", os.devnull]
                    for name in probes}
            for cmd in cmds.values():
                cpu_time(cmd)  # warm the file cache
            # Interleaved: run k of every probe before run k + 1 of any, so a slow
            # stretch of the machine hits all of them alike; the best of the runs counts.
            times = {name: [] for name in probes}
            for _ in range(args.runs):
                for name in probes:
                    times[name].append(cpu_time(cmds[name]))
            for name in probes:
                results[cc, name] = min(times[name])
                if args.instructions:
                    results[cc, name, "ir"] = instructions(cmds[name])
    print(f"compile CPU time, best of {args.runs} (ms):")
    print(f"{'':10}" + "".join(f"{cc:>10}" for cc in ("gcc", "clang")))
    for name in probes:
        print(f"{name:10}" + "".join(f"{results[cc, name] * 1000:10.1f}" for cc in ("gcc", "clang")))
    if args.instructions:
        print("instructions executed (millions):")
        for name in probes:
            print(f"{name:10}" + "".join(f"{results[cc, name, 'ir'] / 1e6:10.1f}" for cc in ("gcc", "clang")))
        for cc in ("gcc", "clang"):
            line = f"  {cc}: umbrella / empty = {results[cc, 'umbrella', 'ir'] / results[cc, 'empty', 'ir']:.2f}"
            line += f", category / empty = {results[cc, 'category', 'ir'] / results[cc, 'empty', 'ir']:.2f}"
            if args.ia32:
                line += f", umbrella / ia32 = {results[cc, 'umbrella', 'ir'] / results[cc, 'ia32', 'ir']:.2f}"
            print(line)
    print("ratios:")
    for cc in ("gcc", "clang"):
        line = f"  {cc}: category / empty = {results[cc, 'category'] / results[cc, 'empty']:.2f}"
        line += f", umbrella / empty = {results[cc, 'umbrella'] / results[cc, 'empty']:.2f}"
        if args.ia32:
            line += f", umbrella / ia32 = {results[cc, 'umbrella'] / results[cc, 'ia32']:.2f}"
            line += f", ia32 / empty = {results[cc, 'ia32'] / results[cc, 'empty']:.2f}"
        print(line)


if __name__ == "__main__":
    main()
