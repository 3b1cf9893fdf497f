# The shader toolchain: GLSL compiled to SPIR-V at build time and embedded into a target;
# SPIRV-Tools, whose validator checks SPIR-V before the gpu layer reflects it, and the
# SPIRV-Cross C library it reflects with (vixen::spirv_tools, vixen::spirv_cross_c).
#
#   vixen_add_shaders(<target> NAMESPACE <ns> [HEADER <name.hpp>] SHADERS <a.comp> ...
#                     [INCLUDE_DIRS <dir> ...])
#
# compiles each GLSL file with `glslangValidator --target-env vulkan1.3 -V` (SPIR-V 1.6, so
# the device needs maintenance4, which gpu::Device enables) when the target builds, and
# again when the file or anything it #includes changes; `#include <name>` is looked for in
# INCLUDE_DIRS. The stage comes from the extension
# (.comp .vert .frag .geom .tesc .tese .rgen .rchit .rahit .rmiss .rint .rcall .mesh .task).
# The target gets a generated header (default `<target>_shaders.hpp`, on its include path)
# declaring, in namespace <ns> (one per target: targets linked together must not share one),
# for each shader a function named after its file in camelCase (`fill_buffer.comp` ->
# `fillBufferComp()`) returning its words as std::span<const std::uint32_t>, and `all()`,
# every shader by file name. Generated files live under
# ${CMAKE_CURRENT_BINARY_DIR}/vixen_shaders/<target>/.

find_program(VIXEN_GLSLANG_VALIDATOR glslangValidator DOC "GLSL to SPIR-V compiler")
if(NOT VIXEN_GLSLANG_VALIDATOR)
    message(FATAL_ERROR
        "glslangValidator was not found; it compiles the engine's shaders at build time. "
        "Install the package glslang-tools (scripts/install-deps.sh does), or point "
        "VIXEN_GLSLANG_VALIDATOR at the program.")
endif()

find_package(PkgConfig REQUIRED)
pkg_check_modules(VIXEN_SPIRV_CROSS_C QUIET IMPORTED_TARGET spirv-cross-c-shared)
if(NOT VIXEN_SPIRV_CROSS_C_FOUND)
    message(FATAL_ERROR
        "SPIRV-Cross's C library (pkg-config module spirv-cross-c-shared) was not found; "
        "the gpu layer reflects SPIR-V with it. Install the package "
        "libspirv-cross-c-shared-dev (scripts/install-deps.sh does).")
endif()
if(NOT TARGET vixen::spirv_cross_c)
    add_library(vixen::spirv_cross_c ALIAS PkgConfig::VIXEN_SPIRV_CROSS_C)
endif()

# SPIRV-Cross trusts its input (a corrupted module can crash it), so the validator of
# SPIRV-Tools, which glslang-tools depends on, checks every module first.
find_package(SPIRV-Tools CONFIG QUIET)
if(NOT TARGET SPIRV-Tools-static)
    message(FATAL_ERROR
        "SPIRV-Tools (CMake package SPIRV-Tools, target SPIRV-Tools-static) was not found; "
        "the gpu layer validates SPIR-V with it. Install the package spirv-tools (which "
        "glslang-tools depends on).")
endif()
if(NOT TARGET vixen::spirv_tools)
    add_library(vixen::spirv_tools ALIAS SPIRV-Tools-static)
endif()

# `name.ext` -> `nameExt`: the words of the file name, camelCase, a leading digit prefixed.
function(_vixen_shader_identifier file out)
    get_filename_component(name "${file}" NAME)
    string(REGEX MATCHALL "[A-Za-z0-9]+" words "${name}")
    set(identifier "")
    foreach(word IN LISTS words)
        if(identifier STREQUAL "")
            string(SUBSTRING "${word}" 0 1 head)
            string(TOLOWER "${head}" head)
        else()
            string(SUBSTRING "${word}" 0 1 head)
            string(TOUPPER "${head}" head)
        endif()
        string(SUBSTRING "${word}" 1 -1 tail)
        string(APPEND identifier "${head}${tail}")
    endforeach()
    if(identifier MATCHES "^[0-9]")
        set(identifier "shader${identifier}")
    endif()
    set(${out} "${identifier}" PARENT_SCOPE)
endfunction()

