#!/usr/bin/env python3
"""Generator speed against its floor, measured in one run (issue "the tool,
polished and faster", item 8).

Best of N (default 7) CPU times, in this process:
  c_parse    PyYAML's C loader (yaml.load with CSafeLoader) parsing the spec
  load       the generator's loader (positions for every node)
  validate   validation, which builds the model and checks every C name
  render     rendering every output file (Jinja2 templates compiled afresh)
  total      load + validate + render + writing the files to a fresh directory
and the same full run as a process (`python3 -m codegen`, interpreter start-up
included). Prints the ratio total / c_parse (target <= 5).

Usage (from the repository root): python3 tests/bench/bench_codegen.py [--runs N] [--spec FILE]
"""

import argparse
import gc
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)

import yaml  # noqa: E402

from codegen import loader, output, render, validate  # noqa: E402


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def best(fn, runs):
    times = []
    for _ in range(runs):
        start = cpu()
        fn()
        times.append(cpu() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--spec", default=os.path.join(REPO, "spec", "msrs.yaml"))
    args = parser.parse_args()
    with open(args.spec, "rb") as f:
        data = f.read()
    text = data.decode("utf-8")
    tmp = tempfile.mkdtemp()
    try:
        state = {}

        def load():
            state["tree"] = loader.load(data)[0]

        def check():
            state["model"] = validate.validate([state["tree"]])[0]

        def draw():
            render.environment.__dict__.pop("cache", None)
            state["files"] = render.render(state["model"], [os.path.basename(args.spec)])

        def full():
            gc.disable()  # as python3 -m codegen runs
            out = os.path.join(tmp, "out")
            shutil.rmtree(out, ignore_errors=True)
            tree = loader.load(data)[0]
            model = validate.validate([tree])[0]
            output.write(out, render.render(model, [os.path.basename(args.spec)]))
            gc.enable()
            gc.collect()

        results = {
            "c_parse": best(lambda: yaml.load(text, Loader=yaml.CSafeLoader), args.runs),
            "load": best(load, args.runs),
            "validate": best(check, args.runs),
            "render": best(draw, args.runs),
            "total": best(full, args.runs),
        }
        process = []
        for _ in range(args.runs):
            out = os.path.join(tmp, "proc")
            shutil.rmtree(out, ignore_errors=True)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([sys.executable, "-m", "codegen", "--spec", args.spec, "--out", out, "--quiet"],
                           cwd=REPO, check=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            process.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        results["process"] = min(process)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"generator CPU time, best of {args.runs} (ms), spec {os.path.relpath(args.spec, REPO)}:")
    for name, value in results.items():
        print(f"  {name:10} {value * 1000:8.1f}")
    print(f"ratio: total / c_parse = {results['total'] / results['c_parse']:.2f} (target <= 5); "
          f"process / c_parse = {results['process'] / results['c_parse']:.2f}")


if __name__ == "__main__":
    main()
