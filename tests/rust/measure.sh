#!/usr/bin/env bash
# The Rust crate's figures for docs/rust.md: its size, and clean build times
# with the cargo and rustc on PATH (run it once per toolchain; for Debian 12's
# Rust unpacked beside another, put its usr/bin first on PATH and its
# usr/lib/x86_64-linux-gnu on LD_LIBRARY_PATH). Offline, in a scratch target
# directory; the generated part is X86MSR_RUST_GENERATED_DIR or generated/rust.
#
#   tests/rust/measure.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
gen=${X86MSR_RUST_GENERATED_DIR:-$root/generated/rust}
manifest=$root/src/rust/Cargo.toml
target=$(mktemp -d)
trap 'rm -rf "$target"' EXIT
export X86MSR_RUST_GENERATED_DIR=$gen CARGO_TARGET_DIR=$target

files=("$gen"/*.rs "$gen"/regs/*.rs)
echo "generated part: ${#files[@]} files, $(cat "${files[@]}" | wc -l) lines, $(cat "${files[@]}" | wc -c) bytes"
echo "hand-written part: $(cat "$root"/src/rust/src/*.rs "$root"/src/rust/build.rs | wc -l) lines (src/rust/src, build.rs)"
echo "toolchain: $(cargo --version), $(rustc --version)"

seconds() { # the wall time of a command, in seconds
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.1f}')"
}

echo "clean build of the library, debug: $(seconds cargo build --offline --manifest-path "$manifest" --lib) s"
echo "clean build of the library, release: $(seconds cargo build --offline --release --manifest-path "$manifest" --lib) s"
echo "library with the backend feature, release: $(seconds cargo build --offline --release --manifest-path "$manifest" --lib --features backend) s"
echo "cargo doc (clean, --features backend): $(seconds cargo doc --offline --no-deps --manifest-path "$manifest" --features backend) s"
echo "release rlib: $(stat -c %s "$target"/release/libx86msr.rlib) bytes"
cargo build --offline --release --manifest-path "$manifest" --features backend --example vmx >/dev/null 2>&1
strip -o "$target/vmx.stripped" "$target/release/examples/vmx"
echo "the vmx example, release, stripped: $(stat -c %s "$target/vmx.stripped") bytes"
