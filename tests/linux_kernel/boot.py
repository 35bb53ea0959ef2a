#!/usr/bin/env python3
"""Boots Debian's kernel under QEMU (TCG) with a test initramfs and checks the
console (tests/linux_kernel, docs/linux-kernel.md).

  boot.py --cpu Skylake-Client-v4 --init BUILD/tests/linux_kernel/init \\
          --module BUILD/tests/linux_kernel/module/x86msr_test.ko --out DIR

The initramfs (cpio "newc", written here) holds /init (init.c) and the
modules under /modules. The kernel runs with the msr tracepoints printed to
the console (trace_event=msr:read_msr,msr:write_msr tp_printk). From the
console this script takes

  DIR/console.log    the whole console (QEMU's stdout), as it came
  DIR/cpuid.txt      the CPUID dump of /init, in `cpuid -r -1` format
                     (what `x86msr list --supported --cpuid FILE` reads)
  DIR/msr-trace.tsv  every traced MSR access, one per line:
                     seq time phase op msr value gp unchecked
  DIR/msr-trace.json the same records with the figures and the boot's facts

and fails (exit 1, saying why) on an oops, BUG, WARNING, panic, call trace,
lost printk output, a failed module load, a test module's "fail" line or a
module that checked nothing, a module's read that Linux did not trace, an
incomplete CPUID dump, a boot that did not power off in time. Exit 77 (skip)
when QEMU or the kernel image is missing.
"""

import argparse
import json
import os
import re
import shlex
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_env  # noqa: E402

PROG = "boot"
# What a boot writes into --out (replay.json: tests/linux_kernel/replay.c's figures of it).
OUTPUTS = ("console.log", "cpuid.txt", "msr-trace.tsv", "msr-trace.json", "replay.json")

KERNEL_ARGS = [
    "console=ttyS0",
    "panic=-1",            # a panic reboots at once; with -no-reboot QEMU then exits
    "loglevel=7",          # pr_info (the test module's lines) on the console
    "printk.devkmsg=on",   # /init writes through /dev/kmsg, no rate limit
    "trace_event=msr:read_msr,msr:write_msr",
    "tp_printk",           # ... and the tracepoints go to printk, hence the console
]

# ---------------------------------------------------------------------------
# initramfs


def cpio_newc(entries):
    """A cpio archive in the "newc" format the kernel unpacks. `entries`:
    (name, mode, data, (rdev major, rdev minor)) tuples."""
    out = bytearray()

    def add(name, mode, data=b"", rdev=(0, 0), ino=0):
        encoded = name.encode() + b"\0"
        fields = (ino, mode, 0, 0, 2 if stat.S_ISDIR(mode) else 1, 0, len(data),
                  0, 0, rdev[0], rdev[1], len(encoded), 0)
        out.extend(b"070701" + b"".join(b"%08x" % v for v in fields))
        out.extend(encoded)
        out.extend(b"\0" * (-len(out) % 4))
        out.extend(data)
        out.extend(b"\0" * (-len(out) % 4))

    for ino, (name, mode, data, rdev) in enumerate(entries, start=1):
        add(name, mode, data, rdev, ino)
    add("TRAILER!!!", 0)
    out.extend(b"\0" * (-len(out) % 512))
    return bytes(out)


def build_initramfs(init, modules):
    with open(init, "rb") as f:
        entries = [
            ("dev", stat.S_IFDIR | 0o755, b"", (0, 0)),
            ("dev/console", stat.S_IFCHR | 0o600, b"", (5, 1)),
            ("proc", stat.S_IFDIR | 0o755, b"", (0, 0)),
            ("sys", stat.S_IFDIR | 0o755, b"", (0, 0)),
            ("init", stat.S_IFREG | 0o755, f.read(), (0, 0)),
            ("modules", stat.S_IFDIR | 0o755, b"", (0, 0)),
        ]
    for path in modules:
        with open(path, "rb") as f:
            entries.append(("modules/" + os.path.basename(path), stat.S_IFREG | 0o644, f.read(), (0, 0)))
    return cpio_newc(entries)


