# The fuzzers' seed corpora: per format, a few small files the engine writes (vixen voxelize)
# and the hand-written ones under SOURCES/<format>.
#   cmake -DVIXEN=... -DSEEDS=... -DSOURCES=... -P seeds.cmake
foreach(format vox nvdb)
    file(REMOVE_RECURSE ${SEEDS}/${format})
    file(MAKE_DIRECTORY ${SEEDS}/${format})
    foreach(scene cornell noise)
        execute_process(COMMAND ${VIXEN} voxelize ${scene} ${SEEDS}/${format}/${scene}.${format}
                                --voxels 16
                        RESULT_VARIABLE failed OUTPUT_QUIET ERROR_VARIABLE error)
        if(failed)
            message(FATAL_ERROR "vixen voxelize ${scene} .${format}: ${error}")
        endif()
    endforeach()
endforeach()
file(GLOB formats RELATIVE ${SOURCES} ${SOURCES}/*)
foreach(format ${formats})
    file(COPY ${SOURCES}/${format} DESTINATION ${SEEDS})
endforeach()
