// Real files nobody here wrote, rendered on lavapipe and checked against the CPU reference
// tracer pixel by pixel: the MagicaVoxel examples of the parse-magica-voxel npm package, and
// the Stanford bunny and the Utah teapot (npm packages bunny and teapot) voxelized solid.
// Fetched at test time (scripts/fetch-test-data.sh); skipped with a message when they are not.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "../voxel/voxel_test_data.hpp"
#include "gpu_graph_fixture.hpp"
#include "vixen/nodes/voxel_nodes.hpp"
#include "vixen/voxel/brick_map.hpp"
#include "vixen/voxel/scene_files.hpp"
#include "voxel_render_support.hpp"

namespace vixen::nodes {
namespace {

class VoxRealFileRenderTest : public GpuGraphTest {
protected:
    /// The scene in `file` rendered from an orbit agrees with the CPU oracle, and shows the
    /// model on at least 1/`inViewShare` of the pixels.
    void expectRendersAsTheOracleTracesIt(const std::filesystem::path& file,
                                          const voxel::SceneFileOptions& options,
                                          std::uint32_t inViewShare) {
        auto scene = voxel::openSceneFile(file, options);
        ASSERT_TRUE(scene) << scene.error().message;
        auto volume = voxel::BrickVolume::build(**scene);
        ASSERT_TRUE(volume);
        auto words =
            std::make_shared<std::vector<std::uint32_t>>(voxel::buildBrickMap(*volume).words);
        const Rendered frame =
            render(makeGraph(), words, VoxelStructure::BrickMap, volume->size(), 0.7F, false);
        ASSERT_EQ(frame.depth.size(), std::size_t{kWidth} * kHeight);
        const Agreement a = compareWithOracle(*volume, frame);
        EXPECT_GE(a.maskAgrees, a.pixels * 999 / 1000);
        EXPECT_GT(a.bothHit, a.pixels / inViewShare) << "the model is in view";
        EXPECT_GE(a.voxelAgrees, a.bothHit * 995 / 1000);
    }
};

TEST_F(VoxRealFileRenderTest, TheMagicaVoxelExamplesRenderAsTheOracleTracesThem) {
    const auto examples = voxel::testing::magicaVoxelExamples();
    if (examples.empty()) {
        GTEST_SKIP() << voxel::testing::kExamplesNotFetched;
    }
    for (const std::filesystem::path& file : examples) {
        SCOPED_TRACE(file.filename().string());
        expectRendersAsTheOracleTracesIt(file, {}, 50);
    }
    EXPECT_GE(examples.size(), 3U);
}

TEST_F(VoxRealFileRenderTest, TheBunnyAndTheTeapotRenderAsTheOracleTracesThem) {
    const std::filesystem::path meshes = std::filesystem::path(VIXEN_TEST_DATA_DIR) / "meshes";
    for (const std::string name : {"bunny", "teapot"}) {
        SCOPED_TRACE(name);
        const std::filesystem::path file = meshes / (name + ".obj");
        if (!std::filesystem::exists(file)) {
            GTEST_SKIP() << "the " << name << " npm package was not fetched or converted "
                         << "(scripts/fetch-test-data.sh: npm registry unreachable, or no node?)";
        }
        expectRendersAsTheOracleTracesIt(file, {.meshVoxels = 96, .solid = true}, 20);
    }
}

}  // namespace
}  // namespace vixen::nodes
