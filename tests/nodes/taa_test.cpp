// Temporal accumulation on lavapipe (validation and synchronization validation on): after 16
// still frames of a Halton-jittered camera the TAA image is closer to a 16-samples-per-pixel
// reference (a 4x4 grid of jittered frames, averaged) than the single-sample image is, by a
// margin; a moving camera is reprojected without ghosting past the single-sample error; the
// first frame and the frame after a resize show the current frame; steady frames with TAA
// allocate nothing.
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "gpu_graph_fixture.hpp"
#include "vixen/events/engine_events.hpp"
#include "vixen/nodes/image_metrics.hpp"
#include "vixen/nodes/taa_node.hpp"
#include "vixen/voxel/brick_map.hpp"
#include "vixen/voxel/brick_volume.hpp"
#include "vixen/voxel/procedural.hpp"
#include "vixen/voxel/structure.hpp"
#include "voxel_render_support.hpp"

namespace vixen::nodes {
namespace {

constexpr voxel::Int3 kSize{48, 48, 48};

std::shared_ptr<const std::vector<std::uint32_t>> cornellWords() {
    auto scene = voxel::makeProceduralScene("cornell", kSize, 5);
    EXPECT_TRUE(scene);
    auto volume = voxel::BrickVolume::build(**scene);
    EXPECT_TRUE(volume);
    return std::make_shared<std::vector<std::uint32_t>>(
        voxel::buildStructure(*volume, VoxelStructure::BrickMap));
}

/// The voxel renderer with a jittered camera, reading back its colour and, with TAA, the
/// TAA's resolved image.
struct TaaGraph {
    GpuReadbackNode* color = nullptr;
    GpuReadbackNode* resolved = nullptr;
    TaaNode* taa = nullptr;
};

TaaGraph buildGraph(GpuGraph& gpu, VoxelCameraNode::Path path, voxel::JitterOffsets jitter,
                    bool withTaa, GpuImageShape shape = {kWidth, kHeight, false, false}) {
    const VoxelRenderer renderer = addVoxelRenderer(
        gpu.graph, *gpu.runtime, cornellWords(), std::move(path), shape, VoxelStructure::BrickMap,
        VoxelShading{.shadows = true}, nullptr, VoxelPipeline::Compute, std::move(jitter));
    auto color = gpu.graph.addNode<GpuReadbackNode>("color", *gpu.runtime);
    renderer.connect(gpu.graph, VoxelOutput::Color, color, GpuReadbackConfig::image);
    TaaGraph out{&static_cast<GpuReadbackNode&>(gpu.graph.node(color.id))};
    if (withTaa) {
        auto taa = addTaa(gpu.graph, *gpu.runtime, renderer, shape);
        auto resolved = gpu.graph.addNode<GpuReadbackNode>("resolved", *gpu.runtime);
        gpu.graph.connect(taa, TaaConfig::resolved, resolved, GpuReadbackConfig::image);
        out.resolved = &static_cast<GpuReadbackNode&>(gpu.graph.node(resolved.id));
        out.taa = &static_cast<TaaNode&>(gpu.graph.node(taa.id));
    }
    return out;
}

VoxelCameraNode::Path orbit(float start, float perFrame) {
    return [start, perFrame](std::uint64_t frame) {
        return voxel::Camera::orbit(kSize, start + perFrame * static_cast<float>(frame));
    };
}

class TaaTest : public GpuGraphTest {
protected:
    /// The mean of 16 frames of the view at `angle`, each jittered to one point of a 4x4 grid.
    std::vector<float> reference(float angle) {
        GpuGraph& gpu = makeGraph();
        const TaaGraph graph = buildGraph(gpu, orbit(angle, 0.0F), voxel::gridJitter(4), false);
        EXPECT_TRUE(gpu.graph.compile());
        ImageAverage average;
        for (int frame = 0; frame < 16; ++frame) {
            EXPECT_TRUE(gpu.runtime->frame());
            EXPECT_TRUE(gpu.runtime->waitIdle());
            EXPECT_TRUE(average.add(copyPixels<std::byte>(*graph.color)));
        }
        gpuGraph_.reset();
        return average.mean();
    }

