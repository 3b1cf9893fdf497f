// Meshes into voxels on the CPU (TBB, every core):
// - BM_VoxelizeMesh/solid:S: a closed torus of 1,000,000 triangles (1000 rings of 500
//   segments, made once) voxelized at 1024 voxels along its longest side, the surface only
//   (S = 0) or filled (S = 1). Counters: triangles, surface and solid voxels.
#include <benchmark/benchmark.h>

#include "vixen/voxel/mesh_voxelizer.hpp"

namespace {

using namespace vixen::voxel;

void BM_VoxelizeMesh(benchmark::State& state) {
    static const TriangleMesh torus = makeTorusMesh(1000, 500, 3.0F, 1.0F, true);
    MeshVoxelOptions options;
    options.voxels = 1024;
    options.solid = state.range(0) != 0;
    MeshVoxelStats stats;
    for (auto _ : state) {
        auto voxelized = voxelizeMesh(torus, options, "torus");
        if (!voxelized) {
            state.SkipWithError(voxelized.error().message.c_str());
            return;
        }
        stats = voxelized->stats;
        benchmark::DoNotOptimize(voxelized->scene.get());
    }
    state.counters["triangles"] = static_cast<double>(stats.triangles);
    state.counters["surface_voxels"] = static_cast<double>(stats.surfaceVoxels);
    state.counters["solid_voxels"] = static_cast<double>(stats.solidVoxels);
}
BENCHMARK(BM_VoxelizeMesh)
    ->ArgName("solid")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace
