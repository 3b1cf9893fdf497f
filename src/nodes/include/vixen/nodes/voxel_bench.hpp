#pragma once

// The voxel benchmark (`vixen bench`): a matrix of configurations (pipeline x structure x
// scene x voxel resolution x render size x shadows), expanded in a deterministic order so a
// sweep can be split into shards over many machines, and the measured run of one
// configuration: warm-up frames, then frames in flight timed by the GPU's timestamps with the
// CPU's frame time beside them, the GPU's own step counters, and device memory in use.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/core/statistics.hpp"
#include "vixen/gpu/acceleration_structure.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/memory_allocator.hpp"
#include "vixen/graph/resource_estimate.hpp"
#include "vixen/nodes/voxel_scene_cache.hpp"
#include "vixen/voxel/structure.hpp"

namespace vixen::nodes {

struct VoxelBenchConfig {
    std::string pipeline = "compute";
    voxel::Structure structure = voxel::Structure::BrickMap;
    std::string scene = "cornell";
    std::uint32_t voxels = 64;
    std::uint32_t width = 1280;
    std::uint32_t height = 720;
    bool shadows = false;

    /// A file-name-safe name: "compute-brickmap-noise-256-1920x1080[-shadows]"; a file's
    /// scene by its file name at its own size: "compute-brickmap-file-deer-native-1280x720".
    [[nodiscard]] std::string id() const;
    /// Whether the scene is a file (kSceneFilePrefix); its voxels are then 0, its own size,
    /// except for a mesh (voxelized at the matrix's sizes).
    [[nodiscard]] bool fromFile() const;
    [[nodiscard]] VoxelSceneRequest sceneRequest() const;
};

struct VoxelBenchMatrix {
    /// The ray-tracing pipeline pairs with the brick map only; other pairs are left out.
    std::vector<std::string> pipelines{"compute", "fragment", "raytracing"};
    std::vector<voxel::Structure> structures{voxel::Structure::BrickMap, voxel::Structure::Octree,
                                             voxel::Structure::NanoVdb};
    std::vector<std::string> scenes{"cornell", "noise", "tunnels", "cityscape"};
    std::vector<std::uint32_t> voxels{64, 256, 1024, 2048};
    std::vector<std::pair<std::uint32_t, std::uint32_t>> sizes{{1280, 720}, {1920, 1080}};
    std::vector<bool> shadows{false};
    std::uint32_t warmupFrames = 20;
    /// Warm-up lasts at least this long too: a GPU idle during a scene's build clocks up
    /// over a fraction of a second, and 20 frames of a small scene take a few milliseconds.
    double warmupSeconds = 0.5;
    std::uint32_t frames = 100;
    std::uint32_t runs = 3;

    /// InvalidArgument naming the field and value at fault: an unknown pipeline, structure
    /// or scene (a procedural scene's name, or file:PATH of a file that exists), a resolution
    /// outside 8..4096, a size outside 1..16384, no frames, or a
    /// dimension with nothing in it (an empty matrix).
    [[nodiscard]] Result<void> validate() const;
    /// Every configuration, grouped by scene and resolution (each scene is built once for
    /// the configurations that use it), in the same order on every machine.
    [[nodiscard]] std::vector<VoxelBenchConfig> expand() const;
};

/// Shard `index` (1-based) of `count`: configurations k with k % count == index - 1.
[[nodiscard]] std::vector<VoxelBenchConfig> shardOf(const std::vector<VoxelBenchConfig>& all,
                                                    std::uint32_t index, std::uint32_t count);

/// One measured run of a configuration.
struct VoxelBenchRun {
    std::vector<double> gpuFrameMs;  ///< the ray march node's GPU time per frame (timestamps)
    std::vector<double> cpuFrameMs;  ///< wall time of each GpuRuntime::frame (frames in flight)
    core::Summary gpuMs;             ///< of gpuFrameMs
    core::Summary cpuMs;             ///< of cpuFrameMs
    double graysPerSecond = 0.0;     ///< primary rays (pixels) per second at the GPU median
    double coarsePerPixel = 0.0;     ///< bricks or nodes visited (GPU counters, last frame)
    double voxelsPerPixel = 0.0;
    double hitFraction = 0.0;
    std::uint64_t deviceBytes = 0;  ///< device memory the allocator holds for the graph
    std::uint32_t untimedFrames = 0;
    /// The ray-tracing pipeline's acceleration structure, built at the run's compile.
    std::optional<gpu::AccelerationStructureStats> acceleration;
};

/// Renders `scene` as `config` says: at least `warmupFrames` and `warmupSeconds` of frames,
/// then `frames` timed. Unsupported when the device writes no timestamps.
[[nodiscard]] Result<VoxelBenchRun> runVoxelBenchmark(
    const gpu::Device& device, gpu::DeviceMemoryAllocator& allocator,
    const graph::GraphBudget& budget, const BuiltVoxelScene& scene, const VoxelBenchConfig& config,
    std::uint32_t warmupFrames, double warmupSeconds, std::uint32_t frames);

}  // namespace vixen::nodes
