#!/usr/bin/env python3
"""Builds the Linux-kernel test's modules out of tree with Kbuild and W=1,
against an x86msr install tree, as a module author would; fails on any
warning (tests/linux_kernel, docs/linux-kernel.md).

  build_module.py --out BUILD/tests/linux_kernel/modules --install-from BUILD
                  [--cmake cmake] [--headers /usr/src/linux-headers-<abi>]
                  [--doc docs/linux-kernel.md]

1. `cmake --install BUILD --component x86msr_development` into OUT/prefix:
   the headers, the Kbuild fragment x86msr.kbuild and the sources it builds;
2. OUT/module: tests/linux_kernel/module (x86msr_test.ko, with every part of
   the library, and the negative control x86msr_test_bad.ko), its Kbuild
   including the installed fragment (X86MSR_KBUILD=<its directory>);
3. OUT/example (with --doc): the example module of the document, its Kbuild
   file and C file taken from the blocks after `<!-- kbuild-example: FILE -->`
   markers, built the same way.

Sources are copied first, so Kbuild writes nothing into the source tree.
Exit 0: built, no warning; 1: build failed or warned; 77: no kernel
headers, make or the kernel's compiler on this machine.
"""

import argparse
import glob
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
# A file of the document's example module: the marker, any other HTML
# comments (test_guides.py's directives), then the fenced block.
EXAMPLE = re.compile(r"<!-- kbuild-example: (\S+) -->\n(?:<!--.*?-->\n)*```\w*\n(.*?)```", re.S)


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


def install(args):
    """This build's development files in OUT/prefix; the fragment's directory."""
    prefix = os.path.join(args.out, "prefix")
    cmd = [args.cmake, "--install", args.install_from, "--prefix", prefix, "--component", "x86msr_development"]
    run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if run.returncode != 0:
        sys.stdout.write(run.stdout)
        kernel_env.fail(PROG, f"{' '.join(cmd)} exited with {run.returncode}")
    found = glob.glob(os.path.join(prefix, "**", "x86msr.kbuild"), recursive=True)
    if len(found) != 1:
        kernel_env.fail(PROG, f"the install tree {prefix} has {len(found)} x86msr.kbuild files, not one "
                        "(is X86MSR_INSTALL on?)")
    print(f"{PROG}: x86msr installed into {prefix}; fragment {found[0]}")
    return os.path.dirname(found[0])


def example_files(doc):
    """{file name: text} of the document's example module."""
    with open(doc, encoding="utf-8") as f:
        files = dict(EXAMPLE.findall(f.read()))
    if "Kbuild" not in files or not any(name.endswith(".c") for name in files):
        kernel_env.fail(PROG, f"{doc}: no example module (a Kbuild block and a C block after "
                        "'<!-- kbuild-example: FILE -->' markers)")
    return files


def kbuild(make, headers, directory, kbuild_dir, jobs):
    """make modules in `directory` with W=1, failing on any warning; (compiler runs, seconds)."""
    cmd = [make, "-C", headers, f"M={directory}", "W=1", f"-j{jobs}", f"X86MSR_KBUILD={kbuild_dir}", "modules"]
    print(f"{PROG}: {' '.join(cmd)}", flush=True)
    start = time.monotonic()
    # LC_ALL=C: the compiler's messages in English, so "warning" is matched.
    env = dict(os.environ, LC_ALL="C")
    run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    seconds = time.monotonic() - start
    sys.stdout.write(run.stdout)
    if run.returncode != 0:
        kernel_env.fail(PROG, f"make in {directory} exited with {run.returncode}")
    warnings = [line for line in run.stdout.splitlines() if WARNING.search(line)]
    if warnings:
        print(f"{PROG}: {len(warnings)} warning line(s) with W=1 in {directory}:")
        for line in warnings:
            print(f"  {line}")
        kernel_env.fail(PROG, "the modules must build without a warning")
    compiled = sum(1 for line in run.stdout.splitlines() if re.match(r"\s*CC \[M\]", line))
    return compiled, seconds


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="build directory (recreated)")
    p.add_argument("--install-from", required=True, help="the x86msr build tree to install (cmake --install)")
    p.add_argument("--cmake", default="cmake")
    p.add_argument("--headers", help="kernel headers directory (default: the one linux-headers-amd64 names)")
    p.add_argument("--doc", help="a Markdown file with an example module (kbuild-example markers)")
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args()
    args.out = os.path.abspath(args.out)

    try:
        headers, abi = kernel_env.find_headers(args.headers)
        make = kernel_env.find_program("make")
        cc = kernel_compiler(headers)
        if cc:
            kernel_env.find_program(cc)
    except kernel_env.Missing as e:
        kernel_env.skip(PROG, str(e))
    print(f"{PROG}: kernel headers {headers} (ABI {abi or '?'}, compiler {cc or 'default'})")

    if os.path.isdir(args.out):
        shutil.rmtree(args.out)
    os.makedirs(args.out)
    kbuild_dir = install(args)

    module_dir = os.path.join(args.out, "module")
    shutil.copytree(MODULE_SRC, module_dir)
    compiled, seconds = kbuild(make, headers, module_dir, kbuild_dir, args.jobs)
    for name in MODULES:
        if not os.path.isfile(os.path.join(module_dir, name + ".ko")):
            kernel_env.fail(PROG, f"make succeeded but {name}.ko is missing")
    print(f"{PROG}: {', '.join(name + '.ko' for name in MODULES)} built with W=1 in {seconds:.1f} s, "
          f"no warning ({compiled} compiler runs)")

    if args.doc:
        example_dir = os.path.join(args.out, "example")
        os.makedirs(example_dir)
        files = example_files(args.doc)
        for name, text in files.items():
            with open(os.path.join(example_dir, name), "w", encoding="utf-8") as f:
                f.write(text)
        compiled, seconds = kbuild(make, headers, example_dir, kbuild_dir, args.jobs)
        kos = sorted(os.path.basename(k) for k in glob.glob(os.path.join(example_dir, "*.ko")))
        if not kos:
            kernel_env.fail(PROG, f"{args.doc}'s example built no module")
        print(f"{PROG}: {args.doc}'s example ({', '.join(sorted(files))}) built {', '.join(kos)} with W=1 "
              f"in {seconds:.1f} s, no warning ({compiled} compiler runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
