// The ray marchers of every pipeline (compute, fragment; ray tracing where the device has it,
// which lavapipe has not) and every structure (brick map, octree, and NanoVDB's grid walked by
// its HDDA) on lavapipe (validation and synchronization validation on) against the CPU
// reference tracer, pixel by pixel: the hit mask on at least 99.9 % of the pixels, the hit
// voxel on at least 99.5 % of those both hit, the depth within 1e-3 voxels where the voxel
// agrees. Every scene.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../voxel/voxel_test_scenes.hpp"
#include "gpu_graph_fixture.hpp"
#include "vixen/events/engine_events.hpp"
#include "vixen/nodes/png.hpp"
#include "vixen/nodes/voxel_nodes.hpp"
#include "vixen/voxel/brick_map.hpp"
#include "vixen/voxel/procedural.hpp"
#include "vixen/voxel/sparse_octree.hpp"
#include "vixen/voxel/structure.hpp"
#include "voxel_render_support.hpp"

namespace vixen::nodes {
namespace {

struct Case {
    std::string_view scene;
    VoxelStructure structure;
    std::int32_t side;
    VoxelPipeline pipeline = VoxelPipeline::Compute;
};

class VoxelRenderTest : public GpuGraphTest, public ::testing::WithParamInterface<Case> {};

TEST_P(VoxelRenderTest, TheGpuAgreesWithTheCpuOracleOnEveryPixel) {
    const Case c = GetParam();
    if (c.pipeline == VoxelPipeline::RayTracing && !device_->enabled().rayTracingPipeline) {
        GTEST_SKIP() << "device '" << physical_->name << "' has no ray-tracing pipelines";
    }
    const voxel::Int3 size{c.side, c.side, c.side};
    auto scene = voxel::makeProceduralScene(c.scene, size, 5);
    ASSERT_TRUE(scene);
    auto volume = voxel::BrickVolume::build(**scene);
    ASSERT_TRUE(volume);
    auto words =
        std::make_shared<std::vector<std::uint32_t>>(voxel::buildStructure(*volume, c.structure));
    GpuGraph& gpu = makeGraph();
    for (const float angle : {0.3F, 2.2F}) {
        const Rendered frame = render(gpu, words, c.structure, size, angle, false, c.pipeline);
        ASSERT_EQ(frame.depth.size(), std::size_t{kWidth} * kHeight);
        const Agreement a = compareWithOracle(*volume, frame);
        EXPECT_GE(a.maskAgrees, a.pixels * 999 / 1000)
            << c.scene << ": hit mask agrees on " << a.maskAgrees << " of " << a.pixels;
        EXPECT_GT(a.bothHit, a.pixels / 10) << c.scene << ": the view shows little of the scene";
        EXPECT_GE(a.voxelAgrees, a.bothHit * 995 / 1000)
            << c.scene << ": hit voxel agrees on " << a.voxelAgrees << " of " << a.bothHit;
        EXPECT_LE(a.worstDepth, 1e-3) << c.scene;
        // Every ray that hit counts at least the voxel it hit, and more than that overall.
        std::uint64_t steps = 0;
        std::uint32_t hitsWithoutSteps = 0;
        for (std::size_t i = 0; i < frame.steps.size(); ++i) {
            const std::uint32_t s = frame.steps[i];
            steps += (s >> 16U) + (s & 0xFFFFU);
            hitsWithoutSteps += frame.depth[i] >= 0.0F && (s & 0xFFFFU) == 0 ? 1U : 0U;
        }
        EXPECT_EQ(hitsWithoutSteps, 0U);
        EXPECT_GT(steps, std::uint64_t{a.bothHit}) << "rays count their steps";
        gpu.graph.cleanup();
        for (const char* name : {"scene", "camera", "ray march", "color", "depth", "steps"}) {
            ASSERT_TRUE(gpu.graph.removeNode(gpu.graph.findNode(name)->id()));
        }
    }
}

std::vector<Case> allCases() {
    std::vector<Case> cases;
    for (const std::string_view scene : voxel::proceduralSceneNames()) {
        for (const VoxelStructure structure :
             {VoxelStructure::BrickMap, VoxelStructure::Octree, VoxelStructure::NanoVdb}) {
            for (const VoxelPipeline pipeline : {VoxelPipeline::Compute, VoxelPipeline::Fragment}) {
                cases.push_back({scene, structure, 48, pipeline});
            }
        }
    }
    for (const std::string_view scene : voxel::proceduralSceneNames()) {
        cases.push_back({scene, VoxelStructure::BrickMap, 48, VoxelPipeline::RayTracing});
    }
    cases.push_back({"cityscape", VoxelStructure::BrickMap, 128, VoxelPipeline::RayTracing});
    cases.push_back({"cityscape", VoxelStructure::BrickMap, 128});
    cases.push_back({"noise", VoxelStructure::Octree, 128});
    cases.push_back({"cornell", VoxelStructure::Octree, 32});
    cases.push_back({"tunnels", VoxelStructure::NanoVdb, 128});
    cases.push_back({"cityscape", VoxelStructure::NanoVdb, 512});
    return cases;
}

INSTANTIATE_TEST_SUITE_P(Scenes, VoxelRenderTest, ::testing::ValuesIn(allCases()),
                         [](const ::testing::TestParamInfo<Case>& param) {
                             const VoxelPipeline pipeline = param.param.pipeline;
                             return std::string(param.param.scene) +
                                    std::string(voxel::structureName(param.param.structure)) +
                                    std::to_string(param.param.side) +
                                    (pipeline == VoxelPipeline::Fragment     ? "Fragment"
                                     : pipeline == VoxelPipeline::RayTracing ? "RayTracing"
                                                                             : "");
                         });

}  // namespace
}  // namespace vixen::nodes