function(vixen_add_shaders target)
    cmake_parse_arguments(ARG "" "NAMESPACE;HEADER" "SHADERS;INCLUDE_DIRS" ${ARGN})
    if(NOT TARGET ${target})
        message(FATAL_ERROR "vixen_add_shaders: '${target}' is not a target")
    endif()
    if(NOT ARG_SHADERS)
        message(FATAL_ERROR "vixen_add_shaders(${target}): no SHADERS given")
    endif()
    if(ARG_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR
            "vixen_add_shaders(${target}): unexpected arguments ${ARG_UNPARSED_ARGUMENTS}")
    endif()
    if(NOT ARG_NAMESPACE)
        message(FATAL_ERROR "vixen_add_shaders(${target}): give the NAMESPACE of its shaders")
    endif()
    if(NOT ARG_HEADER)
        set(ARG_HEADER "${target}_shaders.hpp")
    endif()

    set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/vixen_shaders/${target}")
    set(include_dir "${out_dir}/include")
    set(words_dir "${out_dir}/spirv")
    file(MAKE_DIRECTORY "${include_dir}" "${words_dir}")

    set(include_flags "")
    foreach(dir IN LISTS ARG_INCLUDE_DIRS)
        list(APPEND include_flags "-I${dir}")
    endforeach()
    set(declarations "")
    set(definitions "")
    set(includes "")
    set(table "")
    set(identifiers "")
    set(word_headers "")
    foreach(shader IN LISTS ARG_SHADERS)
        get_filename_component(source "${shader}" ABSOLUTE)
        get_filename_component(file_name "${source}" NAME)
        if(NOT EXISTS "${source}")
            message(FATAL_ERROR "vixen_add_shaders(${target}): no shader ${source}")
        endif()
        _vixen_shader_identifier("${file_name}" identifier)
        if(identifier IN_LIST identifiers)
            message(FATAL_ERROR
                "vixen_add_shaders(${target}): two shaders map to the name ${identifier}(); "
                "rename ${file_name}")
        endif()
        list(APPEND identifiers "${identifier}")

        # glslangValidator writes the words as `const uint32_t <var>[] = {...};`, with a
        # depfile naming every #included file so edits to those recompile too.
        set(words "${words_dir}/${file_name}.h")
        set(depfile "${words_dir}/${file_name}.d")
        file(RELATIVE_PATH shown "${CMAKE_SOURCE_DIR}" "${source}")
        add_custom_command(
            OUTPUT "${words}"
            COMMAND "${VIXEN_GLSLANG_VALIDATOR}" --quiet --target-env vulkan1.3 -V
                    ${include_flags} --vn "${identifier}Words" --depfile "${depfile}"
                    -o "${words}" "${source}"
            MAIN_DEPENDENCY "${source}"
            DEPENDS "${VIXEN_GLSLANG_VALIDATOR}"
            DEPFILE "${depfile}"
            COMMENT "Compiling shader ${shown} to SPIR-V"
            VERBATIM)
        list(APPEND word_headers "${words}")

        string(APPEND declarations
            "/// SPIR-V of ${shown}.\n"
            "[[nodiscard]] std::span<const std::uint32_t> ${identifier}() noexcept;\n")
        string(APPEND includes
            "namespace words::${identifier} {\n"
            "using std::uint32_t;\n"
            "#include \"spirv/${file_name}.h\"\n"
            "}  // namespace words::${identifier}\n")
        string(APPEND definitions
            "std::span<const std::uint32_t> ${identifier}() noexcept {\n"
            "    return words::${identifier}::${identifier}Words;\n"
            "}\n")
        string(APPEND table "        EmbeddedShader{\"${file_name}\", ${identifier}()},\n")
    endforeach()
    list(LENGTH identifiers count)

    set(header "${include_dir}/${ARG_HEADER}")
    set(header_text
"// Generated by vixen_add_shaders(${target}) in cmake/VixenShaders.cmake; do not edit.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace ${ARG_NAMESPACE} {

/// One embedded shader: its file name and its SPIR-V words.
struct EmbeddedShader {
    std::string_view name;
    std::span<const std::uint32_t> spirv;
};

${declarations}
/// Every shader of ${target}, in the order they were listed.
[[nodiscard]] std::span<const EmbeddedShader> all() noexcept;

}  // namespace ${ARG_NAMESPACE}
")
    set(source_file "${out_dir}/${target}_shaders.cpp")
    set(source_text
"// Generated by vixen_add_shaders(${target}) in cmake/VixenShaders.cmake; do not edit.
#include \"${ARG_HEADER}\"

#include <array>

namespace ${ARG_NAMESPACE} {
namespace {
${includes}}  // namespace

${definitions}
std::span<const EmbeddedShader> all() noexcept {
    static const std::array<EmbeddedShader, ${count}> kShaders{
${table}    };
    return kShaders;
}

}  // namespace ${ARG_NAMESPACE}
")
    # Written only when the text changes, so a reconfigure does not rebuild the target.
    file(CONFIGURE OUTPUT "${header}" CONTENT "${header_text}" @ONLY)
    file(CONFIGURE OUTPUT "${source_file}" CONTENT "${source_text}" @ONLY)
    set_source_files_properties("${source_file}" PROPERTIES OBJECT_DEPENDS "${word_headers}")

    target_sources(${target} PRIVATE "${source_file}" "${header}" ${word_headers})
    target_include_directories(${target} PUBLIC "${include_dir}")
endfunction()
