# The Kbuild fragment and the C files it builds into a Linux kernel module
# (docs/linux-kernel.md), installed as
#   <datadir>/x86msr/kbuild/x86msr.kbuild
#   <datadir>/x86msr/kbuild/{core,records,vmx,virt}/   the sources
# (included from x86msr_install.cmake). The fragment's object lists come
# from the libraries' own source lists, so a new source file reaches it.

set(_kb_dest ${X86MSR_INSTALL_DATADIR}/kbuild)

# The core, without the run-time backend slot (MSR_BACKEND_OPS: user space)
# and x86msr's own exception table (in Linux the _safe accessors go through
# Linux's: x86msr/core.h under __KERNEL__).
set(_kb_core ${X86MSR_CORE_SOURCES})
list(FILTER _kb_core EXCLUDE REGEX "/msr_(backend|extable)\\.c$")

# The target's C files, as absolute paths.
function(_x86msr_kbuild_sources target out)
  get_target_property(_dir ${target} SOURCE_DIR)
  get_target_property(_list ${target} SOURCES)
  set(_files)
  foreach(_source IN LISTS _list)
    cmake_path(ABSOLUTE_PATH _source BASE_DIRECTORY ${_dir})
    list(APPEND _files ${_source})
  endforeach()
  set(${out} ${_files} PARENT_SCOPE)
endfunction()
_x86msr_kbuild_sources(x86msr_vmx _kb_vmx)
_x86msr_kbuild_sources(x86msr_virt _kb_virt)
file(GLOB _kb_core_headers ${PROJECT_SOURCE_DIR}/src/core/*.h)
file(GLOB _kb_vmx_headers ${PROJECT_SOURCE_DIR}/src/vmx/*.h)
file(GLOB _kb_virt_headers ${PROJECT_SOURCE_DIR}/src/virt/*.h)

# "x86msr/<part>/<name>.o" words for the fragment, one per line.
function(_x86msr_kbuild_words part files ext out)
  set(_words)
  foreach(_file IN LISTS files)
    cmake_path(GET _file STEM _stem)
    cmake_path(GET _file EXTENSION _ext)
    if(ext)
      set(_ext ${ext})
    endif()
    list(APPEND _words "x86msr/${part}/${_stem}${_ext}")
  endforeach()
  list(JOIN _words " \\\n\t" _text)
  set(${out} "${_text}" PARENT_SCOPE)
endfunction()
_x86msr_kbuild_words(core "${_kb_core}" .o _core)
_x86msr_kbuild_words(records "${X86MSR_GENERATED_SOURCES}" .o _records)
set(X86MSR_KBUILD_CORE_OBJS "${_core} \\\n\t${_records}")
_x86msr_kbuild_words(vmx "${_kb_vmx}" .o X86MSR_KBUILD_VMX_OBJS)
_x86msr_kbuild_words(virt "${_kb_virt}" .o X86MSR_KBUILD_VIRT_OBJS)
_x86msr_kbuild_words(core "${_kb_core_headers}" "" _core_h)
_x86msr_kbuild_words(vmx "${_kb_vmx_headers}" "" _vmx_h)
_x86msr_kbuild_words(virt "${_kb_virt_headers}" "" _virt_h)
set(X86MSR_KBUILD_HEADERS "${_core_h} \\\n\t${_vmx_h} \\\n\t${_virt_h}")

# The headers' directory, relative to the fragment's when both are below the prefix.
if(IS_ABSOLUTE "${_kb_dest}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(X86MSR_KBUILD_TO_INCLUDE ${CMAKE_INSTALL_FULL_INCLUDEDIR})
else()
  file(RELATIVE_PATH X86MSR_KBUILD_TO_INCLUDE /x/${_kb_dest} /x/${CMAKE_INSTALL_INCLUDEDIR})
endif()
if(IS_ABSOLUTE "${_kb_dest}")
  set(X86MSR_KBUILD_DEST ${_kb_dest})
else()
  set(X86MSR_KBUILD_DEST <prefix>/${_kb_dest})
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/x86msr.kbuild.in ${PROJECT_BINARY_DIR}/kbuild/x86msr.kbuild @ONLY)

install(FILES ${PROJECT_BINARY_DIR}/kbuild/x86msr.kbuild DESTINATION ${_kb_dest} COMPONENT x86msr_development)
install(FILES ${_kb_core} ${_kb_core_headers} DESTINATION ${_kb_dest}/core COMPONENT x86msr_development)
install(FILES ${X86MSR_GENERATED_SOURCES} DESTINATION ${_kb_dest}/records COMPONENT x86msr_development)
install(FILES ${_kb_vmx} ${_kb_vmx_headers} DESTINATION ${_kb_dest}/vmx COMPONENT x86msr_development)
install(FILES ${_kb_virt} ${_kb_virt_headers} DESTINATION ${_kb_dest}/virt COMPONENT x86msr_development)
