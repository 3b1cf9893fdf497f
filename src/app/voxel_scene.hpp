#pragma once

// What `vixen render` and `vixen view` keep between runs: built scenes (the host's scene
// cache), SPIR-V compiled from a shader directory, and the device's pipeline cache. A problem with
// a cache is a warning, never a failure: the scene is then built and the pipelines created as
// without it.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "vixen/cache/pipeline_cache.hpp"
#include "vixen/core/error.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/graph/render_graph.hpp"
#include "vixen/nodes/shader_library.hpp"
#include "vixen/nodes/voxel_scene_cache.hpp"

namespace vixen::app {

struct CompileTimes {
    double compileSeconds = 0.0;   ///< the graph's compile
    double pipelineSeconds = 0.0;  ///< of which the device spent creating pipelines
};

class VoxelCaches {
public:
    /// Caches under `cacheDir` (empty: the default root), or none with `noCache` or when no
    /// root can be found (said once on stderr).
    VoxelCaches(const std::string& cacheDir, bool noCache);

    /// The scene: loaded when it was built before, else built (and kept).
    [[nodiscard]] Result<nodes::BuiltVoxelScene> scene(const nodes::VoxelSceneRequest& request);
    /// Where the nodes' shaders come from: embedded, or compiled from `shaderDir` when it is
    /// not empty (their SPIR-V kept in the cache between runs).
    [[nodiscard]] nodes::ShaderLibrary& shaders(const std::string& shaderDir);

    /// Compiles `graph` on `device` with the pipeline data saved for the device merged into
    /// its pipeline cache first, and saves the cache after.
    [[nodiscard]] Result<CompileTimes> compile(graph::RenderGraph& graph,
                                               const gpu::Device& device);
    /// "warm" when saved pipeline data was merged, "cold" when not, "off" without caches.
    [[nodiscard]] std::string_view pipelineState() const noexcept;

private:
    std::optional<std::filesystem::path> root_;
    std::optional<cache::PersistentCache> spirv_;
    std::optional<nodes::ShaderLibrary> shaders_;
    std::optional<cache::PipelineCacheStore> pipelines_;
    bool pipelinesLoaded_ = false;
};

/// One line: scene, size, density, bricks, build or load times, the structure's bytes.
[[nodiscard]] std::string describe(const nodes::BuiltVoxelScene& scene, const std::string& name);

/// One line: how long the start took, part by part.
[[nodiscard]] std::string describeStartup(const nodes::BuiltVoxelScene& scene,
                                          std::string_view pipelineState, CompileTimes compile,
                                          double firstFrameSeconds);

}  // namespace vixen::app
