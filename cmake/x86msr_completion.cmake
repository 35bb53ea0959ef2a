# Writes the bash completion script of the x86msr tool: runs
# `TOOL completion bash` and stores its output in OUTPUT.
#   cmake -DTOOL=build/x86msr -DOUTPUT=build/x86msr.bash-completion -P cmake/x86msr_completion.cmake
if(NOT TOOL OR NOT OUTPUT)
  message(FATAL_ERROR "x86msr_completion.cmake: give -DTOOL=<x86msr> -DOUTPUT=<file>")
endif()
execute_process(COMMAND ${TOOL} completion bash
                OUTPUT_VARIABLE _script ERROR_VARIABLE _errors RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "x86msr_completion.cmake: '${TOOL} completion bash' failed (${_rc}): ${_errors}")
endif()
file(WRITE ${OUTPUT} "${_script}")
