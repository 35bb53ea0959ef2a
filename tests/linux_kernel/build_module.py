#!/usr/bin/env python3
"""Builds the x86msr test module out of tree with Kbuild and W=1; fails on any
warning (tests/linux_kernel, docs/linux-kernel.md).

  build_module.py --out BUILD/tests/linux_kernel/module
                  [--headers /usr/src/linux-headers-<abi>]
                  [--source-root REPO --x86msr-source src/core/msr_meta.c ...]
                  [--x86msr-include DIR ...]

The module's sources (tests/linux_kernel/module) and any x86msr sources are
copied into --out first, so Kbuild writes nothing into the source tree; x86msr
sources land at --out/x86msr/<path in the repository> and reach Kbuild as
X86MSR_SOURCES, the include directories as X86MSR_INCLUDE_DIRS.

Exit 0: built, no warning; 1: build failed or warned; 77: no kernel headers,
make or the kernel's compiler on this machine.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_env  # noqa: E402

PROG = "build_module"
MODULE_SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "module")
MODULES = ("x86msr_test", "x86msr_test_bad")  # the test module and the harness's negative control

# Any line with "warning" fails the build: gcc's "file:line:col: warning: ...",
# modpost's "WARNING: modpost: ...", make's "warning: overriding recipe",
# Kbuild's "warning: the compiler differs from the one used to build the
# kernel". Matched without case.
WARNING = re.compile(r"\bwarning\b", re.IGNORECASE)


def kernel_compiler(headers):
    """The compiler the kernel was built with (CONFIG_CC_VERSION_TEXT's first
    word, e.g. gcc-12), which Kbuild's CC must be. None if not recorded."""
    for conf in ("include/config/auto.conf", ".config"):
        path = os.path.join(headers, conf)
        if os.path.isfile(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    m = re.match(r'CONFIG_CC_VERSION_TEXT="?(\S+)', line)
                    if m:
                        return m.group(1)
    return None


def copy_tree(args):
    """Fresh copies of the module's and x86msr's sources in args.out; returns
    the X86MSR_SOURCES list (relative to args.out)."""
    out = args.out
    if os.path.isdir(out):
        shutil.rmtree(out)
    shutil.copytree(MODULE_SRC, out)
    sources = []
    for src in args.x86msr_source:
        rel = os.path.relpath(os.path.join(args.source_root, src), args.source_root)
        if rel.startswith(".."):
            kernel_env.fail(PROG, f"{src} is outside --source-root {args.source_root}")
        if not rel.endswith(".c"):
            kernel_env.fail(PROG, f"{src}: X86MSR_SOURCES takes C files")
        dest = os.path.join(out, "x86msr", rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copy2(os.path.join(args.source_root, rel), dest)
        sources.append(os.path.join("x86msr", rel))
    return sources


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="build directory (recreated)")
    p.add_argument("--headers", help="kernel headers directory (default: the one linux-headers-amd64 names)")
    p.add_argument("--source-root", default=os.getcwd(), help="repository root for --x86msr-source")
    p.add_argument("--x86msr-source", action="append", default=[], metavar="FILE",
                   help="an x86msr C file to build into the module (repeatable)")
    p.add_argument("--x86msr-include", action="append", default=[], metavar="DIR",
                   help="an include directory for x86msr's headers (repeatable)")
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args()
    args.out = os.path.abspath(args.out)
    args.source_root = os.path.abspath(args.source_root)

    try:
        headers, abi = kernel_env.find_headers(args.headers)
        make = kernel_env.find_program("make")
        cc = kernel_compiler(headers)
        if cc:
            kernel_env.find_program(cc)
    except kernel_env.Missing as e:
        kernel_env.skip(PROG, str(e))

    sources = copy_tree(args)
    includes = [os.path.abspath(d) for d in args.x86msr_include]
    for d in includes:
        if not os.path.isdir(d):
            kernel_env.fail(PROG, f"--x86msr-include {d} is not a directory")
    cmd = [make, "-C", headers, f"M={args.out}", "W=1", f"-j{args.jobs}",
           f"X86MSR_SOURCES={' '.join(sources)}", f"X86MSR_INCLUDE_DIRS={' '.join(includes)}",
           "modules"]
    print(f"{PROG}: kernel headers {headers} (ABI {abi or '?'}, compiler {cc or 'default'})")
    print(f"{PROG}: {' '.join(cmd)}", flush=True)
    start = time.monotonic()
    # LC_ALL=C: the compiler's messages in English, so "warning" is matched.
    env = dict(os.environ, LC_ALL="C")
    run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    seconds = time.monotonic() - start
    sys.stdout.write(run.stdout)
    warnings = [line for line in run.stdout.splitlines() if WARNING.search(line)]
    compiled = sum(1 for line in run.stdout.splitlines() if re.match(r"\s*CC \[M\]", line))
    kos = [os.path.join(args.out, name + ".ko") for name in MODULES]
    if run.returncode != 0:
        kernel_env.fail(PROG, f"make exited with {run.returncode}")
    if warnings:
        print(f"{PROG}: {len(warnings)} warning line(s) with W=1:")
        for line in warnings:
            print(f"  {line}")
        kernel_env.fail(PROG, "the module must build without a warning")
    for ko in kos:
        if not os.path.isfile(ko):
            kernel_env.fail(PROG, f"make succeeded but {ko} is missing")
    print(f"{PROG}: {', '.join(name + '.ko' for name in MODULES)} built with W=1 in {seconds:.1f} s, no warning "
          f"({compiled} compiler runs, {len(sources)} x86msr sources)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