# ---------------------------------------------------------------------------
# The console

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1bc")
KLINE = re.compile(r"\[\s*(\d+\.\d+)\] (.*)$")  # "[    1.234567] text" (CONFIG_PRINTK_TIME)
TRACE = re.compile(r"(read_msr|write_msr): ([0-9a-f]+), value ([0-9a-f]+)( #GP)?$")
CPUID_LINE = re.compile(r"   0x([0-9a-f]{8}) 0x([0-9a-f]{2}): "
                        r"eax=0x[0-9a-f]{8} ebx=0x[0-9a-f]{8} ecx=0x[0-9a-f]{8} edx=0x[0-9a-f]{8}$")
TEST = re.compile(r"x86msr-test: (ok|fail|skip) (\S+): (.*)$")
TEST_BEGIN = re.compile(r"x86msr-test: begin (\S+)$")
TEST_END = re.compile(r"x86msr-test: end (\S+) passed=(\d+) failed=(\d+) skipped=(\d+)$")
CLAIMED_READ = re.compile(r"msr=0x([0-9a-f]+) value=0x([0-9a-f]+)$")
MODULE_BEGIN = re.compile(r"x86msr-init: module begin (\S+)$")
MODULE_END = re.compile(r"x86msr-init: module end (\S+) (ok|failed .*)$")
# A plain rdmsr/wrmsr that faulted: Linux's fixup says so, and its tracepoint
# then records the access without " #GP" (native_{read,write}_msr trace
# failed=0); the record that follows is marked.
UNCHECKED = re.compile(r"unchecked MSR access error: (?:RDMSR from 0x([0-9a-f]+)|"
                       r"WRMSR to 0x([0-9a-f]+) \(tried to write 0x([0-9a-f]+)\))")

# A kernel that is not well: any of these on the console fails the boot.
BAD = [
    (re.compile(r"^Kernel panic"), "kernel panic"),
    (re.compile(r"^BUG: |kernel BUG at"), "BUG"),
    (re.compile(r"^Oops|Oops: "), "oops"),
    (re.compile(r"^WARNING: (CPU: \d+ PID: \d+|at )"), "WARNING"),
    (re.compile(r"^-+\[ cut here \]-+"), "WARN/BUG report"),
    (re.compile(r"^Call Trace:"), "call trace"),
    (re.compile(r"^traps: |segfault at"), "a user-space fault"),
    (re.compile(r"general protection fault"), "general protection fault"),
    (re.compile(r"unchecked MSR access error"), "unchecked MSR access (a plain rdmsr/wrmsr faulted)"),
    (re.compile(r"printk messages dropped|printk: \d+ messages suppressed"), "console output lost"),
    (re.compile(r"Attempted to kill init"), "/init died"),
    (re.compile(r"soft lockup|hard LOCKUP|blocked for more than"), "lockup"),
    (re.compile(r"Unable to handle kernel"), "bad kernel access"),
]
# /proc/sys/kernel/tainted bits that mean trouble (Documentation/admin-guide/tainted-kernels.rst):
# 4 M machine check, 5 B bad page, 7 D oops, 9 W warning, 14 L soft lockup.
BAD_TAINT = {4: "M (machine check)", 5: "B (bad page)", 7: "D (oops or BUG)",
             9: "W (a warning)", 14: "L (soft lockup)"}


