#include "vixen/nodes/voxel_bench.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>

#include "vixen/nodes/gpu_image_nodes.hpp"
#include "vixen/nodes/gpu_runtime.hpp"
#include "vixen/nodes/voxel_nodes.hpp"
#include "vixen/voxel/procedural.hpp"
#include "vixen/voxel/scene_files.hpp"

namespace vixen::nodes {
namespace {

/// The pipelines `vixen bench` knows (VoxelPipeline's names).
constexpr std::array<std::string_view, 3> kPipelines{"compute", "fragment", "raytracing"};

/// Whether `pipeline` traces `structure`: the ray-tracing pipeline traces brick map bricks only.
bool pipelineTraces(std::string_view pipeline, voxel::Structure structure) noexcept {
    return pipeline != pipelineName(VoxelPipeline::RayTracing) ||
           structure == voxel::Structure::BrickMap;
}

template <class T>
bool contains(std::span<const T> list, const T& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

bool VoxelBenchConfig::fromFile() const {
    return scene.starts_with(kSceneFilePrefix);
}

std::string VoxelBenchConfig::id() const {
    // A file's scene by its file name, at its own size (a mesh's: at the matrix's sizes).
    const std::string sceneName =
        fromFile()
            ? "file-" + std::filesystem::path(scene.substr(kSceneFilePrefix.size())).stem().string()
            : scene;
    const std::string side =
        fromFile() && voxels == 0 ? std::string("native") : std::to_string(voxels);
    return fmt::format("{}-{}-{}-{}-{}x{}{}", pipeline, voxel::structureName(structure), sceneName,
                       side, width, height, shadows ? "-shadows" : "");
}

VoxelSceneRequest VoxelBenchConfig::sceneRequest() const {
    return {scene, voxels, 1, structure};
}

Result<void> VoxelBenchMatrix::validate() const {
    const auto empty = [](std::string_view what) {
        return fail(ErrorCode::InvalidArgument, "the benchmark matrix is empty: '{}' lists nothing",
                    what);
    };
    if (pipelines.empty()) {
        return empty("pipelines");
    }
    if (structures.empty()) {
        return empty("structures");
    }
    if (scenes.empty()) {
        return empty("scenes");
    }
    if (voxels.empty()) {
        return empty("voxels");
    }
    if (sizes.empty()) {
        return empty("sizes");
    }
    if (shadows.empty()) {
        return empty("shadows");
    }
    for (const std::string& pipeline : pipelines) {
        if (!contains<std::string_view>(kPipelines, pipeline)) {
            return fail(ErrorCode::InvalidArgument, "pipelines: unknown pipeline '{}' (known: {})",
                        pipeline, fmt::join(kPipelines, ", "));
        }
    }
    const bool anyPair = std::ranges::any_of(pipelines, [&](const std::string& pipeline) {
        return std::ranges::any_of(structures, [&](voxel::Structure structure) {
            return pipelineTraces(pipeline, structure);
        });
    });
    if (!anyPair) {
        return fail(ErrorCode::InvalidArgument,
                    "the benchmark matrix is empty: the raytracing pipeline traces the brickmap "
                    "structure only, and 'structures' lacks it");
    }
    const auto sceneNames = voxel::proceduralSceneNames();
    for (const std::string& scene : scenes) {
        if (scene.starts_with(kSceneFilePrefix)) {
            const std::filesystem::path file = scene.substr(kSceneFilePrefix.size());
            if (!std::filesystem::is_regular_file(file)) {
                return fail(ErrorCode::InvalidArgument, "scenes: '{}' is not a file that exists",
                            file.string());
            }
        } else if (!contains<std::string_view>(sceneNames, scene)) {
            return fail(ErrorCode::InvalidArgument,
                        "scenes: unknown scene '{}' (known: {}, or file:PATH)", scene,
                        fmt::join(sceneNames, ", "));
        }
    }
    for (const std::uint32_t side : voxels) {
        if (side < 8 || side > 4096) {
            return fail(ErrorCode::InvalidArgument, "voxels: {} is outside 8..4096 voxels a side",
                        side);
        }
    }
    for (const auto& [width, height] : sizes) {
        if (width < 1 || height < 1 || width > 16384 || height > 16384) {
            return fail(ErrorCode::InvalidArgument,
                        "sizes: {}x{} is outside 1..16384 pixels a side", width, height);
        }
    }
    if (!(warmupSeconds >= 0.0 && warmupSeconds <= 60.0)) {
        return fail(ErrorCode::InvalidArgument, "warmup_seconds: {} is outside 0..60",
                    warmupSeconds);
    }
    if (frames == 0 || runs == 0) {
        return fail(ErrorCode::InvalidArgument, "{}: at least 1 is needed",
                    frames == 0 ? "frames" : "runs");
    }
    return {};
}

std::vector<VoxelBenchConfig> VoxelBenchMatrix::expand() const {
    std::vector<VoxelBenchConfig> all;
    for (const std::string& scene : scenes) {
        // A file's scene has one size, its own: voxels 0 stands for it. A mesh has none, and
        // is voxelized at each of the matrix's sizes.
        const bool native = scene.starts_with(kSceneFilePrefix) &&
                            !voxel::isMeshFile(scene.substr(kSceneFilePrefix.size()));
        const std::vector<std::uint32_t> sides = native ? std::vector<std::uint32_t>{0} : voxels;
        for (const std::uint32_t side : sides) {
            for (const voxel::Structure structure : structures) {
                for (const std::string& pipeline : pipelines) {
                    if (!pipelineTraces(pipeline, structure)) {
                        continue;
                    }
                    for (const auto& [width, height] : sizes) {
                        for (const bool shadow : shadows) {
                            all.push_back(
                                {pipeline, structure, scene, side, width, height, shadow});
                        }
                    }
                }
            }
        }
    }
    return all;
}

std::vector<VoxelBenchConfig> shardOf(const std::vector<VoxelBenchConfig>& all, std::uint32_t index,
                                      std::uint32_t count) {
    std::vector<VoxelBenchConfig> shard;
    for (std::size_t k = 0; k < all.size(); ++k) {
        if (k % count == index - 1) {
            shard.push_back(all[k]);
        }
    }
    return shard;
}

Result<VoxelBenchRun> runVoxelBenchmark(const gpu::Device& device,
                                        gpu::DeviceMemoryAllocator& allocator,
                                        const graph::GraphBudget& budget,
                                        const BuiltVoxelScene& scene,
                                        const VoxelBenchConfig& config, std::uint32_t warmupFrames,
                                        double warmupSeconds, std::uint32_t frames) {
    using Clock = std::chrono::steady_clock;
    graph::RenderGraph graph(graph::GraphOptions{.budget = budget});
    auto runtime = GpuRuntime::create(graph, device, allocator);
    if (!runtime) {
        return std::unexpected(std::move(runtime.error()));
    }
    const GpuImageShape shape{config.width, config.height, false, false};
    const voxel::Camera camera = voxel::Camera::sceneView(config.scene, scene.size);
    const VoxelRenderer renderer = addVoxelRenderer(
        graph, **runtime, scene.words, [camera](std::uint64_t) { return camera; }, shape,
        config.structure, VoxelShading{.shadows = config.shadows}, nullptr,
        voxelPipelineNamed(config.pipeline).value_or(VoxelPipeline::Compute));
    // Timed without readbacks: the frames hold the ray march and what feeds it.
    graph.setKeepAlive(renderer.marchId());
    VIXEN_TRY(graph.compile());
    if (!(*runtime)->timestampsEnabled()) {
        return fail(ErrorCode::Unsupported, "the device's queue writes no timestamps");
    }
    VoxelBenchRun run;
    if (const auto* traced = std::get_if<graph::NodeHandle<VoxelRayTraceNode>>(&renderer.march)) {
        run.acceleration =
            static_cast<const VoxelRayTraceNode&>(graph.node(traced->id)).accelerationStats();
    }
    run.deviceBytes = allocator.statistics().total.usedBytes;
    const auto warmStart = Clock::now();
    for (std::uint32_t frame = 0;
         frame < warmupFrames ||
         std::chrono::duration<double>(Clock::now() - warmStart).count() < warmupSeconds;
         ++frame) {
        VIXEN_TRY((*runtime)->frame());
    }
    std::vector<double>& gpuMs = run.gpuFrameMs;
    std::vector<double>& cpuMs = run.cpuFrameMs;
    gpuMs.reserve(frames);
    cpuMs.reserve(frames);
    std::uint64_t previous = (*runtime)->gpuNanoseconds(renderer.marchId());
    for (std::uint32_t frame = 0; frame < frames; ++frame) {
        const auto started = Clock::now();
        VIXEN_TRY((*runtime)->frame());
        cpuMs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
        // Each frame() reads the timestamps of the frame its slot held before.
        const std::uint64_t total = (*runtime)->gpuNanoseconds(renderer.marchId());
        if (total == previous) {
            ++run.untimedFrames;
        } else {
            gpuMs.push_back(static_cast<double>(total - previous) * 1e-6);
        }
        previous = total;
    }
    VIXEN_TRY((*runtime)->waitIdle());
    run.gpuMs = core::summarize(gpuMs);
    run.cpuMs = core::summarize(cpuMs);
    const double pixels = static_cast<double>(config.width) * config.height;
    run.graysPerSecond = run.gpuMs.median > 0.0 ? pixels / (run.gpuMs.median * 1e-3) / 1e9 : 0.0;

    // The counters of one more frame, read back (the scene stays: its buffer is persistent).
    auto steps = graph.addNode<GpuReadbackNode>("steps", **runtime);
    auto depth = graph.addNode<GpuReadbackNode>("depth", **runtime);
    renderer.connect(graph, VoxelOutput::Steps, steps, GpuReadbackConfig::image);
    renderer.connect(graph, VoxelOutput::Depth, depth, GpuReadbackConfig::image);
    VIXEN_TRY(graph.compile());
    VIXEN_TRY((*runtime)->frame());
    VIXEN_TRY((*runtime)->waitIdle());
    auto counted = static_cast<const GpuReadbackNode&>(graph.node(steps.id)).pixels();
    if (!counted) {
        return std::unexpected(std::move(counted.error()));
    }
    const StepTotals totals = sumSteps(*counted);
    run.coarsePerPixel = static_cast<double>(totals.coarse) / pixels;
    run.voxelsPerPixel = static_cast<double>(totals.voxels) / pixels;
    auto depths = static_cast<const GpuReadbackNode&>(graph.node(depth.id)).pixels();
    if (!depths) {
        return std::unexpected(std::move(depths.error()));
    }
    run.hitFraction = static_cast<double>(countHits(*depths)) / pixels;
    graph.cleanup();
    return run;
}

}  // namespace vixen::nodes
