#!/usr/bin/env python3
"""Figures quoted in README.md and docs/*.md stay true.

A figure is marked where it is quoted:

    <!-- figure:spec_registers -->333<!-- /figure -->
    <!-- figure:dump_table_s measured="tests/bench/bench_dump.sh" -->0.133<!-- /figure -->

A figure without `measured` must be one this script knows how to compute
(COMPUTED below: counts that follow from the tree and the build, cheap to
recompute) and must equal what it computes (thousands separators aside). A
measured figure (a timing, a benchmark's result) must name the script or
command that measures it, whose first word is a file of the tree. A name used
twice must carry the same value.

Usage: test_figures.py --root REPO --build BUILD [FILE.md ...]
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

FIGURE = re.compile(r'<!--\s*figure:(\w+)((?:\s+\w+="[^"]*")*)\s*-->(.*?)<!--\s*/figure\s*-->', re.S)
ATTR = re.compile(r'(\w+)="([^"]*)"')


class Context:
    def __init__(self, root, build):
        self.root, self.build = root, build
        self._model = None
        self.replays = {}  # CPU model -> the replay's figures (linux_replay)

    @property
    def model(self):
        if self._model is None:
            sys.path.insert(0, self.root)
            from codegen.__main__ import build_model
            self._model = build_model(os.path.join(self.root, "spec", "msrs.yaml"))
        return self._model

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def lines(self, *paths):
        total = 0
        for p in paths:
            with open(p, encoding="utf-8") as f:
                total += sum(1 for _ in f)
        return total

    def grep(self, rel, pattern):
        with open(self.path(rel), encoding="utf-8") as f:
            m = re.search(pattern, f.read())
        if not m:
            raise LookupError(f"{rel}: no match for {pattern}")
        return int(m.group(1))


def kvm_checks(ctx):
    """Runs the KVM ring-0 test's host and counts the checks the guest reports."""
    host = os.path.join(ctx.build, "tests", "kvm", "kvm_host")
    guest = os.path.join(ctx.build, "tests", "kvm", "guest.elf")
    if not (os.access(host, os.X_OK) and os.path.exists(guest)):
        return None, "the KVM test is not built here"
    result = subprocess.run([host, guest], capture_output=True, text=True, timeout=120)
    if result.returncode == 77:
        return None, "KVM is not available here (kvm_host skipped)"
    m = re.search(r"^kvm: (\d+) passed, (\d+) failed", result.stdout, re.M)
    if result.returncode != 0 or not m:
        raise LookupError(f"kvm_host exited {result.returncode}: {result.stdout[-500:]}")
    return int(m.group(1)), None


LINUX_CAPTURES = ("tests", "linux_kernel", "captures")
LINUX_REPLAY_KEYS = ("accesses", "distinct_msrs", "agree", "x86msr_refuses", "qemu_refuses", "explained")


def linux_replay(ctx, cpu, key):
    """A figure of the replay of a committed boot (tests/linux_kernel/captures/CPU)
    through the exit handler, by this build's replay tool (tests/linux_kernel/replay.c)."""
    tool = os.path.join(ctx.build, "tests", "linux_kernel", "linux_kernel_replay")
    if not os.access(tool, os.X_OK):
        return None, "the Linux-kernel replay tool is not built here"
    cache = ctx.replays
    if cpu not in cache:
        capture = ctx.path(*LINUX_CAPTURES, cpu)
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "replay.json")
            result = subprocess.run([tool, "--cpu", cpu, "--cpuid", os.path.join(capture, "cpuid.txt"),
                                     "--trace", os.path.join(capture, "msr-trace.tsv"),
                                     "--deviations", ctx.path("tests", "linux_kernel", "deviations.tsv"),
                                     "--json", out], capture_output=True, text=True, timeout=60)
            if not os.path.exists(out):
                raise LookupError(f"the replay of {cpu} exited {result.returncode}: {result.stdout[-500:]}")
            with open(out, encoding="utf-8") as f:
                cache[cpu] = json.load(f)
    return cache[cpu][key]


def linux_replay_figures(root):
    """linux_replay_<cpu>_<key> for each committed capture."""
    figures = {}
    for cpu in sorted(os.listdir(os.path.join(root, *LINUX_CAPTURES))):
        short = re.sub(r"[^a-z0-9]+", "_", cpu.lower())
        for key in LINUX_REPLAY_KEYS:
            figures[f"linux_replay_{short}_{key}"] = lambda c, cpu=cpu, key=key: linux_replay(c, cpu, key)
    return figures


def generated(ctx, what):
    include = sorted(glob.glob(ctx.path("generated", "include", "x86msr", "*.h")))
    if what == "headers":
        return len(include)
    if what == "header_lines":
        return ctx.lines(*include)
    if what == "table_lines":
        return ctx.lines(ctx.path("generated", "src", "msr_table.c"))
    return ctx.lines(ctx.path("generated", "tests", "msr_selftest.c"))


def table_rows(ctx, rel):
    """The tab-separated rows of a committed table (comment lines left out), as column lists."""
    with open(ctx.path(rel), encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip() and not line.startswith("#")]


REALCPU = "tests/crosscheck/realcpu_exceptions.tsv"  # PROFILES REGISTERS CHECKS BITS PENDING ...
KVM_TABLE = "tests/kvm/kvm_deviations.tsv"         # SCOPE VENDOR REGISTERS ACCESS BITS X86MSR PENDING ...
AUDIT_NOTES = "tests/crosscheck/audit_notes.tsv"  # REGISTER NOTE ("issue 21: " a fix, "issue 21 audit: " re-read)