class Console:
    """What the console says, parsed once."""

    def __init__(self, text, modules):
        self.problems = []       # failures, each one sentence
        self.bad_lines = []      # (what, line)
        self.accesses = []       # dicts
        self.cpuid_lines = []
        self.cpuid_vendor = None
        self.kernel = None
        self.tests = {}          # module name -> {"results": [...], "end": (p, f, s) or None}
        self.taint = None
        self.init_done = None
        self.init_failures = []
        self.loads = {}          # module file -> "ok" / "failed ..."
        self.lines = 0
        self._parse(text, modules)

    def _parse(self, text, modules):
        phase = "kernel"
        in_cpuid = False
        cpuid_end = None
        current_test = None
        unchecked = None  # (op, msr, value or None) of the last unchecked access error
        for raw in text.splitlines():
            m = KLINE.search(ANSI.sub("", raw).rstrip("\r"))
            if not m:
                continue  # firmware and QEMU's own output
            self.lines += 1
            when, msg = float(m.group(1)), m.group(2).rstrip()
            for pattern, what in BAD:
                if pattern.search(msg):
                    self.bad_lines.append((what, msg))
                    break
            u = UNCHECKED.search(msg)
            if u:
                unchecked = (("read", int(u.group(1), 16), None) if u.group(1)
                             else ("write", int(u.group(2), 16), int(u.group(3), 16)))
            t = TRACE.match(msg)
            if t:
                access = {
                    "seq": len(self.accesses) + 1, "time": when, "phase": phase,
                    "op": "read" if t.group(1) == "read_msr" else "write",
                    "msr": int(t.group(2), 16), "value": int(t.group(3), 16),
                    "gp": bool(t.group(4)), "unchecked": False}
                if unchecked and unchecked[:2] == (access["op"], access["msr"]) and \
                        unchecked[2] in (None, access["value"]):
                    access["gp"] = access["unchecked"] = True
                    unchecked = None
                self.accesses.append(access)
                continue
            if msg.startswith("Linux version ") and self.kernel is None:
                self.kernel = msg.split()[2]
            if in_cpuid:
                if msg.startswith("x86msr-cpuid: end leaves="):
                    in_cpuid = False
                    cpuid_end = int(msg.split("=", 1)[1])
                elif msg == "CPU 0:" or CPUID_LINE.match(msg):
                    self.cpuid_lines.append(msg)
                else:
                    pass  # a kernel message printed during the dump (each is its own record)
                continue
            if msg.startswith("x86msr-cpuid: begin"):
                in_cpuid = True
                self.cpuid_vendor = msg.partition("vendor=")[2] or None
                continue
            if msg.startswith("x86msr-init: start"):
                phase = "init"
            elif (b := MODULE_BEGIN.match(msg)):
                phase = "module:" + b.group(1)
            elif (e := MODULE_END.match(msg)):
                self.loads[e.group(1)] = e.group(2)
                phase = "init"
            elif msg.startswith("x86msr-init: FAILED"):
                self.init_failures.append(msg)
            elif msg.startswith("x86msr-init: tainted="):
                self.taint = int(msg.split("=", 1)[1])
            elif msg.startswith("x86msr-init: done failures="):
                self.init_done = int(msg.split("=", 1)[1])
                phase = "shutdown"
            elif (b := TEST_BEGIN.match(msg)):
                current_test = b.group(1)
                self.tests[current_test] = {"results": [], "end": None, "phase": phase}
            elif (e := TEST_END.match(msg)):
                entry = self.tests.setdefault(e.group(1), {"results": [], "end": None, "phase": phase})
                entry["end"] = tuple(int(e.group(i)) for i in (2, 3, 4))
                current_test = None
            elif (r := TEST.match(msg)):
                if current_test is None:
                    self.problems.append(f"test line outside begin/end: {msg}")
                else:
                    self.tests[current_test]["results"].append((r.group(1), r.group(2), r.group(3)))
            elif msg.startswith("x86msr-test:"):
                self.problems.append(f"malformed test line: {msg}")
        if self.cpuid_lines or in_cpuid or cpuid_end is not None:
            leaves = sum(1 for line in self.cpuid_lines if line != "CPU 0:")
            if in_cpuid:
                self.problems.append("the CPUID dump has no end line")
            elif cpuid_end != leaves:
                self.problems.append(f"the CPUID dump announces {cpuid_end} leaves, {leaves} arrived whole")
            if not any(line.startswith("   0x00000000 0x00:") for line in self.cpuid_lines):
                self.problems.append("the CPUID dump lacks leaf 0")
        else:
            self.problems.append("no CPUID dump on the console")
        self._check(modules)

    def _check(self, modules):
        for what, line in self.bad_lines:
            self.problems.append(f"{what}: {line}")
        if self.init_done is None:
            self.problems.append("/init never finished (no 'x86msr-init: done' line)")
        elif self.init_done:
            self.problems.append(f"/init reports {self.init_done} failure(s)")
        self.problems.extend(self.init_failures)
        if self.taint is None:
            if self.init_done is not None:
                self.problems.append("/init printed no taint flags")
        else:
            for bit, what in BAD_TAINT.items():
                if self.taint & (1 << bit):
                    self.problems.append(f"the kernel is tainted {what}")
        if not self.accesses:
            self.problems.append("no MSR access traced: the tracepoint output is lost "
                                 "(trace_event=... tp_printk on the kernel command line?)")
        for path in modules:
            name = os.path.basename(path)
            result = self.loads.get(name)
            if result is None:
                self.problems.append(f"{name}: /init did not load it")
            elif result != "ok":
                self.problems.append(f"{name}: finit_module {result}")
        for name, test in self.tests.items():
            results = test["results"]
            counts = tuple(sum(1 for r in results if r[0] == w) for w in ("ok", "fail", "skip"))
            if test["end"] is None:
                self.problems.append(f"module {name}: no end line (it stopped after {len(results)} results)")
            elif test["end"] != counts:
                self.problems.append(f"module {name}: end line says passed/failed/skipped={test['end']}, "
                                     f"the lines say {counts}")
            for word, check, detail in results:
                if word == "fail":
                    self.problems.append(f"module {name}: fail {check}: {detail}")
            if counts[0] == 0:
                self.problems.append(f"module {name}: no check passed (a test that asserts nothing)")
            self._check_reads(name, test)
        if modules and not self.tests:
            self.problems.append("no test module reported (no 'x86msr-test: begin' line)")

    def _check_reads(self, name, test):
        """Each read a module reports ("msr=0x.. value=0x..") is in Linux's trace
        of that module's load."""
        traced = {(a["msr"], a["value"]) for a in self.accesses
                  if a["phase"] == test["phase"] and a["op"] == "read" and not a["gp"]}
        for word, check, detail in test["results"]:
            m = CLAIMED_READ.search(detail)
            if word == "ok" and m and (int(m.group(1), 16), int(m.group(2), 16)) not in traced:
                self.problems.append(f"module {name}: {check} read {detail}, "
                                     "but Linux traced no such read while the module loaded")

    def figures(self):
        reads = [a for a in self.accesses if a["op"] == "read"]
        writes = [a for a in self.accesses if a["op"] == "write"]
        by_phase = {}
        for a in self.accesses:
            by_phase[a["phase"]] = by_phase.get(a["phase"], 0) + 1
        return {
            "accesses": len(self.accesses),
            "reads": len(reads),
            "writes": len(writes),
            "gp": sum(1 for a in self.accesses if a["gp"]),
            "gp_reads": sum(1 for a in reads if a["gp"]),
            "gp_writes": sum(1 for a in writes if a["gp"]),
            "gp_unchecked": sum(1 for a in self.accesses if a["unchecked"]),
            "distinct_msrs": len({a["msr"] for a in self.accesses}),
            "by_phase": by_phase,
            "cpuid_leaves": sum(1 for line in self.cpuid_lines if line != "CPU 0:"),
            "console_lines": self.lines,
        }


