#!/bin/sh
# compile_fail.sh CC SOURCE -I... : the control build must succeed and the
# -DWRITE_READONLY build must fail with an error that names the write accessor
# of the read-only MSR (and not for some unrelated reason).
set -u
cc=$1; src=$2; shift 2
flags="-std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only"
if ! $cc $flags "$@" "$src"; then
    echo "FAIL: the control build (reading the read-only MSR) does not compile"; exit 1
fi
out=$($cc $flags -DWRITE_READONLY "$@" "$src" 2>&1) && {
    echo "FAIL: writing a read-only MSR compiled"; exit 1; }
echo "$out" | grep -q "msr_ia32_vmx_basic_write" || {
    echo "FAIL: the build failed, but not on msr_ia32_vmx_basic_write:"; echo "$out"; exit 1; }
echo "ok: writing IA32_VMX_BASIC does not compile:"
echo "$out" | grep -m1 "msr_ia32_vmx_basic_write"
