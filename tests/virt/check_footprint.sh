#!/bin/sh
# The ring-0 footprint of the MSR-exit handler (issue 20): links
# footprint_handler.c -- the benchmark's 23-entry policy, indexed, one vCPU
# prepared, its exits handled -- as a minimal freestanding static binary
# (-O2 -ffreestanding -fno-pic, --gc-sections) against the libraries as the
# build made them (function and data sections), and checks that
#  1. its loaded bytes (text, read-only data and data: `size`'s text + data)
#     are at most LIMIT (65536);
#  2. it links no whole spec, no lookup over one and no text: only the
#     records its policy names.
# Prints the figures docs/performance.md quotes, and the same program with
# the hand-written switch for comparison.
# Usage: check_footprint.sh CC SOURCE_DIR GENERATED_INCLUDE_DIR LIMIT LIB.a...
set -u
cc=$1 src=$2 gen=$3 limit=$4
shift 4
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
flags="-O2 -ffreestanding -fno-pic -fno-stack-protector -ffunction-sections -fdata-sections"
inc="-I$gen -I$src/src/include -I$src/tests/bench"

link() { # OUTPUT EXTRA-FLAGS LIB...
    out=$1 extra=$2
    shift 2
    # shellcheck disable=SC2086
    $cc $flags $inc $extra -c -o "$tmp/probe.o" "$src/tests/virt/footprint_handler.c" &&
        $cc $flags $inc -c -o "$tmp/mix.o" "$src/tests/bench/exit_mix.c" &&
        $cc $flags -c -o "$tmp/libc.o" "$src/tests/freestanding_libc.c" &&
        $cc -static -nostdlib -no-pie -Wl,--gc-sections -o "$out" "$tmp/probe.o" "$tmp/mix.o" "$tmp/libc.o" "$@"
}
loaded() { size "$1" | awk 'NR == 2 { print $1 + $2 }'; }

libs="$*"
# shellcheck disable=SC2086
if ! link "$tmp/handler" "" $libs; then
    echo "FAIL: the minimal handler does not link freestanding"; exit 1
fi
# shellcheck disable=SC2086
link "$tmp/switch" "-DFOOTPRINT_SWITCH" $libs || { echo "FAIL: the switch probe does not link"; exit 1; }
strip -o "$tmp/handler.stripped" "$tmp/handler" && strip -o "$tmp/switch.stripped" "$tmp/switch"
handler=$(loaded "$tmp/handler") switch=$(loaded "$tmp/switch")
echo "footprint: handler $handler bytes loaded (text+rodata+data; stripped file $(wc -c <"$tmp/handler.stripped")), switch $switch bytes (stripped file $(wc -c <"$tmp/switch.stripped")); limit $limit"
size -A "$tmp/handler" | awk '$1 ~ /^\.(text|rodata|data|data\.rel\.ro|bss)$/ { printf "  %-13s %7d\n", $1, $2 }'
fail=0
if [ "$handler" -gt "$limit" ]; then
    echo "FAIL: the minimal handler is $handler bytes, above $limit"; fail=1
fi
bad=$(nm "$tmp/handler" | awk '{ print $NF }' |
    grep -E '^(msr_spec|msr_find_by_address(_for_vendor|_for_cpu)?|msr_text_pool_.*|msr_def_text_.*|msr_field_text_.*|msr_enum_text_.*|msr_instance_text_.*|msr_alias_text_.*|msr_vendor_table)$' || true)
if [ -n "$bad" ]; then
    echo "FAIL: the minimal handler links:"; echo "$bad"; fail=1
fi
records=$(nm "$tmp/handler" | awk '$NF ~ /^msr_def_/ { n++ } END { print n + 0 }')
echo "records linked: $records (the policy's registers and the MTRR spec's)"
[ $fail -eq 0 ] && echo "the minimal handler fits"
exit $fail
