# run(REGEX COMMAND...): runs COMMAND, fails unless it exits 0 and its output (stderr, then
# stdout) matches REGEX. Included by the end-to-end scripts beside it.
function(run expect_regex)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT code EQUAL 0)
        message(FATAL_ERROR "${ARGN}: exit code ${code}\n${out}\n${err}")
    endif()
    if(NOT "${err}${out}" MATCHES "${expect_regex}")
        message(FATAL_ERROR "${ARGN}: output does not match '${expect_regex}':\n${err}\n${out}")
    endif()
endfunction()
