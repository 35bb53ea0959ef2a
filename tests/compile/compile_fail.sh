#!/bin/sh
# compile_fail.sh CC SOURCE CASE PATTERN -I... : the control build (no switch)
# must compile; the build with -DCASE must fail, and its errors must match
# the extended regular expression PATTERN (so it fails for the intended
# reason, not some unrelated one).
set -u
cc=$1; src=$2; case_name=$3; pattern=$4; shift 4
flags="-std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only"
if ! $cc $flags "$@" "$src"; then
    echo "FAIL: the control build does not compile"; exit 1
fi
out=$($cc $flags -D"$case_name" "$@" "$src" 2>&1) && {
    echo "FAIL: $case_name compiled"; exit 1; }
echo "$out" | grep -Eq "$pattern" || {
    echo "FAIL: $case_name failed to compile, but not with /$pattern/:"; echo "$out"; exit 1; }
echo "ok: $case_name does not compile:"
echo "$out" | grep -E -m1 "$pattern"
