// Voxel scenes on the CPU (TBB, every core):
// - BM_BuildScene/scene:S/side:N builds procedural scene S at N^3 voxels into a BrickVolume.
//   Counters: density (solid fraction), bricks (with a solid voxel), uniform (full bricks of
//   one material, stored without their 512 materials), filled (bricks the scene filled voxel
//   by voxel), bytes_per_solid (the volume's memory over its solid voxels).
// - BM_TraceOracle/scene:S: the CPU reference tracer, one primary ray per pixel of a 256x256
//   view of the 256^3 scene; rays per second and voxels and bricks visited per ray.
#include <benchmark/benchmark.h>

#include <cmath>
#include <string>

#include "vixen/voxel/brick_volume.hpp"
#include "vixen/voxel/procedural.hpp"
#include "vixen/voxel/tracer.hpp"

namespace {

using namespace vixen;
using namespace vixen::voxel;

void BM_BuildScene(benchmark::State& state) {
    const std::string_view name = proceduralSceneNames()[static_cast<std::size_t>(state.range(0))];
    const auto side = static_cast<std::int32_t>(state.range(1));
    state.SetLabel(std::string(name));
    auto scene = makeProceduralScene(name, Int3{side, side, side});
    if (!scene) {
        state.SkipWithError(scene.error().message.c_str());
        return;
    }
    VolumeBuildStats stats;
    std::uint64_t bytes = 0;
    for (auto _ : state) {
        auto volume = BrickVolume::build(**scene, &stats);
        if (!volume) {
            state.SkipWithError(volume.error().message.c_str());
            return;
        }
        bytes = volume->memoryBytes();
        benchmark::DoNotOptimize(volume->brickCount());
    }
    const auto voxels = static_cast<double>(side) * side * side;
    state.counters["density"] = static_cast<double>(stats.solidVoxels) / voxels;
    state.counters["bricks"] = static_cast<double>(stats.bricks);
    state.counters["uniform"] = static_cast<double>(stats.uniformBricks);
    state.counters["filled"] = static_cast<double>(stats.bricksFilled);
    state.counters["bytes_per_solid"] =
        static_cast<double>(bytes) /
        static_cast<double>(std::max<std::uint64_t>(stats.solidVoxels, 1));
}
BENCHMARK(BM_BuildScene)
    ->ArgNames({"scene", "side"})
    ->ArgsProduct({{0, 1, 2, 3}, {128, 512}})
    ->Args({3, 2048})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

void BM_TraceOracle(benchmark::State& state) {
    const std::string_view name = proceduralSceneNames()[static_cast<std::size_t>(state.range(0))];
    state.SetLabel(std::string(name));
    constexpr std::int32_t kSide = 256;
    constexpr std::int32_t kPixels = 256;
    auto volume = BrickVolume::build(**makeProceduralScene(name, Int3{kSide, kSide, kSide}));
    if (!volume) {
        state.SkipWithError(volume.error().message.c_str());
        return;
    }
    // A camera outside the volume, above the front, looking at its middle.
    const std::array<double, 3> eye{kSide * 0.5, kSide * 0.7, kSide * 1.6};
    std::uint64_t rays = 0;
    std::uint64_t hits = 0;
    std::uint64_t voxels = 0;
    std::uint64_t bricks = 0;
    for (auto _ : state) {
        for (std::int32_t y = 0; y < kPixels; ++y) {
            for (std::int32_t x = 0; x < kPixels; ++x) {
                const double u = (x + 0.5) / kPixels - 0.5;
                const double v = 0.5 - (y + 0.5) / kPixels;
                const Ray ray{eye, {u, v - 0.25, -1.0}};
                TraceSteps steps;
                hits += trace(*volume, ray, 1e30, &steps).has_value() ? 1U : 0U;
                voxels += steps.voxels;
                bricks += steps.bricks;
                ++rays;
            }
        }
    }
    state.counters["rays_per_s"] =
        benchmark::Counter(static_cast<double>(rays), benchmark::Counter::kIsRate);
    state.counters["hit_fraction"] = static_cast<double>(hits) / static_cast<double>(rays);
    state.counters["voxels_per_ray"] = static_cast<double>(voxels) / static_cast<double>(rays);
    state.counters["bricks_per_ray"] = static_cast<double>(bricks) / static_cast<double>(rays);
}
BENCHMARK(BM_TraceOracle)
    ->ArgName("scene")
    ->DenseRange(0, 3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
