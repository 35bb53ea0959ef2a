# The generator from CMake: finding a Python that can run it, and overlay specs.
#
#   x86msr_add_spec(<target> SPECS my_msrs.yaml [more.yaml ...])
#
# A project's own MSRs (a hypervisor's synthetic registers, a model-specific
# register x86msr lacks) in its own YAML files, same format as spec/msrs.yaml
# (spec/README.md). The function runs x86msr's generator over the base spec
# and the overlays together, in the consumer's build: the overlay is validated
# with the base (a name or address that clashes is refused with FILE:LINE:COL
# in the overlay), headers for every category land in the consumer's build
# tree (x86msr/msrs.h, x86msr/msr_<category>.h, ahead of x86msr's own on the
# include path of <target>), and the metadata table with the overlay's
# registers is compiled into <target> (msr_find_by_name() and the tool's
# lookups know them). <target> links x86msr::x86msr; link x86msr statically
# (the default): the target's table then takes the place of the base one.
#
#   x86msr_add_tool(<target> SPECS my_msrs.yaml [more.yaml ...])
#
# The x86msr command-line tool built in the consumer's tree with the overlays
# (an executable <target>): list, show, decode, encode, read, write and dump
# know the private registers too.
#
# Both work from add_subdirectory/FetchContent and from the installed package
# (find_package(x86msr)), and need a Python 3 with Jinja2 and PyYAML.
include_guard(GLOBAL)

# A Python 3 that can import jinja2 and yaml: the one CMake finds, else
# python3 on PATH, else Debian's; "" when there is none. `tried` lists them.
function(x86msr_find_python out tried)
  find_package(Python3 QUIET COMPONENTS Interpreter)
  find_program(X86MSR_PATH_PYTHON3 python3)
  mark_as_advanced(X86MSR_PATH_PYTHON3)
  set(_candidates ${Python3_EXECUTABLE} ${X86MSR_PATH_PYTHON3} /usr/bin/python3)
  list(REMOVE_DUPLICATES _candidates)
  set(_found "")
  foreach(_py IN LISTS _candidates)
    if(_py AND NOT _found)
      execute_process(COMMAND ${_py} -c "import jinja2, yaml" RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_QUIET)
      if(_rc EQUAL 0)
        set(_found ${_py})
      endif()
    endif()
  endforeach()
  list(JOIN _candidates ", " _tried)
  set(${out} "${_found}" PARENT_SCOPE)
  set(${tried} "${_tried}" PARENT_SCOPE)
endfunction()

# Where the generator lives: `root` holds the codegen package, `base_spec` is
# x86msr's spec. Set once by x86msr's CMakeLists.txt or by the installed package.
function(x86msr_set_generator root base_spec tool_sources version)
  set_property(GLOBAL PROPERTY X86MSR_CODEGEN_ROOT "${root}")
  set_property(GLOBAL PROPERTY X86MSR_BASE_SPEC "${base_spec}")
  set_property(GLOBAL PROPERTY X86MSR_TOOL_SOURCE_DIR "${tool_sources}")
  set_property(GLOBAL PROPERTY X86MSR_PACKAGE_VERSION "${version}")
endfunction()

