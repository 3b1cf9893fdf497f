# The caches end to end: a scene built once loads the second time and the pipeline cache is
# warm, `vixen cache info` counts both, a damaged cache file is reported by name and the scene built again with the
# run going on, and `vixen cache clear` empties the root.
#   cmake -DVIXEN=... -DROOT=... -DOUT=... -P scene_cache.cmake
file(REMOVE_RECURSE ${ROOT})
set(render ${VIXEN} render --voxels 48 --size 64x48 --frames 1 --quiet --cache-dir ${ROOT}
    --out ${OUT})

include(${CMAKE_CURRENT_LIST_DIR}/run_command.cmake)

run("scene: cityscape 48x48x48.*; built in.*startup: scene built .*pipeline cache cold" ${render})
run("brickmap loaded from the scene cache in.*startup: scene loaded .*pipeline cache warm"
    ${render})
run("device-[0-9a-f]+-[0-9a-f]+-[0-9a-f]+-[0-9a-f]+ +pipelines +1 .* 1 +1 .*host-v[0-9]+ +scenes +1 .* 1 +1 "
    ${VIXEN} cache info --cache-dir ${ROOT})

file(GLOB scene_files ${ROOT}/host-*/scenes/*.vxc)
list(LENGTH scene_files count)
if(NOT count EQUAL 1)
    message(FATAL_ERROR "expected one scene file, found: ${scene_files}")
endif()
# Flip a byte in the middle of the scene's stored bytes.
file(READ ${scene_files} hex HEX)
string(LENGTH "${hex}" length)
math(EXPR middle "${length} / 2 / 2 * 2")
string(SUBSTRING "${hex}" ${middle} 2 byte)
if(byte STREQUAL "00")
    set(flipped "ff")
else()
    set(flipped "00")
endif()
math(EXPR rest "${middle} + 2")
string(SUBSTRING "${hex}" 0 ${middle} head)
string(SUBSTRING "${hex}" ${rest} -1 tail)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${head}${flipped}${tail}")
# file(WRITE) cannot write arbitrary bytes from a string; write through cmake -E echo_append.
execute_process(COMMAND printf "${escaped}" OUTPUT_FILE ${scene_files})
run("cache 'scenes': cache file '.*\\.vxc' is damaged: entry 0 .* does not match its checksum.*built in"
    ${render})
run("brickmap loaded from the scene cache in" ${render})
run("removed [0-9]+ files" ${VIXEN} cache clear --cache-dir ${ROOT})
run("no caches" ${VIXEN} cache info --cache-dir ${ROOT})
