# The Rust crate (src/rust, docs/rust.md): its generated part, rendered from
# the spec by the same generator (python3 -m codegen --rust), and the crate
# built with cargo -- both only when x86msr is the top-level project and cargo
# is found (X86MSR_CARGO: a cargo of your choice, such as Debian's
# /usr/bin/cargo beside a rustup one), and not in the sanitizer build (the
# crate has no C in it). Without cargo nothing here is built, and the Rust
# tests report themselves skipped (tests/rust).
#
#   X86MSR_RUST_GENERATED_DIR  the generated part the crate is built from:
#                              build/generated/rust, or the committed
#                              generated/rust when the build uses the
#                              committed snapshot
#   X86MSR_CARGO               cargo, or "" when there is none
#   X86MSR_CARGO_TARGET_DIR    cargo's target directory (build/rust-target)
#   target x86msr_rust         generates and builds the crate (part of ALL)
include_guard(GLOBAL)

set(X86MSR_RUST_CRATE_DIR ${CMAKE_CURRENT_SOURCE_DIR}/src/rust)
set(X86MSR_CARGO_TARGET_DIR ${CMAKE_CURRENT_BINARY_DIR}/rust-target)
find_program(X86MSR_CARGO cargo HINTS $ENV{HOME}/.cargo/bin
             DOC "cargo for the Rust crate (src/rust); not found: no Rust build, the Rust tests skip")

# The crate's hand-written sources: listed, so that a build runs cargo only when one changed.
x86msr_sources(_x86msr_rust_src ${X86MSR_RUST_CRATE_DIR}/src *.rs FILES
  access.rs backend.rs extable.rs field.rs lib.rs macros.rs meta.rs raw.rs)
x86msr_sources(_x86msr_rust_examples ${X86MSR_RUST_CRATE_DIR}/examples *.rs FILES meta_json.rs vmx.rs)
x86msr_sources(_x86msr_rust_tests ${X86MSR_RUST_CRATE_DIR}/tests *.rs FILES accessors.rs extable.rs generated_selftest.rs)
set(X86MSR_RUST_SOURCES ${_x86msr_rust_src} ${_x86msr_rust_examples} ${_x86msr_rust_tests}
    ${X86MSR_RUST_CRATE_DIR}/Cargo.toml ${X86MSR_RUST_CRATE_DIR}/build.rs)

if(NOT PROJECT_IS_TOP_LEVEL OR NOT X86MSR_CARGO OR X86MSR_SANITIZE)
  if(PROJECT_IS_TOP_LEVEL AND NOT X86MSR_CARGO)
    message(STATUS "x86msr: no cargo found: the Rust crate is not built and its tests skip "
                   "(Debian: apt-get install cargo, or pass -DX86MSR_CARGO=...)")
  endif()
  set(X86MSR_RUST_GENERATED_DIR ${CMAKE_CURRENT_SOURCE_DIR}/generated/rust)
  return()
endif()
execute_process(COMMAND ${X86MSR_CARGO} --version OUTPUT_VARIABLE _x86msr_cargo_version
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
message(STATUS "x86msr: the Rust crate builds with ${X86MSR_CARGO} (${_x86msr_cargo_version})")

if(X86MSR_PYTHON)
  set(X86MSR_RUST_GENERATED_DIR ${CMAKE_CURRENT_BINARY_DIR}/generated/rust)
  x86msr_sources(_x86msr_rust_j2 ${CMAKE_CURRENT_SOURCE_DIR}/codegen/templates/rust *.j2 FILES
    category.rs.j2 condition.j2 defs.rs.j2 enums.rs.j2 header.j2 msr.rs.j2 reexports.rs.j2 regs.rs.j2
    schema.rs.j2 selftest.rs.j2 vmx.rs.j2)
  execute_process(
    COMMAND ${X86MSR_PYTHON} -m codegen --spec ${X86MSR_SPEC} --rust ${X86MSR_RUST_GENERATED_DIR} --list-outputs
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
    OUTPUT_VARIABLE _outputs ERROR_VARIABLE _errors RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "x86msr: the spec's Rust names have errors:\n${_errors}")
  endif()
  string(REPLACE "\n" ";" _x86msr_rust_outputs "${_outputs}")
  list(FILTER _x86msr_rust_outputs EXCLUDE REGEX "^$")
  set(_stamp ${CMAKE_CURRENT_BINARY_DIR}/x86msr_rust_generate.stamp)
  add_custom_command(
    OUTPUT ${_stamp}
    BYPRODUCTS ${_x86msr_rust_outputs}
    COMMAND ${X86MSR_PYTHON} -m codegen --spec ${X86MSR_SPEC} --rust ${X86MSR_RUST_GENERATED_DIR} --quiet
    COMMAND ${CMAKE_COMMAND} -E touch ${_stamp}
    DEPENDS ${X86MSR_SPEC} ${X86MSR_CODEGEN_SOURCES} ${_x86msr_rust_j2}
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
    COMMENT "Generating the Rust crate's registers from spec/msrs.yaml"
    VERBATIM)
  set(_x86msr_rust_generated ${_stamp})
else()
  set(X86MSR_RUST_GENERATED_DIR ${CMAKE_CURRENT_SOURCE_DIR}/generated/rust)
  file(GLOB_RECURSE _x86msr_rust_generated ${X86MSR_RUST_GENERATED_DIR}/*.rs)
endif()

# cargo with the build's generated part and target directory, offline (the crate has no dependencies),
# and the rustc and rustdoc beside it when there are (Debian's cargo beside a rustup toolchain on PATH).
set(X86MSR_CARGO_ENV ${CMAKE_COMMAND} -E env X86MSR_RUST_GENERATED_DIR=${X86MSR_RUST_GENERATED_DIR}
    CARGO_TARGET_DIR=${X86MSR_CARGO_TARGET_DIR})
get_filename_component(_x86msr_cargo_dir ${X86MSR_CARGO} DIRECTORY)
foreach(_tool rustc rustdoc)
  string(TOUPPER ${_tool} _var)
  if(EXISTS ${_x86msr_cargo_dir}/${_tool})
    list(APPEND X86MSR_CARGO_ENV ${_var}=${_x86msr_cargo_dir}/${_tool})
  endif()
endforeach()
set(_stamp ${CMAKE_CURRENT_BINARY_DIR}/x86msr_rust_build.stamp)
add_custom_command(
  OUTPUT ${_stamp}
  COMMAND ${X86MSR_CARGO_ENV} ${X86MSR_CARGO} build --offline --quiet --manifest-path ${X86MSR_RUST_CRATE_DIR}/Cargo.toml
          --all-targets --features backend
  COMMAND ${CMAKE_COMMAND} -E touch ${_stamp}
  DEPENDS ${_x86msr_rust_generated} ${X86MSR_RUST_SOURCES}
  WORKING_DIRECTORY ${X86MSR_RUST_CRATE_DIR}
  COMMENT "Building the Rust crate (cargo build --all-targets --features backend)"
  VERBATIM)
add_custom_target(x86msr_rust ALL DEPENDS ${_stamp})
