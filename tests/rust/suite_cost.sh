#!/usr/bin/env bash
# What the Rust crate costs the default suite (docs/rust.md, "Cost in the test
# suite"), read from a build directory after a clean
# `cmake --workflow --preset default` (or a clean build and `ctest -L rust`):
# the build's Rust steps with their wall times (ninja's log of that build) and
# the last run's time of every test labelled rust (CTest's cost data).
#
#   tests/rust/suite_cost.sh [BUILD]        (default: build)
set -euo pipefail
build=${1:-build}
log=$build/.ninja_log
costs=$build/Testing/Temporary/CTestCostData.txt
for f in "$log" "$costs"; do
  [ -f "$f" ] || { echo "suite_cost: no $f (build and test $build first)" >&2; exit 1; }
done
python3 - "$log" "$costs" "$build" <<'EOF'
import re, subprocess, sys
log, costs, build = sys.argv[1:]
# ninja log v5: start_ms end_ms mtime output hash; an edge with several outputs
# has one line per output, the last build of an output wins.
steps = {}
for line in open(log):
    parts = line.split("\t")
    if len(parts) == 5 and parts[3].endswith(".stamp") and "rust" in parts[3] and not parts[3].startswith("/"):
        steps[parts[3]] = (int(parts[1]) - int(parts[0])) / 1000
total = 0.0
for output, seconds in sorted(steps.items()):
    print(f"build step {output}: {seconds:.1f} s")
    total += seconds
print(f"build steps, sum: {total:.1f} s")
tests = subprocess.run(["ctest", "--test-dir", build, "-N", "-L", "rust"], capture_output=True,
                       text=True, check=True).stdout
names = set(re.findall(r"Test\s+#\d+: (\S+)", tests))
run = 0.0
for line in open(costs):
    fields = line.split()
    if len(fields) == 3 and fields[0] in names:
        print(f"test {fields[0]}: {float(fields[2]):.1f} s")
        run += float(fields[2])
print(f"tests, sum: {run:.1f} s")
EOF
