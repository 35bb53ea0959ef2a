#!/usr/bin/env bash
# Benchmark (not a CTest test): `x86msr dump -a` of the whole spec on a fake
# /dev/cpu tree of 64 CPUs, against the way people read MSRs today -- one
# `rdmsr -p N 0xADDR` process (msr-tools) per register and CPU, from a shell
# loop -- and against a bare C loop of pread calls (the floor). All three
# read the same addresses from the same files in the same run.
#
# rdmsr hard-codes /dev/cpu, so everything runs inside `unshare -m` with a
# tmpfs holding the fake tree bind-mounted over /dev/cpu (the host's /dev/cpu
# is untouched; if it does not exist, an empty directory is made for the
# mount and removed afterwards). Needs root, unshare (util-linux), rdmsr
# (msr-tools; .ci/install-deps installs it), cc and python3.
#
# Usage: tests/bench/bench_dump.sh [BUILD_DIR]      (default: build)
# Environment: BENCH_CPUS (64), BENCH_RUNS (best of, 5), BENCH_RDMSR_RUNS (1).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$repo/build}" && pwd)
tool=$build/x86msr
cpus=${BENCH_CPUS:-64}
runs=${BENCH_RUNS:-5}
rdmsr_runs=${BENCH_RDMSR_RUNS:-1}

die() { echo "bench_dump.sh: $*" >&2; exit 1; }
[ -x "$tool" ] || die "no x86msr at $tool (build first, or pass the build directory)"
command -v rdmsr >/dev/null || die "rdmsr not found (apt-get install msr-tools)"
command -v unshare >/dev/null || die "unshare not found (util-linux)"
[ "$(id -u)" -eq 0 ] || die "must run as root (mount namespace, bind mount over /dev/cpu)"

if [ "${_X86MSR_BENCH_INSIDE:-}" != 1 ]; then
    made_dev_cpu=0
    if [ ! -e /dev/cpu ]; then
        mkdir /dev/cpu
        made_dev_cpu=1
    fi
    status=0
    _X86MSR_BENCH_INSIDE=1 unshare -m --propagation private "$0" "$build" || status=$?
    [ "$made_dev_cpu" = 1 ] && rmdir /dev/cpu
    exit "$status"
fi

# ---- inside the private mount namespace ----
work=$(mktemp -d /tmp/x86msr-bench-XXXXXX)
cleanup() {
    umount /dev/cpu 2>/dev/null || true
    umount "$work" 2>/dev/null || true
    rmdir "$work" 2>/dev/null || true
}
trap cleanup EXIT
mount -t tmpfs -o size=2g x86msr-bench "$work"

"$tool" list --json > "$work/list.json"
python3 "$repo/tests/tool/fake_tree.py" "$work/tree" --cpus "$cpus" --values-from "$work/list.json"
mount --bind "$work/tree/cpu" /dev/cpu
# The fake tree's list of online CPUs (the real one lists this machine's).
export X86MSR_SYSFS_ROOT=$work/tree/sys
unset X86MSR_CPU_ROOT

# What dump reads: every readable register of the spec, each address once.
python3 - "$work/list.json" > "$work/addresses" <<'PY'
import json, sys
msrs = json.load(open(sys.argv[1]))
for a in sorted({int(m["address"], 16) for m in msrs if m["access"] != "wo"}):
    print(f"0x{a:x}")
PY
registers=$(wc -l < "$work/addresses")
reads=$((registers * cpus))
cc -O2 -o "$work/pread_floor" "$here/pread_floor.c"

now() { date +%s%N; }
# best_of N COMMAND...: the fastest of N runs, in nanoseconds.
best_of() {
    local n=$1 best=0 i t0 t1
    shift
    for ((i = 0; i < n; i++)); do
        t0=$(now)
        "$@" > /dev/null
        t1=$(now)
        if [ "$best" = 0 ] || [ $((t1 - t0)) -lt "$best" ]; then best=$((t1 - t0)); fi
    done
    echo "$best"
}
rdmsr_loop() {
    local cpu address
    for ((cpu = 0; cpu < cpus; cpu++)); do
        while read -r address; do
            rdmsr -p "$cpu" "$address"
        done < "$work/addresses"
    done
}

# Same data through all three (a sanity check, not timed).
dumped=$("$tool" dump -a --snapshot | grep -c '^0x')
[ "$dumped" = "$reads" ] || die "dump -a read $dumped registers, expected $reads"
floor_reads=$("$work/pread_floor" /dev/cpu "$cpus" "$work/addresses" | cut -d' ' -f1)
[ "$floor_reads" = "$reads" ] || die "the pread loop read $floor_reads registers, expected $reads"
last=$(tail -n 1 "$work/addresses")
want=$("$tool" read -c $((cpus - 1)) "$last" --json | python3 -c 'import json,sys; print(int(json.load(sys.stdin)[0]["value"], 16))')
got=$(rdmsr -p $((cpus - 1)) -u "$last")
[ "$want" = "$got" ] || die "rdmsr and x86msr disagree on $last: $got vs $want"

dump_ns=$(best_of "$runs" "$tool" dump -a)
snapshot_ns=$(best_of "$runs" "$tool" dump -a --snapshot)
floor_ns=$(best_of "$runs" "$work/pread_floor" /dev/cpu "$cpus" "$work/addresses")
rdmsr_ns=$(best_of "$rdmsr_runs" rdmsr_loop)

python3 - "$cpus" "$registers" "$runs" "$rdmsr_runs" "$dump_ns" "$snapshot_ns" "$floor_ns" "$rdmsr_ns" \
    "$(uname -r)" "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" <<'PY'
import sys
cpus, registers, runs, rdmsr_runs = (int(x) for x in sys.argv[1:5])
dump, snapshot, floor, rdmsr = (int(x) / 1e9 for x in sys.argv[5:9])
kernel, nproc, model = sys.argv[9:12]
reads = cpus * registers
print(f"x86msr dump benchmark: {cpus} CPUs x {registers} MSRs = {reads} reads, fake tree on tmpfs over /dev/cpu")
print(f"host: {model}, {nproc} CPUs, Linux {kernel}")
rows = [
    (f"x86msr dump -a (table), best of {runs}", dump),
    (f"x86msr dump -a --snapshot, best of {runs}", snapshot),
    (f"rdmsr -p N 0xADDR per register and CPU, best of {rdmsr_runs}", rdmsr),
    (f"bare pread loop in C (floor), best of {runs}", floor),
]
for label, seconds in rows:
    print(f"  {label:<58} {seconds:10.3f} s  {seconds / reads * 1e6:9.2f} us/read")
print(f"rdmsr loop / x86msr dump -a:  {rdmsr / dump:8.0f}x")
print(f"x86msr dump -a / pread floor: {dump / floor:8.1f}x")
PY
