#!/usr/bin/env python3
"""Generator speed against its floor, measured in one run (issue "the tool,
polished and faster", item 8).

Best of N (default 7) CPU times, in this process:
  c_parse    PyYAML's C loader (yaml.load with CSafeLoader) parsing the spec
  load       the generator's loader (positions for every node)
  validate   validation, which builds the model and checks every C name
  render     rendering every output file, the Jinja2 templates compiled afresh
  render_tc  the same with the templates loaded from a warm --template-cache
             (what the build does: it passes a cache directory of its tree)
  total      load + validate + render + writing the files to a fresh directory
  total_tc   the same with the warm template cache
and the same full runs as processes (`python3 -m codegen`, interpreter
start-up and imports included): process, process_tc, against c_parse_process
(a `python3 -c` that imports PyYAML and parses the spec with the C loader).
Prints the ratios: in-process stages to c_parse, processes to c_parse_process
(target <= 5).

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
        gc.disable()  # every stage, the C loader's parse included, runs as python3 -m codegen
        start = cpu()  # does: without the cyclic collector, whose work is done
        fn()  # here, outside the timed region
        times.append(cpu() - start)
        gc.enable()
        gc.collect()
    return min(times)


def state_model(state, data):
    """The model of the spec (built once, before the timed runs)."""
    state["model"] = validate.validate([loader.load(data)[0]])[0]
    return state["model"]


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

        cache = os.path.join(tmp, "templates")
        render.render(state_model(state, data), [os.path.basename(args.spec)], cache)  # warm the cache

        def draw(template_cache=None):
            state["files"] = render.render(state["model"], [os.path.basename(args.spec)], template_cache)

        def full(template_cache=None):
            out = os.path.join(tmp, "out")
            shutil.rmtree(out, ignore_errors=True)
            tree = loader.load(data)[0]
            model = validate.validate([tree])[0]
            output.write(out, render.render(model, [os.path.basename(args.spec)], template_cache))

        results = {
            "c_parse": best(lambda: yaml.load(text, Loader=yaml.CSafeLoader), args.runs),
            "load": best(load, args.runs),
            "validate": best(check, args.runs),
            "render": best(draw, args.runs),
            "render_tc": best(lambda: draw(cache), args.runs),
            "total": best(full, args.runs),
            "total_tc": best(lambda: full(cache), args.runs),
        }
        # Bytecode of the generator's modules cached as Python normally does
        # (in a scratch directory: the tree stays clean), after one warm-up run.
        env = dict(os.environ, PYTHONPYCACHEPREFIX=os.path.join(tmp, "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        out = os.path.join(tmp, "proc")
        generate = [sys.executable, "-m", "codegen", "--spec", args.spec, "--out", out, "--quiet"]
        parse = [sys.executable, "-c", "import sys, yaml; yaml.load(open(sys.argv[1], encoding='utf-8').read(), "
                                       "Loader=yaml.CSafeLoader)", args.spec]
        for name, command in (("c_parse_process", parse), ("process", generate),
                              ("process_tc", generate + ["--template-cache", cache])):
            process = []
            for _ in range(args.runs + 1):
                shutil.rmtree(out, ignore_errors=True)
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                subprocess.run(command, cwd=REPO, env=env, check=True)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                process.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            results[name] = min(process[1:])  # the first run wrote the bytecode
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"generator CPU time, best of {args.runs} (ms), spec {os.path.relpath(args.spec, REPO)}:")
    for name, value in results.items():
        print(f"  {name:16} {value * 1000:8.1f}")
    base = results["c_parse"]
    print("in this process, ratios to c_parse (target <= 5): " + "; ".join(
        f"{name} {results[name] / base:.2f}" for name in ("total", "total_tc")))
    base = results["c_parse_process"]
    print("as processes, ratios to c_parse_process (the same start-up and YAML import): " + "; ".join(
        f"{name} {results[name] / base:.2f}" for name in ("process", "process_tc")))


if __name__ == "__main__":
    main()
