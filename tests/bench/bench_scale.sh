#!/usr/bin/env bash
# bench_scale.sh: the cost of the spec's size (issue 5, "Scale"), rerunnable.
# Prints spec lines, generated lines, generator wall time (fresh output
# directory, best of 3) and the time to compile one file that includes the
# umbrella header against one that includes a single category header, with
# a file including only <stdint.h> as the baseline measured in the same run.
# Usage: tests/bench/bench_scale.sh [CC]   (run from the repository root)
set -euo pipefail
cc=${1:-gcc}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

best_of_3() {  # prints the best wall time in seconds of the command "$@"
    python3 -c '
import subprocess, sys, time
best = None
for _ in range(3):
    start = time.perf_counter()
    subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
print(f"{best:.3f}")' "$@"
}

python3 -m codegen --spec spec/msrs.yaml --out "$tmp/gen" --quiet
echo "spec: $(wc -l < spec/msrs.yaml) lines; $(python3 -c '
import sys; sys.path.insert(0, ".")
from codegen.__main__ import build_model
m = build_model("spec/msrs.yaml")
print(f"{len(m.msrs)} definitions, {len(m.instances)} registers, {m.field_count} fields, {len(m.used_categories)} categories")')"
echo "generated headers: $(cat "$tmp"/gen/include/x86msr/*.h | wc -l) lines in $(ls "$tmp"/gen/include/x86msr/*.h | wc -l) files;" \
     "metadata table: $(wc -l < "$tmp/gen/src/msr_table.c") lines; self-test: $(wc -l < "$tmp/gen/tests/msr_selftest.c") lines"
gen_time=$(best_of_3 sh -c "rm -rf '$tmp/g2' && python3 -m codegen --spec spec/msrs.yaml --out '$tmp/g2' --quiet")
echo "generator wall time (fresh output, best of 3): ${gen_time} s"

printf '#include <stdint.h>\nint probe(void);\nint probe(void) { return 0; }\n' > "$tmp/base.c"
printf '#include "x86msr/msrs.h"\nint probe(void);\nint probe(void) { msr_ia32_efer_t v = { 0 }; return (int)MSR_GET(IA32_EFER, NXE, v); }\n' > "$tmp/all.c"
printf '#include "x86msr/msr_system.h"\nint probe(void);\nint probe(void) { msr_ia32_efer_t v = { 0 }; return (int)MSR_GET(IA32_EFER, NXE, v); }\n' > "$tmp/one.c"
inc="-I$tmp/gen/include -Isrc/include"
for f in base all one; do
    eval "t_$f=\$(best_of_3 $cc -std=c11 -O2 $inc -c $tmp/$f.c -o $tmp/$f.o)"
done
echo "compile with $cc -O2 (best of 3): baseline <stdint.h> ${t_base} s; x86msr/msrs.h ${t_all} s;" \
     "x86msr/msr_system.h ${t_one} s"
python3 -c "b=max($t_base,0.001); print(f'ratio to baseline: umbrella {$t_all/b:.1f}x, one category {$t_one/b:.1f}x')"
