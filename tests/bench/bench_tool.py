#!/usr/bin/env python3
"""The tool's start-up and output path against their floors, measured in one
run (issue 20 item 5; targets: `x86msr --version` <= 1.2x `rdmsr --help` in
instructions, `x86msr list --json` <= 5x `cat` of its output in time).

  version   callgrind instruction counts of `x86msr --version` and of
            msr-tools' `rdmsr --help` (both: dynamic loader, libc start-up,
            a line or two of output), and their ratio
  list      `x86msr list --json` (every register: 2 MB of JSON) and `cat`
            of that same output, each to /dev/null; median of N runs,
            interleaved, and the ratio

Usage (from the repository root, after a build):
  python3 tests/bench/bench_tool.py [--tool build/x86msr] [--runs N]
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def instructions(argv):
    """Instructions the process executes (callgrind: exact on a busy machine)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + argv,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
        match = re.search(r"Collected : (\d+)", run.stderr)
        if match is None:
            sys.exit(f"bench_tool: callgrind gave no count for {argv}:\n{run.stderr}")
        return int(match.group(1))


def elapsed(argv, stdin=None):
    start = time.perf_counter()
    subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", default="build/x86msr")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    rdmsr = shutil.which("rdmsr") or shutil.which("rdmsr", path="/usr/sbin:/sbin")
    for need, what in ((args.tool, "the x86msr tool (build first)"), (rdmsr, "rdmsr (msr-tools)"),
                       (shutil.which("valgrind"), "valgrind")):
        if not need or not os.path.exists(need):
            sys.exit(f"bench_tool: {what} not found")

    ours = instructions([args.tool, "--version"])
    floor = instructions([rdmsr, "--help"])
    print(f"version: x86msr --version {ours:,} instructions, rdmsr --help {floor:,}: {ours / floor:.2f}x")

    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([args.tool, "list", "--json"], stdout=out, check=True)
        out.flush()
        size = os.path.getsize(out.name)
        tool_times, cat_times = [], []
        for _ in range(args.runs):
            tool_times.append(elapsed([args.tool, "list", "--json"]))
            cat_times.append(elapsed(["cat", out.name]))
    tool_ms = statistics.median(tool_times) * 1e3
    cat_ms = statistics.median(cat_times) * 1e3
    print(f"list: x86msr list --json ({size:,} bytes) {tool_ms:.1f} ms, cat of it {cat_ms:.1f} ms: "
          f"{tool_ms / cat_ms:.2f}x (medians of {args.runs}, interleaved)")


if __name__ == "__main__":
    main()
