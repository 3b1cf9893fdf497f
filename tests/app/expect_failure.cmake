# Runs COMMAND (a ;-list) and checks it exits with 1 and prints something matching MESSAGE
# on stderr, and that FILE (if given) was not written: a bad input fails cleanly.
#   cmake -DCOMMAND=... -DMESSAGE=... [-DFILE=...] -P expect_failure.cmake
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE code ERROR_VARIABLE err OUTPUT_VARIABLE out)
if(NOT code EQUAL 1)
    message(FATAL_ERROR "expected exit code 1, got ${code}\nstdout: ${out}\nstderr: ${err}")
endif()
if(NOT err MATCHES "${MESSAGE}")
    message(FATAL_ERROR "stderr does not match '${MESSAGE}':\n${err}")
endif()
if(FILE AND EXISTS "${FILE}")
    message(FATAL_ERROR "${FILE} was written")
endif()
