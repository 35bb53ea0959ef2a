//! Finds the generated part of the crate: the directory the build passes in
//! `X86MSR_RUST_GENERATED_DIR` (the CMake build points it at its own
//! generated/rust), else the committed snapshot `generated/rust` of this
//! repository. The crate includes its files from `X86MSR_GENERATED_DIR`.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=X86MSR_RUST_GENERATED_DIR");
    let dir = match env::var_os("X86MSR_RUST_GENERATED_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => {
            let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
            manifest.join("..").join("..").join("generated").join("rust")
        }
    };
    let marker = dir.join("msr.rs");
    if !marker.is_file() {
        panic!(
            "x86msr: no generated Rust sources in {} (expected msr.rs there); generate them with \
             `python3 -m codegen --spec spec/msrs.yaml --rust generated/rust`, or point \
             X86MSR_RUST_GENERATED_DIR at a directory that has them",
            dir.display()
        );
    }
    let dir = dir.canonicalize().unwrap_or(dir);
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rustc-env=X86MSR_GENERATED_DIR={}", dir.display());
}
