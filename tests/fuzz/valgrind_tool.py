#!/usr/bin/env python3
"""Run one of the tool's end-to-end test scripts with every x86msr run under valgrind.

    valgrind_tool.py --valgrind /usr/bin/valgrind --tool build/x86msr -- tests/tool/test_cli.py DecodeTests

The test scripts take `--tool PATH`; this passes them a wrapper that runs
`valgrind --error-exitcode=1 --leak-check=full ... x86msr ARGS`, with each
run's report in its own log file. The scripts check exit statuses, but the
tool's own status 1 would hide valgrind's, so this also fails when any log is
not empty: invalid reads or writes, uninitialised values, definite or
indirect leaks. Loops over every register run on an even sample of 40
(X86MSR_TEST_SAMPLE; set it to 0 for all of them).
Exit status: the script's when it failed, else 1 if valgrind reported
anything, else 0.
"""

import argparse
import glob
import os
import shlex
import subprocess
import sys
import tempfile


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--valgrind", default="valgrind")
    parser.add_argument("--tool", required=True, help="the real x86msr executable")
    parser.add_argument("script", nargs=argparse.REMAINDER, help="-- TEST_SCRIPT [its arguments]")
    args = parser.parse_args()
    script = args.script[1:] if args.script[:1] == ["--"] else args.script
    if not script:
        parser.error("give the test script after --")

    with tempfile.TemporaryDirectory(prefix="x86msr-valgrind-") as tmp:
        os.chmod(tmp, 0o755)  # the machine tests run some cases as nobody
        logs = os.path.join(tmp, "logs")
        os.mkdir(logs)
        os.chmod(logs, 0o1777)
        wrapper = os.path.join(tmp, "x86msr")
        command = [args.valgrind, "-q", "--error-exitcode=1", "--leak-check=full",
                   "--show-leak-kinds=definite,indirect", "--errors-for-leak-kinds=definite,indirect",
                   f"--log-file={logs}/%p.log", os.path.abspath(args.tool)]
        with open(wrapper, "w", encoding="utf-8") as f:
            f.write("#!/bin/sh\nexec " + " ".join(shlex.quote(c) for c in command) + ' "$@"\n')
        os.chmod(wrapper, 0o755)
        # Every run costs a second under valgrind: the per-register loops take
        # an even sample of 40 registers (tests/tool/tool_main.py).
        env = dict(os.environ, X86MSR_TEST_SAMPLE=os.environ.get("X86MSR_TEST_SAMPLE", "40"))
        status = subprocess.call([sys.executable, *script[:1], "--tool", wrapper, *script[1:]], env=env)
        reports = [p for p in sorted(glob.glob(os.path.join(logs, "*.log"))) if os.path.getsize(p)]
        runs = len(glob.glob(os.path.join(logs, "*.log")))
        for path in reports:
            with open(path, encoding="utf-8", errors="replace") as f:
                sys.stderr.write(f"==== valgrind report {os.path.basename(path)}\n{f.read()}")
        print(f"valgrind_tool: {runs} x86msr runs under valgrind, {len(reports)} with a report")
        if status != 0:
            return status
        return 1 if reports or runs == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
