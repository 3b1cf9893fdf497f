#include "vixen/cache/shader_compiler.hpp"

#include <shaderc/shaderc.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace vixen::cache {
namespace {

/// Part of every key: results of another compiler or target are other values.
constexpr std::string_view kTarget = "shaderc spirv1.6 vulkan1.3";

Result<std::string> readText(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(ErrorCode::NotFound, "shader file '{}' cannot be read", path.string());
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::optional<shaderc_shader_kind> kindOf(const std::filesystem::path& file) {
    static const std::map<std::string, shaderc_shader_kind> kinds{
        {".comp", shaderc_compute_shader},      {".vert", shaderc_vertex_shader},
        {".frag", shaderc_fragment_shader},     {".geom", shaderc_geometry_shader},
        {".tesc", shaderc_tess_control_shader}, {".tese", shaderc_tess_evaluation_shader},
        {".rgen", shaderc_raygen_shader},       {".rchit", shaderc_closesthit_shader},
        {".rmiss", shaderc_miss_shader},        {".rahit", shaderc_anyhit_shader},
        {".rint", shaderc_intersection_shader}};
    const auto found = kinds.find(file.extension().string());
    return found == kinds.end() ? std::nullopt : std::optional(found->second);
}

std::vector<std::byte> encodeWords(const std::vector<std::uint32_t>& words) {
    std::vector<std::byte> bytes(words.size() * 4);
    std::memcpy(bytes.data(), words.data(), bytes.size());
    return bytes;
}

Result<std::vector<std::uint32_t>> decodeWords(std::span<const std::byte> bytes) {
    if (bytes.size() % 4 != 0 || bytes.size() < 20) {
        return fail(ErrorCode::ParseError, "{} bytes are no SPIR-V module", bytes.size());
    }
    std::vector<std::uint32_t> words(bytes.size() / 4);
    std::memcpy(words.data(), bytes.data(), bytes.size());
    if (words[0] != 0x07230203U) {
        return fail(ErrorCode::ParseError, "no SPIR-V magic");
    }
    return words;
}

/// Where `#include "requested"` in `includer` leads: next to the includer, else in the first
/// include directory that has it; next to the includer when none has it (to be reported).
std::filesystem::path resolveIncludePath(const std::filesystem::path& includer,
                                         const std::string& requested,
                                         std::span<const std::filesystem::path> includeDirs) {
    const std::filesystem::path local = (includer.parent_path() / requested).lexically_normal();
    if (std::filesystem::is_regular_file(local)) {
        return local;
    }
    for (const std::filesystem::path& dir : includeDirs) {
        const std::filesystem::path candidate = (dir / requested).lexically_normal();
        if (std::filesystem::is_regular_file(candidate)) {
            return candidate;
        }
    }
    return local;
}

/// The include callback's view of the gathered sources (by resolved path).
struct IncludeContext {
    const ShaderSources* sources;
    std::span<const std::filesystem::path> includeDirs;
    std::vector<std::unique_ptr<shaderc_include_result>> results;
    std::vector<std::string> names;
};

shaderc_include_result* resolveInclude(void* user, const char* requested, int /*type*/,
                                       const char* requesting, size_t /*depth*/) {
    auto& context = *static_cast<IncludeContext*>(user);
    const std::filesystem::path path =
        resolveIncludePath(requesting, requested, context.includeDirs);
    auto result = std::make_unique<shaderc_include_result>();
    const auto found =
        std::find_if(context.sources->files.begin(), context.sources->files.end(),
                     [&](const ShaderSources::File& file) { return file.path == path; });
    if (found != context.sources->files.end()) {
        context.names.push_back(found->path.string());
        result->source_name = context.names.back().c_str();
        result->source_name_length = context.names.back().size();
        result->content = found->text.data();
        result->content_length = found->text.size();
    } else {
        context.names.push_back("cannot find " + path.string());
        result->source_name = "";
        result->source_name_length = 0;
        result->content = context.names.back().c_str();
        result->content_length = context.names.back().size();
    }
    context.results.push_back(std::move(result));
    return context.results.back().get();
}

void releaseInclude(void* /*user*/, shaderc_include_result* /*result*/) {}

}  // namespace

Result<ShaderSources> ShaderSources::gather(const std::filesystem::path& file,
                                            std::span<const std::filesystem::path> includeDirs) {
    static const std::regex include(R"(^\s*#\s*include\s*"([^"]+)\")");
    ShaderSources sources;
    std::vector<std::filesystem::path> pending{file.lexically_normal()};
    while (!pending.empty()) {
        const std::filesystem::path path = pending.back();
        pending.pop_back();
        if (std::any_of(sources.files.begin(), sources.files.end(),
                        [&](const File& seen) { return seen.path == path; })) {
            continue;
        }
        auto text = readText(path);
        if (!text) {
            return std::unexpected(std::move(text.error()));
        }
        std::istringstream lines(*text);
        std::string line;
        for (std::size_t number = 1; std::getline(lines, line); ++number) {
            std::smatch match;
            if (!std::regex_search(line, match, include)) {
                continue;
            }
            const std::filesystem::path included =
                resolveIncludePath(path, match[1].str(), includeDirs);
            if (!std::filesystem::is_regular_file(included)) {
                return fail(ErrorCode::NotFound, "{}:{}: included file '{}' does not exist",
                            path.string(), number, included.string());
            }
            pending.push_back(included);
        }
        sources.files.push_back({path, std::move(*text)});
    }
    return sources;
}

struct ShaderCompiler::Compiler {
    shaderc_compiler_t handle = shaderc_compiler_initialize();
    ~Compiler() { shaderc_compiler_release(handle); }
};

ShaderCompiler::ShaderCompiler() : compiler_(std::make_unique<Compiler>()) {}

ShaderCompiler::ShaderCompiler(PersistentCache& spirv)
    : compiler_(std::make_unique<Compiler>()), cache_(spirv, {encodeWords, decodeWords}) {}

ShaderCompiler::~ShaderCompiler() = default;

Result<CompiledShader> ShaderCompiler::compile(const ShaderRequest& request) {
    const auto kind = kindOf(request.file);
    if (!kind) {
        return fail(ErrorCode::InvalidArgument,
                    "shader file '{}': the extension '{}' names no shader stage (.comp, .vert, "
                    ".frag, ...)",
                    request.file.string(), request.file.extension().string());
    }
    auto sources = ShaderSources::gather(request.file, request.includeDirs);
    if (!sources) {
        return std::unexpected(std::move(sources.error()));
    }
    KeyBuilder key;
    key.add("glsl to spir-v").add(kTarget).add(request.file.filename().string());
    for (const auto& [name, value] : request.defines) {
        key.add(name).add(value);
    }
    for (const ShaderSources::File& file : sources->files) {
        key.add(file.path.filename().string()).add(file.text);
    }
    auto spirv = cache_.getOrCreate(key.key(), [&]() -> Result<std::vector<std::uint32_t>> {
        shaderc_compile_options_t options = shaderc_compile_options_initialize();
        shaderc_compile_options_set_target_env(options, shaderc_target_env_vulkan,
                                               shaderc_env_version_vulkan_1_3);
        shaderc_compile_options_set_target_spirv(options, shaderc_spirv_version_1_6);
        for (const auto& [name, value] : request.defines) {
            shaderc_compile_options_add_macro_definition(options, name.data(), name.size(),
                                                         value.data(), value.size());
        }
        IncludeContext includes{&*sources, request.includeDirs, {}, {}};
        shaderc_compile_options_set_include_callbacks(options, resolveInclude, releaseInclude,
                                                      &includes);
        const std::string& text = sources->files.front().text;
        const std::string name = sources->files.front().path.string();
        shaderc_compilation_result_t result = shaderc_compile_into_spv(
            compiler_->handle, text.data(), text.size(), *kind, name.c_str(), "main", options);
        shaderc_compile_options_release(options);
        Result<std::vector<std::uint32_t>> words;
        if (shaderc_result_get_compilation_status(result) != shaderc_compilation_status_success) {
            std::string messages = shaderc_result_get_error_message(result);
            while (!messages.empty() && messages.back() == '\n') {
                messages.pop_back();
            }
            words =
                fail(ErrorCode::ParseError, "shader '{}' does not compile:\n{}", name, messages);
        } else {
            const std::size_t bytes = shaderc_result_get_length(result);
            std::vector<std::uint32_t> module(bytes / 4);
            std::memcpy(module.data(), shaderc_result_get_bytes(result), bytes);
            words = std::move(module);
        }
        shaderc_result_release(result);
        return words;
    });
    if (!spirv) {
        return std::unexpected(std::move(spirv.error()));
    }
    CompiledShader compiled{*spirv, {}};
    for (const ShaderSources::File& file : sources->files) {
        compiled.files.push_back(file.path);
    }
    return compiled;
}

}  // namespace vixen::cache
