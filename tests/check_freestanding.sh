#!/bin/sh
# Proves a ring-0 library (x86msr, x86msr_vmx, x86msr_virt) is freestanding
# (kernels and hypervisors link it at ring 0):
#  1. every src/NAME/*.c compiles with -ffreestanding -nostdlib -mcmodel=kernel
#     under each available compiler, C99 and C11, with -Wconversion;
#  2. x86msr/NAME.h (and the HEADERS given) compiles as freestanding C++;
#  3. the library needs no symbol from outside x86msr (no memset, no printf;
#     the linker's own _GLOBAL_OFFSET_TABLE_ is no library's).
# Usage: check_freestanding.sh NAME SOURCE_DIR GENERATED_INCLUDE_DIR LIBRARY.a|.so [HEADERS...]
# (NAME: core, vmx or virt; the virt sources reach src/vmx's private headers as ../vmx/)
set -u
name=$1 src=$2 gen=$3 lib=$4
shift 4
headers="$name $*"
flags="-Wall -Wextra -Werror -pedantic -Wshadow -Wconversion -Wsign-conversion -Wstrict-prototypes
       -ffreestanding -nostdlib -mno-red-zone -mcmodel=kernel -fno-pic -fno-stack-protector -O2"
inc="-I$gen -I$src/src/include"
fail=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

for cc in gcc clang; do
    command -v $cc >/dev/null 2>&1 || { echo "skip: $cc not installed"; continue; }
    for std in c99 c11; do
        for f in "$src"/src/"$name"/*.c; do
            # shellcheck disable=SC2086
            if ! $cc -std=$std $flags $inc -c -o "$tmp/o.o" "$f"; then
                echo "FAIL: $cc -std=$std $f"; fail=1
            fi
        done
    done
done

: > "$tmp/h.cpp"
for h in $headers; do
    printf '#include <x86msr/%s.h>\n' "$h" >> "$tmp/h.cpp"
done
printf 'int header_compiles_as_cxx;\n' >> "$tmp/h.cpp"
for cxx in g++ clang++; do
    command -v $cxx >/dev/null 2>&1 || continue
    # shellcheck disable=SC2086
    if ! $cxx -std=c++11 -Wall -Wextra -Werror -pedantic -Wshadow -Wconversion -Wsign-conversion -ffreestanding \
            -fno-exceptions -fno-rtti $inc \
            -c -o "$tmp/h.o" "$tmp/h.cpp"; then
        echo "FAIL: $cxx $headers"; fail=1
    fi
done

# Sanitizer builds (X86MSR_SANITIZE) add their own runtime hooks: not libc.
# Only strong references count: a shared build (BUILD_SHARED_LIBS) also has the
# weak ones the toolchain's start files add (__cxa_finalize, __gmon_start__, ...).
undefined=$(nm -u "$lib" | awk 'NF == 2 && $1 == "U" { print $2 }' | sort -u |
            grep -v -e '^msr_' -e '^__asan_' -e '^__ubsan_' -e '^__sanitizer_' -e '^_GLOBAL_OFFSET_TABLE_$' || true)
if [ -n "$undefined" ]; then
    echo "FAIL: $lib needs symbols from outside x86msr:"; echo "$undefined"; fail=1
fi
[ $fail -eq 0 ] && echo "$(basename "$lib") is freestanding"
exit $fail