    /// The single-sample image of the view at `angle` (no jitter).
    std::vector<std::byte> singleSample(float angle) {
        GpuGraph& gpu = makeGraph();
        const TaaGraph graph = buildGraph(gpu, orbit(angle, 0.0F), {}, false);
        EXPECT_TRUE(gpu.graph.compile());
        EXPECT_TRUE(gpu.runtime->frame());
        EXPECT_TRUE(gpu.runtime->waitIdle());
        std::vector<std::byte> image = copyPixels<std::byte>(*graph.color);
        gpuGraph_.reset();
        return image;
    }
};

TEST_F(TaaTest, SixteenStillFramesComeCloserToASixteenSampleReferenceThanOneSample) {
    constexpr float kAngle = 0.4F;
    const std::vector<float> supersampled = reference(kAngle);
    const auto single = psnrRgb(supersampled, singleSample(kAngle));
    ASSERT_TRUE(single);

    GpuGraph& gpu = makeGraph();
    const TaaGraph graph = buildGraph(gpu, orbit(kAngle, 0.0F), voxel::haltonJitter(16), true);
    ASSERT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
    std::vector<double> psnrByFrame;
    for (int frame = 0; frame < 16; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame());
        ASSERT_TRUE(gpu.runtime->waitIdle());
        const auto psnr = psnrRgb(supersampled, copyPixels<std::byte>(*graph.resolved));
        ASSERT_TRUE(psnr);
        psnrByFrame.push_back(*psnr);
    }
    std::cout << "PSNR against the 16-sample reference: one sample " << *single
              << " dB, TAA after 1/4/16 still frames " << psnrByFrame[0] << " / " << psnrByFrame[3]
              << " / " << psnrByFrame[15] << " dB\n";
    EXPECT_EQ(graph.taa->framesWithoutHistory(), 1U);
    EXPECT_GE(psnrByFrame[15], *single + 6.0) << "TAA after 16 still frames";
    EXPECT_GT(psnrByFrame[15], psnrByFrame[3]) << "accumulation keeps improving";
}

TEST_F(TaaTest, AMovingCameraIsFollowedAndSettlesWhenItStops) {
    // 12 frames orbiting 0.02 radians a frame (a few pixels: reprojection, clamp and the
    // depth test run), then still.
    constexpr float kStart = 0.2F;
    constexpr float kPerFrame = 0.02F;
    constexpr std::uint64_t kMoving = 12;
    const float finalAngle = kStart + kPerFrame * (kMoving - 1);
    const std::vector<float> supersampled = reference(finalAngle);
    const auto single = psnrRgb(supersampled, singleSample(finalAngle));
    ASSERT_TRUE(single);

    GpuGraph& gpu = makeGraph();
    const TaaGraph graph = buildGraph(
        gpu,
        [=](std::uint64_t frame) {
            return voxel::Camera::orbit(
                kSize, kStart + kPerFrame * static_cast<float>(std::min(frame, kMoving - 1)));
        },
        voxel::haltonJitter(16), true);
    ASSERT_TRUE(gpu.graph.compile());
    std::vector<double> psnrByFrame;
    for (std::uint64_t frame = 0; frame < kMoving + 16; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame());
        ASSERT_TRUE(gpu.runtime->waitIdle());
        psnrByFrame.push_back(*psnrRgb(supersampled, copyPixels<std::byte>(*graph.resolved)));
    }
    const double moving = psnrByFrame[kMoving - 1];
    const double settled = psnrByFrame.back();
    std::cout << "moving camera, PSNR against the final view's 16-sample reference: one sample "
              << *single << " dB, TAA while moving " << moving << " dB, 16 frames after it stopped "
              << settled << " dB\n";
    // Moving, the history is resampled every frame: softer than the reference, not off by more.
    EXPECT_GE(moving, *single - 4.0);
    EXPECT_GE(settled, *single + 3.0);
}

TEST_F(TaaTest, ACameraCutLeavesNoGhostOfTheViewBefore) {
    // Eight still frames of one view, then another: nothing of the first may show.
    GpuGraph& gpu = makeGraph();
    const TaaGraph graph = buildGraph(
        gpu,
        [](std::uint64_t frame) { return voxel::Camera::orbit(kSize, frame < 8 ? 0.4F : 2.2F); },
        voxel::haltonJitter(16), true);
    ASSERT_TRUE(gpu.graph.compile());
    for (int frame = 0; frame < 8; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame());
    }
    ASSERT_TRUE(gpu.runtime->waitIdle());
    const std::vector<std::byte> before = copyPixels<std::byte>(*graph.color);
    ASSERT_TRUE(gpu.runtime->frame());
    ASSERT_TRUE(gpu.runtime->waitIdle());
    ImageAverage current;
    ASSERT_TRUE(current.add(copyPixels<std::byte>(*graph.color)));
    const auto afterCut = psnrRgb(current.mean(), copyPixels<std::byte>(*graph.resolved));
    // What blending the old view in would score: its difference from the new one.
    const auto ghost = psnrRgb(current.mean(), before);
    ASSERT_TRUE(afterCut && ghost);
    std::cout << "the frame after a camera cut against that frame's own image: " << *afterCut
              << " dB (the view before the cut: " << *ghost << " dB)\n";
    // Where the sky stays sky, its accumulated history stays too (no ghost): that is all.
    EXPECT_GE(*afterCut, *ghost + 15.0);
    EXPECT_GE(*afterCut, 30.0);
}