namespace vixen::nodes {
namespace {

/// The pipelines `device` runs: ray tracing only where it has ray-tracing pipelines.
std::vector<VoxelPipeline> pipelinesOn(const gpu::Device& device) {
    std::vector<VoxelPipeline> pipelines{VoxelPipeline::Compute, VoxelPipeline::Fragment};
    if (device.enabled().rayTracingPipeline) {
        pipelines.push_back(VoxelPipeline::RayTracing);
    }
    return pipelines;
}

class VoxelSteadyStateTest : public GpuGraphTest {
protected:
    [[nodiscard]] bool validation() const override { return false; }
};

TEST_F(VoxelSteadyStateTest, FramesWithAMovingCameraAllocateNothingAndCreateNothing) {
    const voxel::Int3 size{64, 64, 64};
    auto volume = voxel::BrickVolume::build(**voxel::makeProceduralScene("cityscape", size));
    ASSERT_TRUE(volume);
    for (const VoxelPipeline pipeline : pipelinesOn(*device_)) {
        for (const VoxelStructure structure :
             {VoxelStructure::BrickMap, VoxelStructure::Octree, VoxelStructure::NanoVdb}) {
            if (pipeline == VoxelPipeline::RayTracing && structure != VoxelStructure::BrickMap) {
                continue;  // it boxes the brick map's bricks only
            }
            GpuGraph& gpu = makeGraph();
            auto words = std::make_shared<std::vector<std::uint32_t>>(
                voxel::buildStructure(*volume, structure));
            const GpuImageShape shape{64, 48, false, false};
            // The camera orbits a little further every frame: its constants stream each frame.
            const VoxelRenderer renderer = addVoxelRenderer(
                gpu.graph, *gpu.runtime, words,
                [size](std::uint64_t frame) {
                    return voxel::Camera::orbit(size, 0.01F * static_cast<float>(frame));
                },
                shape, structure, VoxelShading{.shadows = true}, nullptr, pipeline);
            auto color = gpu.graph.addNode<GpuReadbackNode>("color", *gpu.runtime);
            renderer.connect(gpu.graph, VoxelOutput::Color, color, GpuReadbackConfig::image);
            ASSERT_TRUE(gpu.graph.compile());
            expectSteadyFrames(gpu, 100);
            const auto& node =
                static_cast<const VoxelCameraNode&>(gpu.graph.node(renderer.camera.id));
            EXPECT_NE(node.lastConstants().eye,
                      voxel::cameraConstants(voxel::Camera::orbit(size, 0.0F), 64, 48).eye)
                << "the camera moved";
            EXPECT_EQ(
                static_cast<const VoxelSceneNode&>(gpu.graph.node(renderer.scene.id)).uploads(),
                1U);
            ASSERT_TRUE(gpu.runtime->waitIdle());
        }
    }
}

TEST_F(VoxelSteadyStateTest, AResizeKeepsTheSceneAndUploadsNothingAgain) {
    const voxel::Int3 size{32, 32, 32};
    auto volume = voxel::BrickVolume::build(**voxel::makeProceduralScene("cornell", size));
    ASSERT_TRUE(volume);
    auto words = std::make_shared<std::vector<std::uint32_t>>(voxel::buildBrickMap(*volume).words);
    for (const VoxelPipeline pipeline : pipelinesOn(*device_)) {
        GpuGraph& gpu = makeGraph();
        const GpuImageShape shape{48, 32, true, false};
        const VoxelRenderer renderer = addVoxelRenderer(
            gpu.graph, *gpu.runtime, words,
            [size](std::uint64_t) { return voxel::Camera::orbit(size, 0.0F, 0.0F); }, shape,
            VoxelStructure::BrickMap, {}, nullptr, pipeline);
        auto color = gpu.graph.addNode<GpuReadbackNode>("color", *gpu.runtime);
        renderer.connect(gpu.graph, VoxelOutput::Color, color, GpuReadbackConfig::image);
        ASSERT_TRUE(gpu.graph.compile());
        ASSERT_TRUE(gpu.runtime->frame());
        ASSERT_TRUE(gpu.graph.events().emit(events::WindowResized{80, 40}));
        ASSERT_TRUE(gpu.runtime->frame());
        ASSERT_TRUE(gpu.runtime->waitIdle());
        const auto& readback = static_cast<const GpuReadbackNode&>(gpu.graph.node(color.id));
        EXPECT_EQ(readback.width(), 80U);
        EXPECT_EQ(readback.height(), 40U);
        EXPECT_EQ(static_cast<const VoxelSceneNode&>(gpu.graph.node(renderer.scene.id)).uploads(),
                  1U);
        EXPECT_EQ(gpu.runtime->rebuildStats().waited, 0U)
            << "the voxel nodes retire what they replace";
    }
}

TEST_F(GpuGraphTest, AnEmptySceneShowsOnlySkyInEveryStructure) {
    const voxel::Int3 size{24, 24, 24};
    auto volume = voxel::BrickVolume::build(
        voxel::testing::FunctionScene(size, [](voxel::Int3) { return voxel::kEmpty; }));
    ASSERT_TRUE(volume);
    for (const VoxelStructure structure :
         {VoxelStructure::BrickMap, VoxelStructure::Octree, VoxelStructure::NanoVdb}) {
        auto words =
            std::make_shared<std::vector<std::uint32_t>>(voxel::buildStructure(*volume, structure));
        for (const VoxelPipeline pipeline : pipelinesOn(*device_)) {
            if (pipeline == VoxelPipeline::RayTracing && structure != VoxelStructure::BrickMap) {
                continue;
            }
            const Rendered frame =
                render(makeGraph(), words, structure, size, 0.4F, true, pipeline);
            ASSERT_EQ(frame.depth.size(), std::size_t{kWidth} * kHeight);
            EXPECT_TRUE(std::ranges::all_of(frame.depth, [](float depth) { return depth < 0.0F; }))
                << voxel::structureName(structure) << " " << pipelineName(pipeline);
        }
    }
}

TEST_F(GpuGraphTest, TheRayTracingPipelineShadesAsComputeDoesOrIsRefusedByName) {
    const voxel::Int3 size{48, 48, 48};
    auto volume = voxel::BrickVolume::build(**voxel::makeProceduralScene("noise", size, 3));
    ASSERT_TRUE(volume);
    auto words = std::make_shared<std::vector<std::uint32_t>>(
        voxel::buildStructure(*volume, VoxelStructure::BrickMap));
    GpuGraph& gpu = makeGraph();
    const GpuImageShape shape{kWidth, kHeight, false, false};
    if (!device_->enabled().rayTracingPipeline) {
        // Refused at compile with the device named; the graph stays usable without it.
        const VoxelRenderer renderer = addVoxelRenderer(
            gpu.graph, *gpu.runtime, words,
            [size](std::uint64_t) { return voxel::Camera::orbit(size, 1.1F); }, shape,
            VoxelStructure::BrickMap, {}, nullptr, VoxelPipeline::RayTracing);
        gpu.graph.setKeepAlive(renderer.marchId());
        const Result<void> compiled = gpu.graph.compile();
        ASSERT_FALSE(compiled);
        const std::string report = gpu.graph.report().describe(gpu.graph);
        EXPECT_NE(report.find("has no ray-tracing pipelines"), std::string::npos) << report;
        EXPECT_NE(report.find(physical_->name), std::string::npos) << report;
        gpu.graph.cleanup();
        for (const char* name : {"scene", "camera", "ray march"}) {
            ASSERT_TRUE(gpu.graph.removeNode(gpu.graph.findNode(name)->id()));
        }
        const Rendered compute = render(gpu, words, VoxelStructure::BrickMap, size, 1.1F, true);
        EXPECT_EQ(compute.depth.size(), std::size_t{kWidth} * kHeight);
        return;
    }
    // Shadows on: both rays of a pixel go through traceRayEXT.
    const Rendered compute = render(makeGraph(), words, VoxelStructure::BrickMap, size, 1.1F, true);
    const Rendered traced = render(makeGraph(), words, VoxelStructure::BrickMap, size, 1.1F, true,
                                   VoxelPipeline::RayTracing);
    ASSERT_EQ(traced.color.size(), compute.color.size());
    std::size_t same = 0;
    for (std::size_t i = 0; i < compute.color.size(); i += 4) {
        same += std::equal(compute.color.begin() + static_cast<std::ptrdiff_t>(i),
                           compute.color.begin() + static_cast<std::ptrdiff_t>(i + 4),
                           traced.color.begin() + static_cast<std::ptrdiff_t>(i))
                    ? 1U
                    : 0U;
    }
    EXPECT_GE(same, std::size_t{kWidth} * kHeight * 99 / 100);
    // A structure other than the brick map is refused by name.
    auto octree = std::make_shared<std::vector<std::uint32_t>>(
        voxel::buildStructure(*volume, VoxelStructure::Octree));
    GpuGraph& other = makeGraph();
    const VoxelRenderer refused = addVoxelRenderer(
        other.graph, *other.runtime, octree,
        [size](std::uint64_t) { return voxel::Camera::orbit(size, 1.1F); }, shape,
        VoxelStructure::Octree, {}, nullptr, VoxelPipeline::RayTracing);
    other.graph.setKeepAlive(refused.marchId());
    EXPECT_FALSE(other.graph.compile());
    const std::string report = other.graph.report().describe(other.graph);
    EXPECT_NE(report.find("traces the brick map's bricks"), std::string::npos) << report;
}

TEST_F(GpuGraphTest, TheComputeAndFragmentPipelinesWriteTheSameImages) {
    const voxel::Int3 size{48, 48, 48};
    auto volume = voxel::BrickVolume::build(**voxel::makeProceduralScene("noise", size, 3));
    ASSERT_TRUE(volume);
    for (const VoxelStructure structure :
         {VoxelStructure::BrickMap, VoxelStructure::Octree, VoxelStructure::NanoVdb}) {
        auto words =
            std::make_shared<std::vector<std::uint32_t>>(voxel::buildStructure(*volume, structure));
        const Rendered compute =
            render(makeGraph(), words, structure, size, 1.1F, true, VoxelPipeline::Compute);
        const Rendered fragment =
            render(makeGraph(), words, structure, size, 1.1F, true, VoxelPipeline::Fragment);
        ASSERT_EQ(compute.color.size(), std::size_t{kWidth} * kHeight * 4);
        EXPECT_EQ(compute.color, fragment.color) << voxel::structureName(structure);
        EXPECT_EQ(compute.depth, fragment.depth) << voxel::structureName(structure);
        EXPECT_EQ(compute.steps, fragment.steps) << voxel::structureName(structure);
    }
}

}  // namespace
}  // namespace vixen::nodes

