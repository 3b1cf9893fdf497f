// The benchmark matrix without a GPU: expansion, shards that split it exactly, and the errors
// of a bad matrix; and one measured run on lavapipe.
#include "vixen/nodes/voxel_bench.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "gpu_graph_fixture.hpp"

namespace vixen::nodes {
namespace {

TEST(VoxelBenchMatrixTest, ExpandsEveryCombinationOnceInAFixedOrder) {
    VoxelBenchMatrix matrix;
    matrix.shadows = {false, true};
    const auto all = matrix.expand();
    // Compute and fragment over three structures, ray tracing over the brick map alone.
    constexpr std::size_t kPerSceneAndSide = (2 * 3 + 1) * 2 * 2;
    EXPECT_EQ(all.size(), kPerSceneAndSide * 4 * 4);
    std::set<std::string> ids;
    std::size_t traced = 0;
    for (const auto& config : all) {
        ids.insert(config.id());
        if (config.pipeline == "raytracing") {
            ++traced;
            EXPECT_EQ(config.structure, voxel::Structure::BrickMap) << config.id();
        }
    }
    EXPECT_EQ(traced, 2U * 2 * 4 * 4);
    EXPECT_EQ(ids.size(), all.size()) << "ids are unique";
    EXPECT_EQ(all.front().id(), "compute-brickmap-cornell-64-1280x720");
    EXPECT_EQ(all[1].id(), "compute-brickmap-cornell-64-1280x720-shadows");
    // Grouped by scene and resolution: a scene is built once for its configurations.
    EXPECT_EQ(all[kPerSceneAndSide - 1].voxels, 64U);
    EXPECT_EQ(all[kPerSceneAndSide].scene, "cornell");
    EXPECT_EQ(all[kPerSceneAndSide].voxels, 256U);
    EXPECT_EQ(matrix.expand().back().id(), all.back().id());
}

TEST(VoxelBenchMatrixTest, AFileSceneRunsAtItsOwnSizeOnce) {
    const std::filesystem::path file =
        std::filesystem::temp_directory_path() / "vixen-bench-matrix-test.vox";
    std::ofstream(file) << "a file that exists";
    VoxelBenchMatrix matrix;
    matrix.scenes = {"cornell", "file:" + file.string()};
    matrix.structures = {voxel::Structure::BrickMap};
    matrix.pipelines = {"compute"};
    matrix.sizes = {{64, 48}};
    ASSERT_TRUE(matrix.validate());
    const auto all = matrix.expand();
    ASSERT_EQ(all.size(), matrix.voxels.size() + 1) << "the file once, not once per resolution";
    EXPECT_TRUE(all.back().fromFile());
    EXPECT_EQ(all.back().voxels, 0U);
    EXPECT_EQ(all.back().id(), "compute-brickmap-file-vixen-bench-matrix-test-native-64x48");
    std::filesystem::remove(file);
    const Result<void> missing = matrix.validate();
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("is not a file that exists"), std::string::npos)
        << missing.error().message;
}

TEST(VoxelBenchMatrixTest, AMeshFileRunsAtEachOfTheMatrixSizes) {
    const std::filesystem::path file =
        std::filesystem::temp_directory_path() / "vixen-bench-matrix-test.obj";
    std::ofstream(file) << "a file that exists";
    VoxelBenchMatrix matrix;
    matrix.scenes = {"file:" + file.string()};
    matrix.structures = {voxel::Structure::BrickMap};
    matrix.pipelines = {"compute"};
    matrix.sizes = {{64, 48}};
    matrix.voxels = {64, 256};
    ASSERT_TRUE(matrix.validate());
    const auto all = matrix.expand();
    std::filesystem::remove(file);
    ASSERT_EQ(all.size(), 2U) << "a mesh has no size of its own";
    EXPECT_EQ(all[0].voxels, 64U);
    EXPECT_EQ(all[1].sceneRequest().side, 256U);
    EXPECT_EQ(all[1].id(), "compute-brickmap-file-vixen-bench-matrix-test-256-64x48");
}

TEST(VoxelBenchMatrixTest, ShardsSplitTheMatrixExactly) {
    const auto all = VoxelBenchMatrix{}.expand();
    std::multiset<std::string> seen;
    for (std::uint32_t k = 1; k <= 5; ++k) {
        for (const auto& config : shardOf(all, k, 5)) {
            seen.insert(config.id());
        }
    }
    EXPECT_EQ(seen.size(), all.size());
    for (const auto& config : all) {
        EXPECT_EQ(seen.count(config.id()), 1U) << config.id();
    }
    EXPECT_EQ(shardOf(all, 1, 1).size(), all.size());
}

TEST(VoxelBenchMatrixTest, ABadMatrixNamesWhatIsWrong) {
    const auto errorOf = [](VoxelBenchMatrix matrix) {
        const Result<void> valid = matrix.validate();
        return valid ? std::string() : valid.error().message;
    };
    EXPECT_EQ(errorOf({}), "");
    VoxelBenchMatrix matrix;
    matrix.pipelines = {"compute", "raytrace"};
    EXPECT_NE(
        errorOf(matrix).find("unknown pipeline 'raytrace' (known: compute, fragment, raytracing)"),
        std::string::npos);
    matrix = {};
    matrix.pipelines = {"raytracing"};
    matrix.structures = {voxel::Structure::Octree};
    EXPECT_NE(errorOf(matrix).find("traces the brickmap structure only"), std::string::npos);
    matrix = {};
    matrix.scenes.clear();
    EXPECT_NE(errorOf(matrix).find("empty: 'scenes' lists nothing"), std::string::npos);
    matrix = {};
    matrix.scenes = {"sponza"};
    EXPECT_NE(errorOf(matrix).find("unknown scene 'sponza'"), std::string::npos);
    matrix = {};
    matrix.voxels = {64, 8192};
    EXPECT_NE(errorOf(matrix).find("voxels: 8192 is outside 8..4096"), std::string::npos);
    matrix = {};
    matrix.sizes = {{1920, 0}};
    EXPECT_NE(errorOf(matrix).find("sizes: 1920x0"), std::string::npos);
    matrix = {};
    matrix.frames = 0;
    EXPECT_NE(errorOf(matrix).find("frames: at least 1"), std::string::npos);
}

TEST_F(GpuGraphTest, ABenchmarkRunMeasuresTheRayMarchOnTheGpu) {
    const VoxelBenchConfig config{"compute", voxel::Structure::Octree, "cornell", 32, 64, 48, true};
    auto scene = buildVoxelScene(config.sceneRequest());
    ASSERT_TRUE(scene);
    gpu::BudgetManager budget(device_->physical());
    gpu::DeviceMemoryAllocator allocator(*device_, budget);
    auto run = runVoxelBenchmark(*device_, allocator, graphBudgetFrom(budget, *device_), *scene,
                                 config, 2, 0.0, 12);
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->gpuMs.count + run->untimedFrames, 12U);
    EXPECT_GT(run->gpuMs.count, 0U);
    EXPECT_GT(run->gpuMs.median, 0.0);
    EXPECT_EQ(run->cpuMs.count, 12U);
    EXPECT_GT(run->graysPerSecond, 0.0);
    EXPECT_GT(run->coarsePerPixel, 0.0) << "counted by the GPU";
    EXPECT_GT(run->hitFraction, 0.5) << "the Cornell box fills most of its front view";
    EXPECT_GT(run->deviceBytes, scene->words->size() * 4);
}

}  // namespace
}  // namespace vixen::nodes