function(x86msr_add_tool target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "SPECS")
  get_property(_tool GLOBAL PROPERTY X86MSR_TOOL_SOURCE_DIR)
  get_property(_version GLOBAL PROPERTY X86MSR_PACKAGE_VERSION)
  file(GLOB _sources ${_tool}/*.c)
  if(NOT _sources)
    message(FATAL_ERROR "x86msr_add_tool(${target}): no tool sources in '${_tool}'")
  endif()
  add_executable(${target} ${_sources})
  set_target_properties(${target} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  target_compile_definitions(${target} PRIVATE X86MSR_VERSION="${_version}+overlay")
  target_link_libraries(${target} PRIVATE x86msr::linux x86msr::vmx)
  x86msr_add_spec(${target} SPECS ${ARG_SPECS})
endfunction()

function(x86msr_add_spec target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "OUTPUT_DIRECTORY" "SPECS")
  if(NOT TARGET ${target})
    message(FATAL_ERROR "x86msr_add_spec: '${target}' is not a target; create it first (add_executable/add_library)")
  endif()
  if(NOT ARG_SPECS)
    message(FATAL_ERROR "x86msr_add_spec(${target}): give the overlay files with SPECS my_msrs.yaml ...")
  endif()
  get_property(_root GLOBAL PROPERTY X86MSR_CODEGEN_ROOT)
  get_property(_base GLOBAL PROPERTY X86MSR_BASE_SPEC)
  if(NOT _root OR NOT _base)
    message(FATAL_ERROR "x86msr_add_spec: x86msr's generator is not known here; add x86msr first "
                        "(add_subdirectory, FetchContent_MakeAvailable or find_package(x86msr))")
  endif()
  x86msr_find_python(_python _tried)
  if(NOT _python)
    message(FATAL_ERROR
      "x86msr_add_spec(${target}): overlay specs need a Python 3 with Jinja2 and PyYAML to run the generator "
      "(tried: ${_tried}). Debian: apt-get install python3-jinja2 python3-yaml; or pass -DPython3_EXECUTABLE=...")
  endif()
  if(NOT ARG_OUTPUT_DIRECTORY)
    set(ARG_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/x86msr_${target})
  endif()
  set(_cache ${CMAKE_CURRENT_BINARY_DIR}/x86msr_templates)  # compiled templates, reused between runs
  set(_specs --spec ${_base})
  set(_paths)
  foreach(_spec IN LISTS ARG_SPECS)
    get_filename_component(_abs ${_spec} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND _specs --spec ${_abs})
    list(APPEND _paths ${_abs})
  endforeach()
  # Validate now (configure fails with the generator's FILE:LINE:COL messages)
  # and learn the outputs, which depend on the categories the overlays use.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_paths})
  execute_process(
    COMMAND ${_python} -m codegen ${_specs} --out ${ARG_OUTPUT_DIRECTORY} --template-cache ${_cache} --list-outputs
    WORKING_DIRECTORY ${_root}
    OUTPUT_VARIABLE _outputs ERROR_VARIABLE _errors RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "x86msr_add_spec(${target}): the overlay specs have errors:\n${_errors}")
  endif()
  string(REPLACE "\n" ";" _outputs "${_outputs}")
  list(FILTER _outputs EXCLUDE REGEX "^$")
  file(GLOB _codegen ${_root}/codegen/*.py ${_root}/codegen/*.txt ${_root}/codegen/templates/*.j2)
  set(_stamp ${ARG_OUTPUT_DIRECTORY}.stamp)
  add_custom_command(
    OUTPUT ${_stamp}
    BYPRODUCTS ${_outputs}
    COMMAND ${_python} -m codegen ${_specs} --out ${ARG_OUTPUT_DIRECTORY} --template-cache ${_cache} --quiet
    COMMAND ${CMAKE_COMMAND} -E touch ${_stamp}
    DEPENDS ${_base} ${_paths} ${_codegen}
    WORKING_DIRECTORY ${_root}
    COMMENT "Generating MSR headers for ${target} from x86msr's spec and ${ARG_SPECS}"
    VERBATIM)
  add_custom_target(${target}_x86msr_generate DEPENDS ${_stamp})
  add_dependencies(${target} ${target}_x86msr_generate)
  target_sources(${target} PRIVATE ${ARG_OUTPUT_DIRECTORY}/src/msr_table.c ${ARG_OUTPUT_DIRECTORY}/src/msr_text.c)
  set_source_files_properties(${ARG_OUTPUT_DIRECTORY}/src/msr_table.c ${ARG_OUTPUT_DIRECTORY}/src/msr_text.c
                              PROPERTIES GENERATED TRUE)
  target_include_directories(${target} BEFORE PUBLIC ${ARG_OUTPUT_DIRECTORY}/include)
  target_link_libraries(${target} PUBLIC x86msr::x86msr)
endfunction()
