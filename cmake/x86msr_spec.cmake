# The generator from CMake: finding a Python that can run it, and overlay specs.
#
#   x86msr_add_spec(<target> SPECS my_msrs.yaml [more.yaml ...] [OUTPUT_DIRECTORY <dir>])
#
# A project's own MSRs (a hypervisor's synthetic registers, a model-specific
# register x86msr lacks) in its own YAML files, same format as spec/msrs.yaml
# (spec/README.md). The function runs x86msr's generator over the base spec
# and the overlays together, in the consumer's build: the overlay is validated
# with the base (a name or address that clashes is refused with FILE:LINE:COL
# in the overlay), headers for every category land in <dir>/include
# (x86msr/msrs.h, x86msr/msr_<category>.h; <dir> defaults to x86msr_<target>
# in the current binary directory, a relative <dir> is taken from there), ahead
# of x86msr's own on the include path of <target> and of what links it, and the
# tables with the overlay's registers (msr_table.c, msr_text.c) are compiled
# once and reach every program <target> ends up in, ahead of libx86msr's own
# (msr_find_by_name() and the tool's lookups know them). <target> is an
# executable or a STATIC, SHARED, MODULE, OBJECT or INTERFACE library, and
# links x86msr::x86msr. Targets that name the same SPECS share one generation
# (the generator runs once; OUTPUT_DIRECTORY, if given again, must agree).
# docs/consuming.md, "Your own MSRs", says more.
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
  if(NOT _version)
    message(FATAL_ERROR "x86msr_add_tool(${target}): x86msr's version is not known here (x86msr_set_generator)")
  endif()
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
  get_target_property(_aliased ${target} ALIASED_TARGET)
  if(_aliased)
    set(target ${_aliased})
  endif()
  get_target_property(_imported ${target} IMPORTED)
  get_target_property(_type ${target} TYPE)
  if(_imported)
    message(FATAL_ERROR "x86msr_add_spec(${target}): '${target}' is an imported target; add the overlay to a "
                        "target this project builds (an executable or a STATIC, SHARED, MODULE, OBJECT or "
                        "INTERFACE library)")
  endif()
  if(NOT _type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY|INTERFACE_LIBRARY)$")
    message(FATAL_ERROR "x86msr_add_spec(${target}): '${target}' is a ${_type} target; the overlay's headers "
                        "and tables go to an executable or a STATIC, SHARED, MODULE, OBJECT or INTERFACE library")
  endif()
  if(NOT ARG_SPECS)
    message(FATAL_ERROR "x86msr_add_spec(${target}): give the overlay files with SPECS my_msrs.yaml ...")
  endif()
  # A shared library holds a static libx86msr.a's objects: they must be position-independent.
  if(_type MATCHES "^(SHARED|MODULE)_LIBRARY$")
    get_target_property(_x86msr x86msr::x86msr ALIASED_TARGET)
    if(NOT _x86msr)
      set(_x86msr x86msr::x86msr)
    endif()
    get_target_property(_x86msr_type ${_x86msr} TYPE)
    get_target_property(_x86msr_pic ${_x86msr} POSITION_INDEPENDENT_CODE)
    if(_x86msr_type STREQUAL "STATIC_LIBRARY" AND NOT _x86msr_pic)
      message(FATAL_ERROR "x86msr_add_spec(${target}): '${target}' is a ${_type}, which takes in x86msr's "
                          "static library, but that library is not position-independent. Build x86msr with "
                          "-DCMAKE_POSITION_INDEPENDENT_CODE=ON (or set that variable before add_subdirectory/"
                          "FetchContent_MakeAvailable), or build it shared (-DBUILD_SHARED_LIBS=ON)")
    endif()
  endif()
  set(_paths)
  foreach(_spec IN LISTS ARG_SPECS)
    get_filename_component(_abs ${_spec} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND _paths ${_abs})
  endforeach()
  if(ARG_OUTPUT_DIRECTORY)
    get_filename_component(ARG_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_BINARY_DIR})
  endif()

  # One generation per set of overlays, however many targets use it: the first
  # call runs the generator and builds the tables, later ones with the same
  # SPECS (in the same order) reuse them.
  string(MD5 _key "${_paths}")
  get_property(_overlay GLOBAL PROPERTY X86MSR_OVERLAY_${_key})
  if(_overlay)
    get_target_property(_dir ${_overlay} X86MSR_OUTPUT_DIRECTORY)
    if(ARG_OUTPUT_DIRECTORY AND NOT ARG_OUTPUT_DIRECTORY STREQUAL _dir)
      get_target_property(_first ${_overlay} X86MSR_FIRST_TARGET)
      message(FATAL_ERROR "x86msr_add_spec(${target}): these SPECS are generated once, into ${_dir} "
                          "(x86msr_add_spec(${_first})); give the same OUTPUT_DIRECTORY or none")
    endif()
  else()
    x86msr_generate_overlay(${target} "${_paths}" "${ARG_OUTPUT_DIRECTORY}" _overlay)
    set_property(GLOBAL PROPERTY X86MSR_OVERLAY_${_key} ${_overlay})
  endif()

  # The tables' objects come first on the link line of every program the target
  # ends up in (CMake places $<TARGET_OBJECTS> link items before all libraries),
  # so they, not libx86msr.a's own, define msr_spec and the text: linked from an
  # archive they would come too late. A program or a shared library holds them;
  # a STATIC, OBJECT or INTERFACE library hands them on to what links it.
  if(_type MATCHES "^(SHARED|MODULE)_LIBRARY$")
    get_target_property(_tables ${_overlay} X86MSR_TABLES)
    set_property(TARGET ${_tables} PROPERTY POSITION_INDEPENDENT_CODE ON)
  endif()
  get_target_property(_dir ${_overlay} X86MSR_OUTPUT_DIRECTORY)
  if(_type STREQUAL "INTERFACE_LIBRARY")
    target_link_libraries(${target} INTERFACE ${_overlay})
  else()
    # Its own sources see the overlay's headers before any x86msr's a linked library brings.
    target_include_directories(${target} BEFORE PRIVATE ${_dir}/include)
    if(_type MATCHES "^(EXECUTABLE|SHARED_LIBRARY|MODULE_LIBRARY)$")
      target_link_libraries(${target} PRIVATE ${_overlay})
      if(_type STREQUAL "SHARED_LIBRARY")
        # Its users compile with the overlay's headers and find the tables in it.
        target_include_directories(${target} BEFORE INTERFACE ${_dir}/include)
        target_link_libraries(${target} INTERFACE x86msr::x86msr)
      endif()
    else()
      target_link_libraries(${target} PUBLIC ${_overlay})
    endif()
  endif()
