# The committed generated/ snapshot records what it was generated from:
# generated/.x86msr-inputs.sha256 holds the SHA-256 of every generator input
# (spec/msrs.yaml, codegen/*.py, codegen/templates/*), one "HASH  PATH" line
# per file in sorted order — the format of sha256sum, so
#     sha256sum -c generated/.x86msr-inputs.sha256
# checks it too. A build that uses the snapshot (no Python with Jinja2 and
# PyYAML, or X86MSR_USE_COMMITTED_GENERATED=ON) refuses a stale one, and the
# test generated_hash_in_sync fails while it is stale.
#
# Refresh it after regenerating the snapshot, from the repository root:
#     python3 -m codegen --spec spec/msrs.yaml --out generated
#     cmake -DX86MSR_HASH_MODE=write -P cmake/x86msr_inputs_hash.cmake
# (or both at once: cmake --build build --target x86msr_refresh_snapshot).
# Check it:
#     cmake -P cmake/x86msr_inputs_hash.cmake

set(X86MSR_INPUTS_HASH_FILE generated/.x86msr-inputs.sha256)

# The generator inputs of source tree `src`, relative to it, sorted. The Rust
# renderer (codegen/rust*.py, templates/rust/) is no input of the C snapshot:
# tests/rust's rust_generated_in_sync checks generated/rust.
function(x86msr_inputs_hash_files src out)
  file(GLOB _py RELATIVE ${src} LIST_DIRECTORIES false ${src}/codegen/*.py)
  list(FILTER _py EXCLUDE REGEX "^codegen/rust[^/]*\\.py$")
  file(GLOB _templates RELATIVE ${src} LIST_DIRECTORIES false ${src}/codegen/templates/*)
  set(_files spec/msrs.yaml ${_py} ${_templates})
  list(SORT _files)
  set(${out} ${_files} PARENT_SCOPE)
endfunction()

# The text of the hash file for the inputs as they are now.
function(x86msr_inputs_hash_text src out)
  x86msr_inputs_hash_files(${src} _files)
  set(_text "")
  foreach(_f IN LISTS _files)
    file(SHA256 ${src}/${_f} _h)
    string(APPEND _text "${_h}  ${_f}\n")
  endforeach()
  set(${out} "${_text}" PARENT_SCOPE)
endfunction()

# Sets `out` to "" when the recorded hashes match the inputs, else to one
# line per difference. Sets X86MSR_INPUTS_HASH_FILES (absolute paths of the
# inputs and of the hash file) in the caller's scope, for CMAKE_CONFIGURE_DEPENDS.
function(x86msr_inputs_hash_check src out)
  x86msr_inputs_hash_text(${src} _now)
  x86msr_inputs_hash_files(${src} _files)
  list(TRANSFORM _files PREPEND ${src}/)
  set(X86MSR_INPUTS_HASH_FILES ${_files} ${src}/${X86MSR_INPUTS_HASH_FILE} PARENT_SCOPE)
  if(NOT EXISTS ${src}/${X86MSR_INPUTS_HASH_FILE})
    set(${out} "  ${X86MSR_INPUTS_HASH_FILE} is missing\n" PARENT_SCOPE)
    return()
  endif()
  file(READ ${src}/${X86MSR_INPUTS_HASH_FILE} _recorded)
  if(_recorded STREQUAL _now)
    set(${out} "" PARENT_SCOPE)
    return()
  endif()
  # Name each file that differs.
  string(REGEX MATCHALL "[^\n]+" _old_lines "${_recorded}")
  string(REGEX MATCHALL "[^\n]+" _new_lines "${_now}")
  set(_report "")
  foreach(_line IN LISTS _new_lines)
    string(REGEX REPLACE "^[0-9a-f]+  " "" _path "${_line}")
    list(FIND _old_lines "${_line}" _same)
    if(_same EQUAL -1)
      string(FIND "${_recorded}" "  ${_path}\n" _known)
      if(_known EQUAL -1)
        string(APPEND _report "  ${_path}: new since the snapshot was generated\n")
      else()
        string(APPEND _report "  ${_path}: changed since the snapshot was generated\n")
      endif()
    endif()
  endforeach()
  foreach(_line IN LISTS _old_lines)
    string(REGEX REPLACE "^[0-9a-f]+  " "" _path "${_line}")
    string(FIND "${_now}" "  ${_path}\n" _present)
    if(_present EQUAL -1)
      string(APPEND _report "  ${_path}: removed since the snapshot was generated\n")
    endif()
  endforeach()
  if(_report STREQUAL "")
    set(_report "  ${X86MSR_INPUTS_HASH_FILE} is malformed\n")
  endif()
  set(${out} "${_report}" PARENT_SCOPE)
endfunction()

# Script mode: cmake [-DX86MSR_HASH_MODE=check|write] [-DX86MSR_SOURCE_DIR=DIR] -P cmake/x86msr_inputs_hash.cmake
if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  if(NOT X86MSR_SOURCE_DIR)
    get_filename_component(X86MSR_SOURCE_DIR ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)
  endif()
  if(NOT X86MSR_HASH_MODE)
    set(X86MSR_HASH_MODE check)
  endif()
  if(X86MSR_HASH_MODE STREQUAL "write")
    x86msr_inputs_hash_text(${X86MSR_SOURCE_DIR} _text)
    file(WRITE ${X86MSR_SOURCE_DIR}/${X86MSR_INPUTS_HASH_FILE} "${_text}")
    message(STATUS "x86msr: wrote ${X86MSR_INPUTS_HASH_FILE}")
  elseif(X86MSR_HASH_MODE STREQUAL "check")
    x86msr_inputs_hash_check(${X86MSR_SOURCE_DIR} _stale)
    if(_stale)
      message(FATAL_ERROR
        "x86msr: ${X86MSR_INPUTS_HASH_FILE} does not match the generator inputs:\n${_stale}"
        "Regenerate the snapshot and refresh the hash (then commit generated/):\n"
        "  python3 -m codegen --spec spec/msrs.yaml --out generated\n"
        "  cmake -DX86MSR_HASH_MODE=write -P cmake/x86msr_inputs_hash.cmake")
    endif()
    message(STATUS "x86msr: ${X86MSR_INPUTS_HASH_FILE} matches the generator inputs")
  else()
    message(FATAL_ERROR "x86msr: X86MSR_HASH_MODE must be check or write, not '${X86MSR_HASH_MODE}'")
  endif()
endif()