# ---------------------------------------------------------------------------
# Outputs


def write_cpuid(out, console, args):
    with open(os.path.join(out, "cpuid.txt"), "w") as f:
        f.write(f"# CPUID of QEMU -cpu {args.cpu} (TCG) as /init saw it under Linux {console.kernel or '?'},\n"
                "# in `cpuid -r -1` format (tests/linux_kernel/init.c; boot.py)\n")
        for line in console.cpuid_lines:
            f.write(line + "\n")


def write_trace(out, console, args, seconds, qemu_version):
    with open(os.path.join(out, "msr-trace.tsv"), "w") as f:
        f.write(f"# MSR accesses Linux {console.kernel or '?'} traced (msr:read_msr, msr:write_msr) "
                f"booting under QEMU -cpu {args.cpu} (TCG); CPUID in cpuid.txt\n"
                "# phase: kernel (before /init), init, module:FILE (while /init loaded it), shutdown\n"
                "# gp: 1 when the access raised #GP; unchecked: 1 when it was a plain rdmsr/wrmsr\n"
                "#   (Linux's \"unchecked MSR access error\"; its tracepoint does not say #GP, boot.py does),\n"
                "#   0 for a _safe access (the tracepoint's \" #GP\") or no fault\n")
        f.write("# seq\ttime\tphase\top\tmsr\tvalue\tgp\tunchecked\n")
        for a in console.accesses:
            f.write(f"{a['seq']}\t{a['time']:.6f}\t{a['phase']}\t{a['op']}\t0x{a['msr']:08x}\t"
                    f"0x{a['value']:016x}\t{int(a['gp'])}\t{int(a['unchecked'])}\n")
    record = {
        "cpu_model": args.cpu,
        "accelerator": "tcg",
        "kernel": console.kernel,
        "qemu": qemu_version,
        "kernel_command_line": " ".join(KERNEL_ARGS + args.append),
        "boot_seconds": round(seconds, 2),
        "cpuid_file": "cpuid.txt",
        "figures": console.figures(),
        "modules": {name: {"results": [{"result": w, "name": n, "detail": d} for w, n, d in t["results"]],
                           "end": t["end"]} for name, t in console.tests.items()},
        "problems": console.problems,
        # 64-bit values as hex strings: JSON readers with doubles keep them exact.
        "accesses": [dict(a, msr=f"0x{a['msr']:x}", value=f"0x{a['value']:x}") for a in console.accesses],
    }
    with open(os.path.join(out, "msr-trace.json"), "w") as f:
        json.dump(record, f, indent=1)
        f.write("\n")