TEST_F(TaaTest, TheFirstFrameAndTheFrameAfterAResizeShowTheCurrentFrame) {
    GpuGraph& gpu = makeGraph();
    const TaaGraph graph = buildGraph(gpu, orbit(0.4F, 0.0F), voxel::haltonJitter(16), true,
                                      GpuImageShape{kWidth, kHeight, true, false});
    ASSERT_TRUE(gpu.graph.compile());
    ASSERT_TRUE(gpu.runtime->frame());
    ASSERT_TRUE(gpu.runtime->waitIdle());
    EXPECT_EQ(copyPixels<std::byte>(*graph.resolved), copyPixels<std::byte>(*graph.color));
    for (int frame = 0; frame < 3; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame());
    }
    ASSERT_TRUE(gpu.runtime->waitIdle());
    EXPECT_NE(copyPixels<std::byte>(*graph.resolved), copyPixels<std::byte>(*graph.color))
        << "accumulating";
    ASSERT_TRUE(gpu.graph.events().emit(events::WindowResized{kWidth / 2, kHeight / 2}));
    ASSERT_TRUE(gpu.runtime->frame());
    ASSERT_TRUE(gpu.runtime->waitIdle());
    const std::vector<std::byte> resized = copyPixels<std::byte>(*graph.resolved);
    EXPECT_EQ(resized.size(), std::size_t{kWidth / 2} * (kHeight / 2) * 4);
    EXPECT_EQ(resized, copyPixels<std::byte>(*graph.color));
    EXPECT_EQ(graph.taa->framesWithoutHistory(), 2U);
}

TEST_F(TaaTest, ACapOfZeroFramesIsRefusedAndTheGraphStaysUsable) {
    GpuGraph& gpu = makeGraph();
    const GpuImageShape shape{kWidth, kHeight, false, false};
    const VoxelRenderer renderer = addVoxelRenderer(
        gpu.graph, *gpu.runtime, cornellWords(), orbit(0.4F, 0.0F), shape, VoxelStructure::BrickMap,
        {}, nullptr, VoxelPipeline::Compute, voxel::haltonJitter(16));
    auto taa = addTaa(gpu.graph, *gpu.runtime, renderer, shape, TaaSettings{.stillCap = 0});
    auto resolved = gpu.graph.addNode<GpuReadbackNode>("resolved", *gpu.runtime);
    gpu.graph.connect(taa, TaaConfig::resolved, resolved, GpuReadbackConfig::image);
    const Result<void> compiled = gpu.graph.compile();
    ASSERT_FALSE(compiled);
    EXPECT_NE(compiled.error().message.find("node 'taa': TAA caps must be 1 to 2048 frames"),
              std::string::npos)
        << compiled.error().message;
    // Without the TAA, the rest renders.
    ASSERT_TRUE(gpu.graph.removeNode(resolved.id));
    ASSERT_TRUE(gpu.graph.removeNode(taa.id));
    auto color = gpu.graph.addNode<GpuReadbackNode>("color", *gpu.runtime);
    renderer.connect(gpu.graph, VoxelOutput::Color, color, GpuReadbackConfig::image);
    ASSERT_TRUE(gpu.graph.compile());
    ASSERT_TRUE(gpu.runtime->frame());
}

class TaaSteadyStateTest : public GpuGraphTest {
protected:
    [[nodiscard]] bool validation() const override { return false; }
};

TEST_F(TaaSteadyStateTest, AThousandFramesWithTaaAllocateNothingAndCreateNothing) {
    GpuGraph& gpu = makeGraph();
    const GpuImageShape shape{64, 48, false, false};
    // Moving for a while, then still: both paths of the shader run.
    const TaaGraph graph = buildGraph(
        gpu,
        [](std::uint64_t frame) {
            return voxel::Camera::orbit(
                kSize, 0.001F * static_cast<float>(std::min<std::uint64_t>(frame, 500)));
        },
        voxel::haltonJitter(16), true, shape);
    ASSERT_TRUE(gpu.graph.compile());
    expectSteadyFrames(gpu, 1000);
    EXPECT_EQ(graph.taa->framesWithoutHistory(), 1U);
}

}  // namespace
}  // namespace vixen::nodes
