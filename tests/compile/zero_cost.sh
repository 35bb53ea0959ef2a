#!/bin/sh
# zero_cost.sh CC -I... : the typed accessors compile to the same instructions
# as hand-written rdmsr/wrmsr + shift/mask (DESIGN.md, "Zero cost"). Both
# probes are compiled at -O2 and their disassemblies compared function by
# function.
set -eu
cc=$1; shift
dir=$(dirname "$0")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for side in typed hand; do
    "$cc" -std=c11 -O2 -ffreestanding -fno-pic -mno-red-zone "$@" -c "$dir/zero_cost_$side.c" -o "$tmp/$side.o"
    objdump -d --no-show-raw-insn "$tmp/$side.o" | sed -n '/^[0-9a-f]* <.*>:$/,$p' \
        | sed -E 's/^ *[0-9a-f]+:\t//; s/^[0-9a-f]+ </</' \
        | awk '  # an equality test is symmetric: "cmp a,b" before je/jne counts as "cmp b,a"
            prev != "" { if ($1 == "je" || $1 == "jne") { split(prev, p, /[ ,]+/); if (p[2] > p[3]) prev = p[1] "    " p[3] "," p[2] }
                         print prev; prev = "" }
            $1 == "cmp" { prev = $0; next } { print } END { if (prev != "") print prev }' > "$tmp/$side.s"
done
if ! diff -u "$tmp/hand.s" "$tmp/typed.s"; then
    echo "FAIL: the typed accessors differ from hand-written code (diff above: - hand, + typed)"; exit 1
fi
echo "ok: $(grep -c '^<' "$tmp/typed.s") functions compile to identical instructions with $cc"
