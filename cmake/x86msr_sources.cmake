# x86msr_sources(<var> <dir> <pattern> FILES <file>...): <var> = the listed
# files of <dir>, as absolute paths; configure fails when <dir> holds a file
# matching <pattern> that is not listed, or lists one that is not there.
#
# Source lists are spelled out instead of globbed with CONFIGURE_DEPENDS:
# such a glob makes every build, even one with nothing to do, re-check the
# directories (`ninja -n` after a build would list that step; the CTest test
# build_noop requires it to list nothing). This check keeps the benefit of a
# glob -- a new file cannot be forgotten -- at configure time.
function(x86msr_sources var dir pattern)
  cmake_parse_arguments(PARSE_ARGV 3 ARG "" "" "FILES")
  file(GLOB _found RELATIVE ${dir} ${dir}/${pattern})
  set(_listed ${ARG_FILES})
  set(_missing ${_found})
  list(REMOVE_ITEM _missing ${_listed})
  set(_extra ${_listed})
  if(_found)
    list(REMOVE_ITEM _extra ${_found})
  endif()
  if(_missing OR _extra)
    message(FATAL_ERROR "x86msr: the source list of ${dir}/${pattern} is out of date: "
                        "not listed: ${_missing}; listed but not there: ${_extra} "
                        "(edit the x86msr_sources() call that names them)")
  endif()
  list(TRANSFORM _listed PREPEND ${dir}/)
  set(${var} ${_listed} PARENT_SCOPE)
endfunction()