def check_cpuid_file(tool, path):
    """The dump is what `x86msr list --supported --cpuid FILE` accepts."""
    run = subprocess.run([tool, "list", "--supported", "--cpuid", path], capture_output=True, text=True)
    if run.returncode != 0:
        return f"x86msr list --supported --cpuid {path} exited {run.returncode}: {run.stderr.strip()}"
    if not run.stdout.strip():
        return f"x86msr list --supported --cpuid {path} listed nothing"
    return None


def expected_problems(problems, expected, cpu):
    """The negative control's verdict: exactly the expected kinds of problem."""
    unexpected = [p for p in problems if not any(e in p for e in expected)]
    unmet = [e for e in expected if not any(e in p for p in problems)]
    for problem in problems:
        print(f"{PROG}: problem{' (unexpected)' if problem in unexpected else ''}: {problem}")
    for e in unmet:
        print(f"{PROG}: expected a problem with {e!r}; none was reported")
    if unexpected or unmet:
        kernel_env.fail(PROG, f"{cpu}: the negative control found {len(unexpected)} unexpected problem(s) "
                        f"and missed {len(unmet)} expected one(s)")
    print(f"{PROG}: {cpu}: PASS: each of the {len(expected)} expected kinds of problem was reported "
          f"({len(problems)} problems)")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cpu", required=True, help="QEMU CPU model (qemu-system-x86_64 -cpu help)")
    p.add_argument("--init", required=True, help="the static /init (init.c)")
    p.add_argument("--module", action="append", default=[], help="a .ko to load (repeatable)")
    p.add_argument("--out", required=True, help="directory for the console, CPUID dump and trace")
    p.add_argument("--kernel", help="vmlinuz (default: the cached image of the headers' ABI)")
    p.add_argument("--headers", help="kernel headers directory, for the ABI (default: linux-headers-amd64's)")
    p.add_argument("--kernel-cache", help=f"where .ci/install-deps unpacks the image (default {kernel_env.DEFAULT_CACHE})")
    p.add_argument("--qemu", default="qemu-system-x86_64")
    p.add_argument("--memory", default="256M")
    p.add_argument("--timeout", type=float, default=90, help="seconds before the boot counts as hung")
    p.add_argument("--append", action="append", default=[], help="extra kernel argument (repeatable)")
    p.add_argument("--x86msr-tool", help="the x86msr tool: check that it reads the CPUID dump")
    p.add_argument("--expect-problem", action="append", default=[], metavar="TEXT",
                   help="negative control: the boot passes only when every problem found contains one "
                        "of these texts and each text is in some problem (repeatable)")
    p.add_argument("--skip-missing-modules", action="store_true",
                   help="skip (exit 77) when a --module file is missing instead of failing")
    args = p.parse_args()

    # A skipped or failed boot leaves no outputs of an earlier one behind
    # (the replay reads them).
    for name in OUTPUTS:
        path = os.path.join(args.out, name)
        if os.path.exists(path):
            os.remove(path)
    try:
        qemu = kernel_env.find_program("qemu-system-x86_64", args.qemu)
        abi = None
        if not args.kernel:
            _, abi = kernel_env.find_headers(args.headers)
        kernel = kernel_env.find_kernel(args.kernel_cache, abi, args.kernel)
    except kernel_env.Missing as e:
        kernel_env.skip(PROG, str(e))
    for path in [args.init] + args.module:
        if not os.path.isfile(path):
            if args.skip_missing_modules and path in args.module:
                kernel_env.skip(PROG, f"no module {path}: its build (the linux_kernel_module test) "
                                "was skipped or did not run")
            kernel_env.fail(PROG, f"no such file: {path}")

    os.makedirs(args.out, exist_ok=True)
    initrd = os.path.join(args.out, "initramfs.cpio")
    with open(initrd, "wb") as f:
        f.write(build_initramfs(args.init, args.module))
    qemu_version = subprocess.run([qemu, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    cmd = [qemu, "-accel", "tcg", "-cpu", args.cpu, "-m", args.memory, "-smp", "1",
           "-nographic", "-no-reboot", "-nic", "none",
           "-kernel", kernel, "-initrd", initrd, "-append", " ".join(KERNEL_ARGS + args.append)]
    print(f"{PROG}: {qemu_version}")
    print(f"{PROG}: {shlex.join(cmd)}", flush=True)

    start = time.monotonic()
    try:
        run = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=args.timeout)
        stdout, stderr, rc = run.stdout, run.stderr, run.returncode
        timed_out = False
    except subprocess.TimeoutExpired as e:
        stdout, stderr, rc = e.stdout or b"", e.stderr or b"", None
        timed_out = True
    seconds = time.monotonic() - start
    text = stdout.decode("utf-8", errors="replace")
    with open(os.path.join(args.out, "console.log"), "w") as f:
        f.write(text)
    qemu_messages = [line for line in stderr.decode("utf-8", errors="replace").splitlines() if line.strip()]
    tcg_missing = [line for line in qemu_messages if "TCG doesn't support requested feature" in line]
    other = [line for line in qemu_messages if line not in tcg_missing]

    console = Console(text, args.module)
    if timed_out:
        console.problems.insert(0, f"QEMU did not power off within {args.timeout:.0f} s (killed)")
    elif rc != 0:
        console.problems.insert(0, f"QEMU exited with {rc}")
    for line in other:
        print(f"{PROG}: qemu: {line}")
    if tcg_missing:
        features = [re.sub(r".*feature: ", "", line) for line in tcg_missing]
        print(f"{PROG}: QEMU's TCG lacks {len(features)} feature(s) of {args.cpu}, left out of its CPUID: "
              + ", ".join(features))
    write_cpuid(args.out, console, args)
    if args.x86msr_tool and console.cpuid_lines:
        problem = check_cpuid_file(args.x86msr_tool, os.path.join(args.out, "cpuid.txt"))
        if problem:
            console.problems.append(problem)
    write_trace(args.out, console, args, seconds, qemu_version)

    fig = console.figures()
    for name, test in console.tests.items():
        for word, check, detail in test["results"]:
            print(f"{PROG}: {name}: {word} {check}: {detail}")
    print(f"{PROG}: {args.cpu}: Linux {console.kernel or '?'} booted and powered off in {seconds:.1f} s; "
          f"{fig['console_lines']} console lines")
    print(f"{PROG}: {args.cpu}: {fig['accesses']} MSR accesses traced ({fig['reads']} reads, {fig['writes']} writes, "
          f"{fig['distinct_msrs']} distinct MSRs), {fig['gp']} #GP ({fig['gp_reads']} reads, {fig['gp_writes']} writes, "
          f"{fig['gp_unchecked']} of them plain accesses); "
          "by phase: " + ", ".join(f"{k} {v}" for k, v in fig["by_phase"].items()))
    print(f"{PROG}: {args.cpu}: CPUID dump: {fig['cpuid_leaves']} leaves, vendor {console.cpuid_vendor}")
    for name, test in console.tests.items():
        end = test["end"] or ("?", "?", "?")
        print(f"{PROG}: {args.cpu}: module {name}: passed={end[0]} failed={end[1]} skipped={end[2]}")
    print(f"{PROG}: outputs in {args.out}: console.log cpuid.txt msr-trace.tsv msr-trace.json")
    if args.expect_problem:
        return expected_problems(console.problems, args.expect_problem, args.cpu)
    if console.problems:
        for problem in console.problems:
            print(f"{PROG}: problem: {problem}")
        kernel_env.fail(PROG, f"{args.cpu}: {len(console.problems)} problem(s); the console is {args.out}/console.log")
    print(f"{PROG}: {args.cpu}: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
