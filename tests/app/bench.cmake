# `vixen bench` end to end on lavapipe: four configurations (both pipelines, the brick map and
# the NanoVDB baseline) measured into JSON files and a CSV summary naming the device and the
# command; a second run keeps them; two shards of the same matrix write the same four
# configurations between them; the report merges the folders and compares with the baseline.
#   cmake -DVIXEN=... -DOUT=... -P bench.cmake
file(REMOVE_RECURSE ${OUT})
set(bench ${VIXEN} bench --scenes cornell --voxels 32 --sizes 64x48 --pipelines compute,fragment
    --structures brickmap,nanovdb --frames 6 --warmup 1 --warmup-seconds 0 --runs 2 --no-cache)

include(${CMAKE_CURRENT_LIST_DIR}/run_command.cmake)

run("4 configuration\\(s\\), 2 run\\(s\\) of 6 frame\\(s\\).*: 4 measured, 0 kept" ${bench} --out ${OUT}/all)
foreach(id compute-brickmap-cornell-32-64x48 fragment-nanovdb-cornell-32-64x48)
    file(READ ${OUT}/all/${id}.json result)
    foreach(expected "\"complete\": true" "\"command\": \".*vixen bench" "\"driver\": \"llvmpipe"
            "\"gpu_ms\": {" "\"ci95\"" "\"coarse_per_px\"")
        if(NOT result MATCHES "${expected}")
            message(FATAL_ERROR "${id}.json lacks ${expected}:\n${result}")
        endif()
    endforeach()
    string(JSON runs LENGTH "${result}" runs)
    if(NOT runs EQUAL 2)
        message(FATAL_ERROR "${id}.json holds ${runs} runs, not 2")
    endif()
endforeach()
file(STRINGS ${OUT}/all/summary.csv rows)
list(LENGTH rows count)
if(NOT count EQUAL 5)
    message(FATAL_ERROR "summary.csv has ${count} lines, not a header and 4 rows")
endif()
run(": 0 measured, 4 kept from earlier" ${bench} --out ${OUT}/all)

run("2 configuration\\(s\\)" ${bench} --out ${OUT}/shards --shard 1/2)
run("2 configuration\\(s\\)" ${bench} --out ${OUT}/shards --shard 2/2)
file(GLOB sharded ${OUT}/shards/*.json)
list(LENGTH sharded count)
if(NOT count EQUAL 4)
    message(FATAL_ERROR "two shards wrote ${count} configurations, not 4")
endif()

# The report merges the folders (the shards repeat the first run's four configurations).
run("wrote .*report.md \\(4 configuration\\(s\\), 1 device group\\(s\\)"
    ${VIXEN} bench report ${OUT}/all ${OUT}/shards --out ${OUT}/report)
file(READ ${OUT}/report/report.md report)
foreach(expected "## llvmpipe" "### Side by side" "\\| cornell \\| 32 \\| 64x48 \\|"
        "4 repeated configuration" "#### cornell" "### Against the NanoVDB baseline"
        "\\| compute brickmap \\| fragment brickmap \\|")
    if(NOT report MATCHES "${expected}")
        message(FATAL_ERROR "report.md lacks ${expected}:\n${report}")
    endif()
endforeach()

# The ray-tracing pipeline on a device without it (lavapipe): skipped, with the reason in its
# JSON and in the report, never measured.
run(": 1 measured, 0 kept from earlier, 1 skipped"
    ${VIXEN} bench --scenes cornell --voxels 32 --sizes 64x48 --pipelines compute,raytracing
    --structures brickmap --frames 2 --warmup 1 --warmup-seconds 0 --runs 1 --no-cache
    --out ${OUT}/traced)
file(READ ${OUT}/traced/raytracing-brickmap-cornell-32-64x48.json result)
if(NOT result MATCHES "\"skipped\": \"device 'llvmpipe[^']*' has no ray-tracing pipelines")
    message(FATAL_ERROR "the skipped configuration does not say why:\n${result}")
endif()
run("wrote .*report.md \\(1 configuration\\(s\\)" ${VIXEN} bench report ${OUT}/traced
    --out ${OUT}/traced_report)
file(READ ${OUT}/traced_report/report.md report)
if(NOT report MATCHES "### Skipped on this device.*raytracing-brickmap-cornell-32-64x48 \\| device")
    message(FATAL_ERROR "report.md does not list the skipped configuration:\n${report}")
endif()
# Only what this device cannot run: nothing measured, the report still says why.
run(": 0 measured, 0 kept from earlier, 1 skipped"
    ${VIXEN} bench --scenes cornell --voxels 32 --sizes 64x48 --pipelines raytracing
    --structures brickmap --frames 2 --warmup 1 --warmup-seconds 0 --runs 1 --no-cache
    --out ${OUT}/traced_only)
run("wrote .*report.md \\(0 configuration\\(s\\)" ${VIXEN} bench report ${OUT}/traced_only
    --out ${OUT}/traced_only_report)
file(READ ${OUT}/traced_only_report/report.md report)
if(NOT report MATCHES "Nothing measured.*raytracing-brickmap-cornell-32-64x48 \\| device")
    message(FATAL_ERROR "report.md does not say why nothing was measured:\n${report}")
endif()

# Interrupted: the process is killed while its second or third configuration runs (each warms
# up for 2 s); what finished is complete on disk and kept by the next run, nothing else is.
set(slow ${VIXEN} bench --scenes cornell --voxels 16,24,32 --sizes 32x24 --pipelines compute
    --structures brickmap --frames 2 --warmup 1 --warmup-seconds 2 --runs 1 --no-cache --out ${OUT}/interrupted)
execute_process(COMMAND ${slow} TIMEOUT 5 RESULT_VARIABLE killed OUTPUT_QUIET ERROR_QUIET)
file(GLOB finished ${OUT}/interrupted/*.json)
list(LENGTH finished count)
if(count LESS 1 OR count GREATER 2)
    message(FATAL_ERROR "killed after 5 s, ${count} configuration(s) finished, not 1 or 2 (${killed})")
endif()
foreach(result_file ${finished})
    file(READ ${result_file} result)
    if(NOT result MATCHES "\"complete\": true")
        message(FATAL_ERROR "${result_file} is not complete:\n${result}")
    endif()
endforeach()
run(": [0-9]+ measured, ${count} kept from earlier" ${slow})
