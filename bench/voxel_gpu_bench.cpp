// The voxel ray marchers on the GPU. BM_VoxelRayMarch/scene:S/side:N/structure:T/shadows:B
// renders procedural scene S at N^3 voxels, laid out as structure T (0 brick map, 1 octree),
// at 1920x1080 (VIXEN_BENCH_SIZE=WxH overrides) from the scene's default view, one frame an
// iteration, after half a second of warm-up, with frames in flight. The iteration time is
// the ray march node's GPU time from its timestamps (manual time); counters:
//   gpu_ms_median / p5 / p95  of those times
//   grays_per_s               primary rays (pixels) per second at the median
//   coarse_per_px, voxels_per_px  bricks or nodes, and voxels, visited per pixel (GPU
//                             counters of the last frame, shadow rays included)
//   hit_fraction              pixels whose primary ray hit (from the depth image)
//   lane_use                  steps summed over pixels / (the most steps of a pixel in its
//                             8x4 tile x the tile's pixels): how busy a 32-wide SIMD group
//                             (a warp: 8x4 pixels of an 8x8 workgroup) keeps its lanes
//   build_s, structure_mb, bytes_per_solid  the scene's build (all cores) and layout
// A scene is built once for all the benchmarks that follow it with the same scene and size.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gpu_bench_context.hpp"
#include "vixen/core/statistics.hpp"
#include "vixen/nodes/gpu_runtime.hpp"
#include "vixen/nodes/voxel_nodes.hpp"
#include "vixen/voxel/procedural.hpp"
#include "vixen/voxel/structure.hpp"

