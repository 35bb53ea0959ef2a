# Install rules, the CMake package and the pkg-config files (included from the
# top-level CMakeLists.txt when X86MSR_INSTALL is ON). Relocatable: the CMake
# package finds its prefix from its own location, the .pc files from ${pcfiledir}.
include(CMakePackageConfigHelpers)

set(X86MSR_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/x86msr CACHE STRING
    "Where x86msrConfig.cmake is installed (relative to the prefix)")
set(X86MSR_INSTALL_PKGCONFIGDIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig CACHE STRING
    "Where the x86msr*.pc files are installed (relative to the prefix)")
set(X86MSR_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/x86msr)
mark_as_advanced(X86MSR_INSTALL_CMAKEDIR X86MSR_INSTALL_PKGCONFIGDIR)
if(BUILD_SHARED_LIBS)
  set(X86MSR_SHARED_LIBS ON)
else()
  set(X86MSR_SHARED_LIBS OFF)
endif()

# Headers: the handwritten ones and the generated ones (from the build tree,
# or from the committed snapshot).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/include/x86msr ${X86MSR_GENERATED_DIR}/include/x86msr
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT x86msr_development
        FILES_MATCHING PATTERN "*.h")

set(_x86msr_libraries x86msr_headers x86msr x86msr_vmx x86msr_virt x86msr_linux x86msr_test_backend)
# Whether the static library may go into a shared one (x86msr_add_spec() checks it).
set_property(TARGET x86msr APPEND PROPERTY EXPORT_PROPERTIES POSITION_INDEPENDENT_CODE)
install(TARGETS ${_x86msr_libraries}
        EXPORT x86msrTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT x86msr_runtime
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT x86msr_runtime
                NAMELINK_COMPONENT x86msr_development
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT x86msr_development
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# The tool and its man page.
if(TARGET x86msr_cli)
  if(BUILD_SHARED_LIBS)
    file(RELATIVE_PATH _x86msr_bin_to_lib /x/${CMAKE_INSTALL_BINDIR} /x/${CMAKE_INSTALL_LIBDIR})
    set_target_properties(x86msr_cli PROPERTIES INSTALL_RPATH "$ORIGIN/${_x86msr_bin_to_lib}")
  endif()
  install(TARGETS x86msr_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT x86msr_runtime)
  install(FILES ${PROJECT_SOURCE_DIR}/src/tool/x86msr.1
          DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT x86msr_runtime)
  # Its bash completion, as bash-completion looks for it (by command name).
  if(TARGET x86msr_completion)
    install(FILES ${X86MSR_COMPLETION_FILE}
            DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
            RENAME x86msr COMPONENT x86msr_runtime)
  endif()
endif()

# The spec and the generator, so an installed package can run it later
# (python3 -m codegen from ${x86msr_DATADIR}).
install(FILES ${X86MSR_SPEC} DESTINATION ${X86MSR_INSTALL_DATADIR}/spec COMPONENT x86msr_development)
file(GLOB _x86msr_codegen_py ${PROJECT_SOURCE_DIR}/codegen/*.py ${PROJECT_SOURCE_DIR}/codegen/*.txt)
file(GLOB _x86msr_codegen_templates LIST_DIRECTORIES false ${PROJECT_SOURCE_DIR}/codegen/templates/*)
install(FILES ${_x86msr_codegen_py} DESTINATION ${X86MSR_INSTALL_DATADIR}/codegen COMPONENT x86msr_development)
install(FILES ${_x86msr_codegen_templates}
        DESTINATION ${X86MSR_INSTALL_DATADIR}/codegen/templates COMPONENT x86msr_development)

# The tool's sources, for x86msr_add_tool() (the tool rebuilt with a project's own MSRs).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/tool/ DESTINATION ${X86MSR_INSTALL_DATADIR}/tool
        COMPONENT x86msr_development FILES_MATCHING PATTERN "*.c" PATTERN "*.h")

# CMake package.
install(EXPORT x86msrTargets
        NAMESPACE x86msr::
        DESTINATION ${X86MSR_INSTALL_CMAKEDIR}
        COMPONENT x86msr_development)
configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/x86msrConfig.cmake.in
  ${PROJECT_BINARY_DIR}/x86msrConfig.cmake
  INSTALL_DESTINATION ${X86MSR_INSTALL_CMAKEDIR}
  PATH_VARS X86MSR_INSTALL_DATADIR)
# 0.x releases are compatible only within a minor version (see X86MSR_SOVERSION).
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_x86msr_compatibility SameMinorVersion)
else()
  set(_x86msr_compatibility SameMajorVersion)
endif()
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/x86msrConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY ${_x86msr_compatibility})
install(FILES ${PROJECT_BINARY_DIR}/x86msrConfig.cmake ${PROJECT_BINARY_DIR}/x86msrConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/x86msr_spec.cmake
        DESTINATION ${X86MSR_INSTALL_CMAKEDIR}
        COMPONENT x86msr_development)

# pkg-config: x86msr, x86msr-vmx, x86msr-virt, x86msr-linux, x86msr-test-backend.
# prefix is computed from ${pcfiledir}, so the installed tree can be moved.
if(IS_ABSOLUTE "${X86MSR_INSTALL_PKGCONFIGDIR}")
  set(_x86msr_pc_prefix "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _x86msr_pc_up /x/${X86MSR_INSTALL_PKGCONFIGDIR} /x)
  string(REGEX REPLACE "/$" "" _x86msr_pc_up "${_x86msr_pc_up}")
  set(_x86msr_pc_prefix "\${pcfiledir}/${_x86msr_pc_up}")
endif()
foreach(_dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_dir}}")
    set(_x86msr_pc_${_dir} "${CMAKE_INSTALL_${_dir}}")
  else()
    set(_x86msr_pc_${_dir} "\${prefix}/${CMAKE_INSTALL_${_dir}}")
  endif()
endforeach()
# Flags a static x86msr needs at link time that the compiler does not add.
set(_x86msr_pc_san "")
if(X86MSR_SANITIZE)
  set(_x86msr_pc_san " -fsanitize=address,undefined")
endif()

function(_x86msr_pc file name description requires lib cflags libs_extra)
  set(_libs "")
  set(_libs_private "")
  if(lib)
    set(_libs "-L\${libdir} -l${lib}")
  endif()
  if(libs_extra)
    if(BUILD_SHARED_LIBS)
      set(_libs_private "Libs.private: ${libs_extra}\n")
    else()
      string(APPEND _libs " ${libs_extra}")
    endif()
  endif()
  if(lib AND NOT BUILD_SHARED_LIBS)
    string(APPEND _libs "${_x86msr_pc_san}")
  endif()
  set(_requires "")
  if(requires)
    set(_requires "Requires: ${requires}\n")
  endif()
  set(_cflags "")
  if(cflags)
    set(_cflags "Cflags: ${cflags}\n")
  endif()
  file(WRITE ${PROJECT_BINARY_DIR}/pkgconfig/${file}.pc
"prefix=${_x86msr_pc_prefix}
libdir=${_x86msr_pc_LIBDIR}
includedir=${_x86msr_pc_INCLUDEDIR}
datadir=\${prefix}/${X86MSR_INSTALL_DATADIR}

Name: ${name}
Description: ${description}
Version: ${PROJECT_VERSION}
${_requires}${_cflags}Libs: ${_libs}
${_libs_private}")
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/${file}.pc
          DESTINATION ${X86MSR_INSTALL_PKGCONFIGDIR} COMPONENT x86msr_development)
endfunction()

_x86msr_pc(x86msr x86msr
  "x86 MSR headers, metadata table and core (lookups, #GP fixups, backend slot)"
  "" x86msr "-I\${includedir}" "")
_x86msr_pc(x86msr-vmx x86msr-vmx "x86msr VMX bring-up helpers (freestanding)"
  "x86msr = ${PROJECT_VERSION}" x86msr_vmx "" "")
_x86msr_pc(x86msr-virt x86msr-virt "x86msr MSR virtualization: policy, intercept maps, exit handler (freestanding)"
  "x86msr = ${PROJECT_VERSION}, x86msr-vmx = ${PROJECT_VERSION}" x86msr_virt "" "")
_x86msr_pc(x86msr-linux x86msr-linux "x86msr Linux /dev/cpu/N/msr backend"
  "x86msr = ${PROJECT_VERSION}" x86msr_linux "" "-pthread")
_x86msr_pc(x86msr-test-backend x86msr-test-backend
  "x86msr in-memory MSR register file for unit tests (MSR_BACKEND_OPS)"
  "x86msr = ${PROJECT_VERSION}" x86msr_test_backend "-DMSR_BACKEND_OPS" "")

# The Kbuild fragment and the sources a Linux kernel module builds.
include(${CMAKE_CURRENT_LIST_DIR}/x86msr_kbuild.cmake)
