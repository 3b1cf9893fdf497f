# Compile options shared by every VIXEN target, applied through vixen_configure_target().

add_library(vixen_options INTERFACE)
target_compile_options(vixen_options INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
    -Wold-style-cast -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion -Wformat=2
    -Wimplicit-fallthrough)
# GCC 12 reports -Wrestrict on std::string concatenation inlined at -O2 and above, a
# false positive in libstdc++ (GCC bug 105329, fixed in 13).
target_compile_options(vixen_options INTERFACE
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>)
if(VIXEN_WARNINGS_AS_ERRORS)
    target_compile_options(vixen_options INTERFACE -Werror)
endif()
if(VIXEN_SANITIZE)
    target_compile_options(vixen_options INTERFACE
        -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(vixen_options INTERFACE -fsanitize=address,undefined)
endif()

# Third-party headers are included as system headers so their warnings stay theirs.
function(vixen_configure_target target)
    target_link_libraries(${target} PRIVATE vixen_options)
endfunction()

# vixen_add_layer(NAME SOURCES ... DEPS ...): the static library of one layer under src/,
# `vixen_NAME` with alias `vixen::NAME`, its public headers in include/, linked PUBLIC to DEPS.
function(vixen_add_layer name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
    add_library(vixen_${name} STATIC ${ARG_SOURCES})
    add_library(vixen::${name} ALIAS vixen_${name})
    target_include_directories(vixen_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_link_libraries(vixen_${name} PUBLIC ${ARG_DEPS})
    vixen_configure_target(vixen_${name})
endfunction()