namespace {

using namespace vixen;

struct CachedScene {
    std::string name;
    std::int32_t side = 0;
    std::optional<voxel::BrickVolume> volume;
    double buildSeconds = 0.0;
    std::array<std::shared_ptr<const std::vector<std::uint32_t>>, 2> words;
};

CachedScene& cachedScene(std::string_view name, std::int32_t side) {
    static CachedScene cache;
    if (cache.name != name || cache.side != side) {
        cache = CachedScene{std::string(name), side, std::nullopt, 0.0, {}};
        auto scene = voxel::makeProceduralScene(name, voxel::Int3{side, side, side});
        voxel::VolumeBuildStats stats;
        auto volume = voxel::BrickVolume::build(**scene, &stats);
        if (volume) {
            cache.volume.emplace(std::move(*volume));
            cache.buildSeconds = stats.seconds;
        }
    }
    return cache;
}

std::pair<std::uint32_t, std::uint32_t> imageSize() {
    unsigned width = 1920;
    unsigned height = 1080;
    if (const char* size = std::getenv("VIXEN_BENCH_SIZE")) {
        if (std::sscanf(size, "%ux%u", &width, &height) != 2) {
            width = 1920;
            height = 1080;
        }
    }
    return {width, height};
}

/// Steps of all pixels over what the slowest pixel of each 8x4 tile makes the whole tile
/// execute (last frame's step image, R32UI: coarse steps << 16 | voxel steps).
double laneUse(std::span<const std::byte> stepImage, std::uint32_t width, std::uint32_t height) {
    const auto stepsAt = [&](std::uint32_t x, std::uint32_t y) {
        std::uint32_t value = 0;
        std::memcpy(&value, stepImage.data() + (std::size_t{y} * width + x) * 4, 4);
        return std::uint64_t{(value >> 16U) + (value & 0xFFFFU)};
    };
    std::uint64_t used = 0;
    std::uint64_t issued = 0;
    for (std::uint32_t ty = 0; ty < height; ty += 4) {
        for (std::uint32_t tx = 0; tx < width; tx += 8) {
            std::uint64_t most = 0;
            std::uint64_t lanes = 0;
            for (std::uint32_t y = ty; y < std::min(ty + 4, height); ++y) {
                for (std::uint32_t x = tx; x < std::min(tx + 8, width); ++x) {
                    const std::uint64_t steps = stepsAt(x, y);
                    used += steps;
                    most = std::max(most, steps);
                    ++lanes;
                }
            }
            issued += most * lanes;
        }
    }
    return issued == 0 ? 1.0 : static_cast<double>(used) / static_cast<double>(issued);
}

void BM_VoxelRayMarch(benchmark::State& state) {
    const std::string_view name =
        voxel::proceduralSceneNames()[static_cast<std::size_t>(state.range(0))];
    const auto side = static_cast<std::int32_t>(state.range(1));
    const auto structure = static_cast<voxel::Structure>(state.range(2));
    const bool shadows = state.range(3) != 0;
    state.SetLabel(std::string(name) + " " + std::string(voxel::structureName(structure)));
    bench::GpuContext& gpu = bench::context();
    if (gpu.device() == nullptr) {
        state.SkipWithError(("no Vulkan device: " + gpu.error()).c_str());
        return;
    }
    CachedScene& scene = cachedScene(name, side);
    if (!scene.volume) {
        state.SkipWithError("the scene did not build");
        return;
    }
    auto& words = scene.words[static_cast<std::size_t>(structure)];
    if (!words) {
        words = std::make_shared<const std::vector<std::uint32_t>>(
            voxel::buildStructure(*scene.volume, structure));
    }
    const auto [width, height] = imageSize();
    graph::RenderGraph graph;
    auto runtime = nodes::GpuRuntime::create(graph, *gpu.device(), gpu.allocator());
    if (!runtime) {
        state.SkipWithError(runtime.error().message.c_str());
        return;
    }
    const nodes::GpuImageShape shape{width, height, false, false};
    const voxel::Int3 size{side, side, side};
    const voxel::Camera view = voxel::Camera::sceneView(name, size);
    const nodes::VoxelRenderer renderer = nodes::addVoxelRenderer(
        graph, **runtime, words, [view](std::uint64_t) { return view; }, shape, structure,
        nodes::VoxelShading{.shadows = shadows});
    auto steps = graph.addNode<nodes::GpuReadbackNode>("steps", **runtime);
    auto depth = graph.addNode<nodes::GpuReadbackNode>("depth", **runtime);
    renderer.connect(graph, nodes::VoxelOutput::Steps, steps, nodes::GpuReadbackConfig::image);
    renderer.connect(graph, nodes::VoxelOutput::Depth, depth, nodes::GpuReadbackConfig::image);
    if (Result<void> compiled = graph.compile(); !compiled) {
        state.SkipWithError(compiled.error().message.c_str());
        return;
    }
    if (!(*runtime)->timestampsEnabled()) {
        state.SkipWithError("the device's queue writes no timestamps");
        return;
    }
    // Warm up for half a second (clocks ramp up after the idle scene build), then measure
    // with frames in flight as an application runs them: each frame() reads the timestamps
    // of the frame its slot held before, one frame's ray march time a call.
    const auto warmStart = std::chrono::steady_clock::now();
    for (int warm = 0;
         warm < 10 || std::chrono::steady_clock::now() - warmStart < std::chrono::milliseconds(500);
         ++warm) {
        if (!(*runtime)->frame()) {
            state.SkipWithError("warm-up frame failed");
            return;
        }
    }
    std::vector<double> milliseconds;
    milliseconds.reserve(static_cast<std::size_t>(state.max_iterations));
    std::uint64_t untimed = 0;
    std::uint64_t previous = (*runtime)->gpuNanoseconds(renderer.marchId());
    for (auto _ : state) {
        if (!(*runtime)->frame()) {
            state.SkipWithError("frame failed");
            return;
        }
        const std::uint64_t total = (*runtime)->gpuNanoseconds(renderer.marchId());
        const double seconds = static_cast<double>(total - previous) * 1e-9;
        const bool timed = total != previous;
        previous = total;
        if (!timed) {
            ++untimed;  // its timestamps were not ready when its slot came back
        } else {
            milliseconds.push_back(seconds * 1e3);
        }
        state.SetIterationTime(seconds);
    }
    static_cast<void>((*runtime)->waitIdle());
    const double pixels = static_cast<double>(width) * height;
    const core::Summary gpuMs = core::summarize(milliseconds);
    const double median = gpuMs.median;
    state.counters["gpu_ms_median"] = median;
    state.counters["untimed_frames"] = static_cast<double>(untimed);
    state.counters["gpu_ms_p5"] = gpuMs.p5;
    state.counters["gpu_ms_p95"] = gpuMs.p95;
    state.counters["grays_per_s"] = median > 0.0 ? pixels / (median * 1e-3) / 1e9 : 0.0;
    const auto& stepImage = static_cast<const nodes::GpuReadbackNode&>(graph.node(steps.id));
    const auto& depthImage = static_cast<const nodes::GpuReadbackNode&>(graph.node(depth.id));
    if (auto counted = stepImage.pixels(); counted) {
        const nodes::StepTotals totals = nodes::sumSteps(*counted);
        state.counters["coarse_per_px"] = static_cast<double>(totals.coarse) / pixels;
        state.counters["voxels_per_px"] = static_cast<double>(totals.voxels) / pixels;
        if (counted->size() >= std::size_t{width} * height * 4) {
            state.counters["lane_use"] = laneUse(*counted, width, height);
        }
    }
    if (auto depths = depthImage.pixels(); depths) {
        state.counters["hit_fraction"] = static_cast<double>(nodes::countHits(*depths)) / pixels;
    }
    state.counters["build_s"] = scene.buildSeconds;
    state.counters["structure_mb"] = static_cast<double>(words->size() * 4) / (1 << 20);
    state.counters["bytes_per_solid"] =
        static_cast<double>(words->size() * 4) /
        static_cast<double>(std::max<std::uint64_t>(scene.volume->solidVoxels(), 1));
}

void matrix(benchmark::internal::Benchmark* benchmark) {
    benchmark->ArgNames({"scene", "side", "structure", "shadows"});
    for (const std::int64_t side : {64, 256, 1024, 2048}) {
        for (std::int64_t scene = 0; scene < 4; ++scene) {
            for (std::int64_t structure = 0; structure < 2; ++structure) {
                for (std::int64_t shadows = 0; shadows < 2; ++shadows) {
                    benchmark->Args({scene, side, structure, shadows});
                }
            }
        }
    }
}
BENCHMARK(BM_VoxelRayMarch)
    ->Apply(matrix)
    ->Iterations(100)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