namespace vixen::nodes {
namespace {

// Golden images: every scene at 48^3 voxels, 96x64 pixels, shadows on, rendered from every
// structure (NanoVDB's grid too) through both pipelines and compared with
// tests/nodes/golden/voxel_<scene>.png. Tolerance: at most 0.5 % of the pixels may differ by more
// than 3 (of 255) in a channel, where rounding decides a silhouette or shadow edge differently.
// VIXEN_UPDATE_GOLDENS=1 writes the brick map's images as the new goldens (look at them before
// committing).
class VoxelGoldenTest : public GpuGraphTest,
                        public ::testing::WithParamInterface<std::string_view> {};

TEST_P(VoxelGoldenTest, EveryStructureAndPipelineRendersTheGoldenImage) {
    const std::string_view name = GetParam();
    const voxel::Int3 size{48, 48, 48};
    auto volume = voxel::BrickVolume::build(**voxel::makeProceduralScene(name, size, 5));
    ASSERT_TRUE(volume);
    const std::string golden =
        std::string(VIXEN_GOLDEN_DIR) + "/voxel_" + std::string(name) + ".png";
    const bool update = std::getenv("VIXEN_UPDATE_GOLDENS") != nullptr;
    for (const auto& [structure, pipeline] :
         {std::pair{VoxelStructure::BrickMap, VoxelPipeline::Compute},
          std::pair{VoxelStructure::Octree, VoxelPipeline::Compute},
          std::pair{VoxelStructure::NanoVdb, VoxelPipeline::Compute},
          std::pair{VoxelStructure::BrickMap, VoxelPipeline::Fragment},
          std::pair{VoxelStructure::Octree, VoxelPipeline::Fragment},
          std::pair{VoxelStructure::NanoVdb, VoxelPipeline::Fragment}}) {
        GpuGraph& gpu = makeGraph();
        auto words =
            std::make_shared<std::vector<std::uint32_t>>(voxel::buildStructure(*volume, structure));
        const Rendered frame = render(gpu, words, structure, size, 0.6F, true, pipeline);
        ASSERT_EQ(frame.color.size(), std::size_t{kWidth} * kHeight * 4);
        if (update && structure == VoxelStructure::BrickMap && pipeline == VoxelPipeline::Compute) {
            ASSERT_TRUE(writePngRgba8(golden, kWidth, kHeight, frame.color));
        }
        auto expected = readPngRgba8(golden);
        ASSERT_TRUE(expected) << expected.error().message << " (VIXEN_UPDATE_GOLDENS=1 writes it)";
        ASSERT_EQ(expected->width, kWidth);
        ASSERT_EQ(expected->height, kHeight);
        std::uint32_t off = 0;
        for (std::size_t p = 0; p < frame.color.size(); p += 4) {
            int worst = 0;
            for (std::size_t c = 0; c < 4; ++c) {
                worst = std::max(worst, std::abs(static_cast<int>(frame.color[p + c]) -
                                                 static_cast<int>(expected->pixels[p + c])));
            }
            off += worst > 3 ? 1U : 0U;
        }
        EXPECT_LE(off, kWidth * kHeight / 200)
            << name << " (" << voxel::structureName(structure) << ", " << pipelineName(pipeline)
            << "): " << off << " pixels differ from " << golden;
    }
}

INSTANTIATE_TEST_SUITE_P(Scenes, VoxelGoldenTest,
                         ::testing::Values("cornell", "noise", "tunnels", "cityscape"),
                         [](const ::testing::TestParamInfo<std::string_view>& param) {
                             return std::string(param.param);
                         });

}  // namespace
}  // namespace vixen::nodes

