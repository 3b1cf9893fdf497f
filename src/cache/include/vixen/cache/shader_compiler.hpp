#pragma once

// GLSL to SPIR-V at run time (shaderc, SPIR-V 1.6 for Vulkan 1.3, as the build compiles the
// embedded shaders), cached: the key is every byte the result depends on (the file and each
// file it includes, by name and content, the defines, the target and the compiler's version),
// so editing an include recompiles, and an unchanged shader loads from the cache, in memory or
// on disk. A shader with errors is an error carrying the compiler's messages, file and line.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "vixen/cache/persistent_cache.hpp"
#include "vixen/cache/typed_cache.hpp"
#include "vixen/core/error.hpp"

namespace vixen::cache {

struct ShaderRequest {
    std::filesystem::path file;  ///< the stage comes from its extension (.comp, .vert, ...)
    std::vector<std::pair<std::string, std::string>> defines{};
    /// Where `#include "name"` looks after the includer's directory (a library's headers).
    std::vector<std::filesystem::path> includeDirs{};
};

/// A shader's file and every file it includes (`#include "name"`, relative to the includer,
/// else in one of the include directories), read once: what is compiled is what the key was
/// made of.
struct ShaderSources {
    struct File {
        std::filesystem::path path;
        std::string text;
    };
    std::vector<File> files;  ///< the shader first

    /// NotFound naming the file, or the includer and its line for a missing include.
    static Result<ShaderSources> gather(const std::filesystem::path& file,
                                        std::span<const std::filesystem::path> includeDirs = {});
};

struct CompiledShader {
    std::shared_ptr<const std::vector<std::uint32_t>> spirv;
    std::vector<std::filesystem::path> files;  ///< to watch: the shader and its includes
};

class ShaderCompiler {
public:
    /// Keeps what it compiles in memory only.
    ShaderCompiler();
    /// Also keeps it in `spirv` (which must outlive the compiler) for later runs.
    explicit ShaderCompiler(PersistentCache& spirv);
    ~ShaderCompiler();
    ShaderCompiler(const ShaderCompiler&) = delete;
    ShaderCompiler& operator=(const ShaderCompiler&) = delete;

    /// The SPIR-V of `request`: cached, or compiled now. ParseError with the compiler's
    /// messages ("file:line: error: ...") for a shader that does not compile.
    [[nodiscard]] Result<CompiledShader> compile(const ShaderRequest& request);

    [[nodiscard]] TypedCacheStats stats() const { return cache_.stats(); }

private:
    struct Compiler;
    std::unique_ptr<Compiler> compiler_;
    TypedCache<std::vector<std::uint32_t>> cache_;
};

}  // namespace vixen::cache