endfunction()

# The generation for one set of overlays: the generator's run (validated at
# configure time), the tables as an OBJECT library, and an INTERFACE library
# `out` that carries the headers, the tables' objects and x86msr::x86msr.
function(x86msr_generate_overlay target paths dir out)
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
  if(NOT dir)
    set(dir ${CMAKE_CURRENT_BINARY_DIR}/x86msr_${target})
  endif()
  set(_cache ${CMAKE_CURRENT_BINARY_DIR}/x86msr_templates)  # compiled templates, reused between runs
  set(_specs --spec ${_base})
  foreach(_abs IN LISTS paths)
    list(APPEND _specs --spec ${_abs})
  endforeach()
  # Validate now (configure fails with the generator's FILE:LINE:COL messages)
  # and learn the outputs, which depend on the categories the overlays use.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${paths})
  execute_process(
    COMMAND ${_python} -m codegen ${_specs} --out ${dir} --template-cache ${_cache} --list-outputs
    WORKING_DIRECTORY ${_root}
    OUTPUT_VARIABLE _outputs ERROR_VARIABLE _errors RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "x86msr_add_spec(${target}): the overlay specs have errors:\n${_errors}")
  endif()
  string(REPLACE "\n" ";" _outputs "${_outputs}")
  list(FILTER _outputs EXCLUDE REGEX "^$")
  file(GLOB _codegen ${_root}/codegen/*.py ${_root}/codegen/*.txt ${_root}/codegen/templates/*.j2)
  set(_stamp ${dir}.stamp)
  list(JOIN paths ", " _names)
  add_custom_command(
    OUTPUT ${_stamp}
    BYPRODUCTS ${_outputs}
    COMMAND ${_python} -m codegen ${_specs} --out ${dir} --template-cache ${_cache} --quiet
    COMMAND ${CMAKE_COMMAND} -E touch ${_stamp}
    DEPENDS ${_base} ${paths} ${_codegen}
    WORKING_DIRECTORY ${_root}
    COMMENT "Generating MSR headers and tables from x86msr's spec and ${_names}"
    VERBATIM)
  add_custom_target(${target}_x86msr_generate DEPENDS ${_stamp})

  set(_tables ${target}_x86msr_tables)
  add_library(${_tables} OBJECT ${dir}/src/msr_table.c ${dir}/src/msr_text.c)
  set_source_files_properties(${dir}/src/msr_table.c ${dir}/src/msr_text.c PROPERTIES GENERATED TRUE)
  target_include_directories(${_tables} BEFORE PRIVATE ${dir}/include)
  target_link_libraries(${_tables} PRIVATE x86msr::headers)
  set_target_properties(${_tables} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  # Compiled the way the first target's own sources are (a kernel's -mcmodel=kernel -fno-pic,
  # -mno-red-zone ...); position-independent once a shared library holds them.
  get_target_property(_type ${target} TYPE)
  if(_type STREQUAL "INTERFACE_LIBRARY")
    set(_prefix INTERFACE_)
  else()
    set(_prefix "")
    get_target_property(_pic ${target} POSITION_INDEPENDENT_CODE)
    if(_pic)
      set_property(TARGET ${_tables} PROPERTY POSITION_INDEPENDENT_CODE ON)
    endif()
  endif()
  target_compile_options(${_tables} PRIVATE $<TARGET_PROPERTY:${target},${_prefix}COMPILE_OPTIONS>)
  target_compile_definitions(${_tables} PRIVATE $<TARGET_PROPERTY:${target},${_prefix}COMPILE_DEFINITIONS>)
  add_dependencies(${_tables} ${target}_x86msr_generate)

  set(_overlay ${target}_x86msr_overlay)
  add_library(${_overlay} INTERFACE)
  target_include_directories(${_overlay} BEFORE INTERFACE ${dir}/include)
  target_link_libraries(${_overlay} INTERFACE $<TARGET_OBJECTS:${_tables}> x86msr::x86msr)
  add_dependencies(${_overlay} ${target}_x86msr_generate)
  set_target_properties(${_overlay} PROPERTIES X86MSR_OUTPUT_DIRECTORY ${dir} X86MSR_FIRST_TARGET ${target}
                                               X86MSR_TABLES ${_tables})
  set(${out} ${_overlay} PARENT_SCOPE)
endfunction()