def corpus(ctx, ext):
    return len(glob.glob(ctx.path("tests", "spec_corpus", "*" + ext)))


# name -> function(ctx) returning the value, or (None, why) when it cannot be known here.
COMPUTED = {
    "spec_registers": lambda c: len(c.model.msrs),
    "spec_instances": lambda c: len(c.model.instances),
    "spec_fields": lambda c: c.model.field_count,
    "spec_categories": lambda c: len(c.model.used_categories),
    "spec_lines": lambda c: c.lines(c.path("spec", "msrs.yaml")),
    "spec_readable_addresses": lambda c: len({i.address for i in c.model.instances if i.msr.readable}),
    "generated_headers": lambda c: generated(c, "headers"),
    "generated_header_lines": lambda c: generated(c, "header_lines"),
    "generated_table_lines": lambda c: generated(c, "table_lines"),
    "generated_selftest_lines": lambda c: generated(c, "selftest_lines"),
    "corpus_cases": lambda c: corpus(c, ".expected"),
    "corpus_files": lambda c: corpus(c, ".yaml"),
    "corpus_patches": lambda c: corpus(c, ".patch"),
    "fuzz_short_mutants": lambda c: c.grep("tests/fuzz/CMakeLists.txt", r"fuzz_codegen\.py --count (\d+)"),
    "fuzz_runs": lambda c: c.grep("tests/fuzz/CMakeLists.txt", r"set\(X86MSR_FUZZ_RUNS (\d+)"),
    "kvm_min_checks": lambda c: c.grep("tests/kvm/kvm_abi.h", r"#define KT_MIN_CHECKS (\d+)"),
    "kvm_checks": kvm_checks,
    "realcpu_exceptions": lambda c: len(table_rows(c, REALCPU)),
    "realcpu_pending": lambda c: sum(1 for r in table_rows(c, REALCPU) if r[4] != "-"),
    "realcpu_absent_entries": lambda c: sum(1 for r in table_rows(c, REALCPU) if "absent" in r[2].split(",")),
    "audit21_fixed": lambda c: sum(1 for r in table_rows(c, AUDIT_NOTES) if r[1].startswith("issue 21: ")),
    "audit21_reread": lambda c: sum(1 for r in table_rows(c, AUDIT_NOTES) if r[1].startswith("issue 21 audit")),
    "kvm_deviations": lambda c: len(table_rows(c, KVM_TABLE)),
    "kvm_deviations_generic": lambda c: sum(1 for r in table_rows(c, KVM_TABLE) if r[0] == "generic"),
    "kvm_deviations_module": lambda c: sum(1 for r in table_rows(c, KVM_TABLE) if r[0] != "generic"),
    "kvm_deviations_exit": lambda c: sum(1 for r in table_rows(c, KVM_TABLE) if r[6] == "exit"),
}
COMPUTED.update(linux_replay_figures(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")))


def number(text):
    """'2,013' -> 2013; '1.40' -> 1.4; anything else stays text."""
    t = text.strip().replace(",", "").replace("\u202f", "").replace("\u2009", "")
    try:
        return int(t)
    except ValueError:
        try:
            return float(t)
        except ValueError:
            return t


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True)
    parser.add_argument("--build", required=True)
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    root, build = os.path.abspath(args.root), os.path.abspath(args.build)
    files = args.files or ["README.md", "spec/README.md"] + sorted(
        os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "docs", "*.md")))
    ctx = Context(root, build)
    failures, seen, cache = [], {}, {}
    checked = measured = unknown = 0
    for rel in files:
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            text = f.read()
        for m in FIGURE.finditer(text):
            name, attrs, quoted = m.group(1), dict(ATTR.findall(m.group(2))), m.group(3)
            where = f"{rel}:{text.count(chr(10), 0, m.start()) + 1}"
            value = number(quoted)
            if name in seen and seen[name][0] != value:
                failures.append(f"{where}: figure {name} is {quoted!r} here but {seen[name][0]!r} at {seen[name][1]}")
            seen.setdefault(name, (value, where))
            if "measured" in attrs:
                script = attrs["measured"].split()[0] if attrs["measured"].split() else ""
                if not script or not os.path.exists(os.path.join(root, script)):
                    failures.append(f"{where}: measured figure {name} names {attrs['measured']!r}, "
                                    f"which is not a file of the tree")
                measured += 1
                print(f"measured {where}: {name} = {quoted} ({attrs['measured']})")
                continue
            if name not in COMPUTED:
                failures.append(f"{where}: figure {name} is neither computed here nor marked measured=\"SCRIPT\"")
                continue
            if name not in cache:
                try:
                    got = COMPUTED[name](ctx)
                except (OSError, LookupError, subprocess.SubprocessError) as exc:
                    got = (None, f"cannot compute: {exc}")
                    failures.append(f"{where}: figure {name}: {exc}")
                cache[name] = got if isinstance(got, tuple) else (got, None)
            got, why = cache[name]
            if got is None:
                unknown += 1
                print(f"unknown  {where}: {name} = {quoted}: {why}")
                continue
            checked += 1
            if got != value:
                failures.append(f"{where}: figure {name} says {quoted!r}, but it is {got:,} now: update the docs")
            else:
                print(f"ok       {where}: {name} = {quoted}")
    for f in failures:
        print("FAIL:", f)
    print(f"docs_figures: {checked} figures recomputed, {measured} measured, {unknown} not computable here; "
          f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
