#pragma once

// Where the nodes' shaders come from: the SPIR-V embedded at build time, or, with a shader
// directory (`vixen view --shader-dir`), the GLSL files there compiled at run time (through
// the SPIR-V cache). With a directory, poll() looks at the files each shader was compiled
// from (and their includes) and emits events::ShaderChanged for each shader whose files
// changed, so the nodes built from it, and only those, recompile in the next batch.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vixen/cache/persistent_cache.hpp"
#include "vixen/cache/shader_compiler.hpp"
#include "vixen/core/error.hpp"
#include "vixen/events/event_bus.hpp"

namespace vixen::nodes {

class ShaderLibrary {
public:
    /// Embedded shaders only.
    ShaderLibrary() = default;
    /// Shaders compiled from `directory`; `spirvCache` (may be null; must outlive the
    /// library) keeps their SPIR-V between runs.
    ShaderLibrary(std::filesystem::path directory, cache::PersistentCache* spirvCache);

    /// The SPIR-V of shader `name` ("voxel_brickmap.comp"): from the directory when there is
    /// one, else `embedded`. A shader that does not compile is a ParseError with the
    /// compiler's messages (file and line).
    [[nodiscard]] Result<std::shared_ptr<const std::vector<std::uint32_t>>> spirv(
        std::string_view name, std::span<const std::uint32_t> embedded);

    /// Emits a ShaderChanged on `bus` for each shader whose files changed since it was last
    /// compiled or polled; how many. One stat per file and no allocation: meant for frame
    /// boundaries.
    std::size_t poll(events::EventBus& bus);

    [[nodiscard]] bool fromDirectory() const noexcept { return directory_.has_value(); }
    [[nodiscard]] static std::uint64_t idOf(std::string_view name) noexcept;

private:
    struct Watched {
        std::vector<std::filesystem::path> files;
        std::vector<std::filesystem::file_time_type> times;
    };
    static std::vector<std::filesystem::file_time_type> timesOf(
        const std::vector<std::filesystem::path>& files);

    std::optional<std::filesystem::path> directory_;
    std::unique_ptr<cache::ShaderCompiler> compiler_;
    std::unordered_map<std::string, Watched> watched_;
};

}  // namespace vixen::nodes
