# The CTest test build_noop: after a build, building again runs nothing --
# `ninja -n` lists no command (no generator run, no glob re-check, no
# always-out-of-date custom target). Run after the build, as the test preset
# and CI do; a tree edited since the last build fails it (build first).
#   cmake -DBUILD_DIR=build -P tests/build_noop.cmake
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} -- -n -d explain
                OUTPUT_VARIABLE _out ERROR_VARIABLE _explain RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "build_noop: 'cmake --build ${BUILD_DIR} -- -n' failed (${_rc}):\n${_out}${_explain}")
endif()
string(REGEX MATCHALL "\\[[0-9]+/[0-9]+\\][^\n]*" _steps "${_out}")
if(_steps)
  string(REPLACE ";" "\n  " _steps "${_steps}")
  message(FATAL_ERROR "build_noop: a build with nothing to do would still run:\n  ${_steps}\n"
                      "why (ninja -d explain):\n${_explain}\n"
                      "(if sources changed since the last build, build first)")
endif()
message(STATUS "build_noop: a second build runs nothing")