namespace vixen::nodes {
namespace {

/// Solid boxes in a large, mostly empty volume: what makes a deep octree.
class BoxesScene final : public voxel::SceneSource {
public:
    BoxesScene(voxel::Int3 size, std::vector<voxel::Box> boxes)
        : size_(size), boxes_(std::move(boxes)) {
        static_cast<void>(palette_.add(voxel::Material{{0.8F, 0.3F, 0.2F}, {}, 1.0F, "box"}));
    }
    [[nodiscard]] voxel::Int3 size() const noexcept override { return size_; }
    [[nodiscard]] const voxel::Palette& palette() const noexcept override { return palette_; }
    [[nodiscard]] voxel::BoxContent classify(const voxel::Box& box) const override {
        bool any = false;
        for (const voxel::Box& b : boxes_) {
            if (b.containsBox(box)) {
                return voxel::BoxContent::solid(1);
            }
            any = any || b.overlaps(box);
        }
        return any ? voxel::BoxContent::mixed() : voxel::BoxContent::empty();
    }
    void fillBrick(voxel::Int3 origin,
                   std::span<voxel::MaterialId, voxel::kBrickVoxels> materials) const override {
        for (std::int32_t i = 0; i < voxel::kBrickVoxels; ++i) {
            const voxel::Int3 p = origin + voxel::Int3{i % 8, (i / 8) % 8, i / 64};
            bool solid = false;
            for (const voxel::Box& b : boxes_) {
                solid = solid || b.contains(p);
            }
            materials[static_cast<std::size_t>(i)] = solid ? 1 : voxel::kEmpty;
        }
    }

private:
    voxel::Int3 size_;
    std::vector<voxel::Box> boxes_;
    voxel::Palette palette_;
};

TEST_F(GpuGraphTest, TheOctreeMarcherReachesTheDeepestLevelOfA4096CubedVolume) {
    // 4096^3 voxels: 512 bricks a side, nine levels of nodes. A thin floor wide enough to
    // fill much of the view, and boxes, none aligned to bricks.
    const voxel::Int3 size{4096, 4096, 4096};
    const BoxesScene scene(size, {voxel::Box{{1001, 1001, 1003}, {3001, 1004, 2999}},
                                  voxel::Box{{1203, 1004, 2101}, {1503, 1350, 2401}},
                                  voxel::Box{{2900, 1200, 700}, {3190, 1500, 1001}},
                                  voxel::Box{{500, 3000, 3500}, {800, 3300, 3790}}});
    auto volume = voxel::BrickVolume::build(scene);
    ASSERT_TRUE(volume) << volume.error().message;
    auto words = std::make_shared<std::vector<std::uint32_t>>(
        voxel::buildStructure(*volume, VoxelStructure::Octree));
    ASSERT_EQ((*words)[voxel::SparseOctreeHeader::Depth], 9U);
    GpuGraph& gpu = makeGraph();
    const Rendered frame = render(gpu, words, VoxelStructure::Octree, size, 0.8F, false);
    ASSERT_EQ(frame.depth.size(), std::size_t{kWidth} * kHeight);
    const Agreement a = compareWithOracle(*volume, frame);
    EXPECT_GE(a.maskAgrees, a.pixels * 999 / 1000);
    EXPECT_GT(a.bothHit, 200U) << "the floor and the boxes are in view";
    // At 6000 voxels from the eye, floats are 5e-4 apart: the voxel found a thousandth past
    // the GPU's depth is then a matter of rounding at edges, hence 98 % here.
    EXPECT_GE(a.voxelAgrees, a.bothHit * 98 / 100);
    EXPECT_LE(a.worstDepth, 1e-3 * 8) << "distances of thousands of voxels, in float";
}

TEST_F(GpuGraphTest, ASceneLargerThanTheLargestStorageBufferFailsItsCompileNamingTheLimit) {
    // The shaders bind a scene as one storage buffer: past maxStorageBufferRange (128 MiB on
    // lavapipe) the scene node refuses, and the graph stays usable.
    const std::uint32_t range = device_->physical().limits.maxStorageBufferRange;
    auto words = std::make_shared<std::vector<std::uint32_t>>(std::size_t{range} / 4 + 1, 0U);
    GpuGraph& gpu = makeGraph();
    const GpuImageShape shape{32, 32, false, false};
    const voxel::Int3 size{64, 64, 64};
    const VoxelRenderer renderer = addVoxelRenderer(
        gpu.graph, *gpu.runtime, words,
        [size](std::uint64_t) { return voxel::Camera::orbit(size, 0.0F); }, shape,
        VoxelStructure::BrickMap);
    auto color = gpu.graph.addNode<GpuReadbackNode>("color", *gpu.runtime);
    renderer.connect(gpu.graph, VoxelOutput::Color, color, GpuReadbackConfig::image);
    const Result<void> compiled = gpu.graph.compile();
    ASSERT_FALSE(compiled);
    EXPECT_NE(compiled.error().message.find(fmt::format(
                  "node 'scene': the scene's {} bytes exceed the device's largest storage buffer "
                  "({} bytes, maxStorageBufferRange)",
                  words->size() * 4, range)),
              std::string::npos)
        << compiled.error().message;
    EXPECT_FALSE(gpu.graph.compiled());
    EXPECT_FALSE(gpu.graph.compile()) << "the next compile says the same, nothing half-built";
}

}  // namespace
}  // namespace vixen::nodes
