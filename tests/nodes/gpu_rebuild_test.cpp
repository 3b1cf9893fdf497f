// Rebuilds without a stall on lavapipe, validation and synchronization validation on: a
// resize recompiles its batch while earlier frames are still on the GPU, and what the batch
// replaces (images, transient arena memory, descriptor pools, buffers) is destroyed only
// once those frames are done. The layer reports destroying an object a pending command
// buffer uses, so a missing retirement fails these tests.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>

#include "gpu_graph_fixture.hpp"
#include "vixen/events/engine_events.hpp"
#include "vixen/nodes/gpu_image_nodes.hpp"
#include "vixen/nodes/gpu_pass.hpp"
#include "vixen/nodes/gpu_runtime.hpp"

namespace vixen::nodes {
namespace {

struct Size {
    std::uint32_t width;
    std::uint32_t height;
};
constexpr std::array<Size, 6> kResizes{
    {{256, 128}, {320, 160}, {128, 64}, {320, 160}, {96, 48}, {200, 100}}};

/// A compute gradient (its kernel's descriptor pool replaced at each compile) and a clear
/// pattern, both transient and following the window, composed and read back.
GpuReadbackNode& buildResizingGraph(GpuGraph& gpu, std::uint32_t width, std::uint32_t height) {
    const GpuImageShape half{width / 2, height, true, true};
    auto left = gpu.graph.addNode<GpuGradientNode>("gradient", *gpu.runtime, half);
    auto right = gpu.graph.addNode<GpuPatternNode>("pattern", *gpu.runtime, half, kTeal);
    auto compose = gpu.graph.addNode<GpuComposeNode>("compose", *gpu.runtime,
                                                     GpuImageShape{width, height, true, false});
    auto readback = gpu.graph.addNode<GpuReadbackNode>("readback", *gpu.runtime);
    gpu.graph.connect(left, GpuGradientConfig::image, compose, GpuComposeConfig::layers);
    gpu.graph.connect(right, GpuPatternConfig::image, compose, GpuComposeConfig::layers);
    gpu.graph.connect(compose, GpuComposeConfig::image, readback, GpuReadbackConfig::image);
    return static_cast<GpuReadbackNode&>(gpu.graph.node(readback.id));
}

class GpuRebuildTest : public GpuGraphTest,
                       public testing::WithParamInterface<graph::ExecutionMode> {};

TEST_P(GpuRebuildTest, AResizeRebuildsWhileEarlierFramesAreStillOnTheGpu) {
    GpuGraph& gpu = makeGraph(graph::GraphOptions{.mode = GetParam(), .workerThreads = 2});
    GpuReadbackNode& readback = buildResizingGraph(gpu, 192, 96);
    ASSERT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
    for (int frame = 0; frame < 3; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame());
    }
    // Each resize's frame follows the last submit at once: that frame is still in flight.
    for (const Size size : kResizes) {
        ASSERT_TRUE(gpu.graph.events().emit(events::WindowResized{size.width, size.height}));
        ASSERT_TRUE(gpu.runtime->frame()) << size.width << "x" << size.height;
    }
    const RebuildStats during = gpu.runtime->rebuildStats();
    EXPECT_EQ(during.waited, 0U);
    EXPECT_EQ(during.withoutWaiting, kResizes.size());
    EXPECT_GT(during.framesInFlightAtRebuild, 0U) << "no rebuild overlapped a frame";
    EXPECT_GT(during.retired, 0U);
    for (const graph::CompileStage& stage : gpu.graph.report().stages) {
        EXPECT_NE(stage.name, "GPU: wait for frames in flight");
    }

    ASSERT_TRUE(gpu.runtime->frame());
    ASSERT_TRUE(gpu.runtime->waitIdle());
    const RebuildStats after = gpu.runtime->rebuildStats();
    EXPECT_EQ(after.pendingDestruction, 0U) << "what was retired is destroyed once idle";
    EXPECT_EQ(gpu.runtime->transientStats().drainingBytes, 0U) << "old arenas went back";
    EXPECT_EQ(gpu.runtime->transientStats().fallbacks, 0U)
        << "each rebuild's transients were placed in an arena of their own";

    const Size last = kResizes.back();
    ASSERT_EQ(readback.width(), last.width);
    ASSERT_EQ(readback.height(), last.height);
    auto pixels = readback.pixels();
    ASSERT_TRUE(pixels) << pixels.error().message;
    const std::array<int, 4> right = pixelAt(*pixels, last.width, last.width * 3 / 4, 10);
    EXPECT_EQ((std::array<int, 3>{right[1], right[2], right[3]}),
              (std::array<int, 3>{128, 255, 255}))
        << "the pattern's half, at the final size";

    // Everything retired went back to the allocator: nothing is left once the graph goes.
    gpu.graph.cleanup();
    gpu.runtime.reset();
    EXPECT_EQ(gpu.allocator.statistics().total.allocationCount, 0U);
}

INSTANTIATE_TEST_SUITE_P(Modes, GpuRebuildTest,
                         testing::Values(graph::ExecutionMode::Sequential,
                                         graph::ExecutionMode::Parallel),
                         [](const testing::TestParamInfo<graph::ExecutionMode>& param) {
                             return param.param == graph::ExecutionMode::Parallel ? "Parallel"
                                                                                  : "Sequential";
                         });

/// What a pass's state holds is its own to destroy: the runtime cannot know it retires.
struct OwnState {
    int compiles = 0;
};
using OwnStatePass = GpuPass<GpuPatternConfig, OwnState>;

class GpuRebuildWaitTest : public GpuGraphTest {
protected:
    /// A pass whose state the runtime does not know, feeding a readback; returns its id.
    static graph::NodeId buildPassGraph(GpuGraph& gpu) {
        auto pass = gpu.graph.addNode<OwnStatePass>(
            "own state", *gpu.runtime,
            [](OwnStatePass& self) -> Result<void> {
                ++self.state.compiles;
                VIXEN_TRY(
                    self.createOutput(GpuPatternConfig::image,
                                      gpu::ImageDesc{.width = 16,
                                                     .height = 16,
                                                     .format = VK_FORMAT_R8G8B8A8_UNORM,
                                                     .usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT |
                                                              VK_IMAGE_USAGE_TRANSFER_SRC_BIT}));
                return {};
            },
            [](OwnStatePass& self, VkCommandBuffer commandBuffer, const graph::ExecuteContext&) {
                const VkClearColorValue grey{{0.5F, 0.5F, 0.5F, 1.0F}};
                const VkImageSubresourceRange range{VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
                vkCmdClearColorImage(commandBuffer,
                                     self.Out(GpuPatternConfig::image).image.handle(),
                                     VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &grey, 1, &range);
            });
        auto readback = gpu.graph.addNode<GpuReadbackNode>("readback", *gpu.runtime);
        gpu.graph.connect(pass, GpuPatternConfig::image, readback, GpuReadbackConfig::image);
        return pass.id;
    }
};

TEST_F(GpuRebuildWaitTest, ABatchWithANodeThatDestroysWhatItReplacesWaitsForTheGpu) {
    GpuGraph& gpu = makeGraph();
    const graph::NodeId pass = buildPassGraph(gpu);
    ASSERT_TRUE(gpu.graph.compile());
    ASSERT_TRUE(gpu.runtime->frame());
    gpu.graph.markDirty(pass);
    ASSERT_TRUE(gpu.runtime->frame());
    EXPECT_EQ(gpu.runtime->rebuildStats().waited, 1U);
    EXPECT_EQ(gpu.runtime->rebuildStats().withoutWaiting, 0U);
    bool waitedStage = false;
    for (const graph::CompileStage& stage : gpu.graph.report().stages) {
        waitedStage = waitedStage || stage.name == "GPU: wait for frames in flight";
    }
    EXPECT_TRUE(waitedStage) << "the report names the wait";
    ASSERT_TRUE(gpu.runtime->waitIdle());
}

TEST_F(GpuRebuildWaitTest, WithTheOptionOffEveryRebuildWaits) {
    GpuGraph& gpu = makeGraph({}, GpuRuntimeOptions{.rebuildWithoutWaiting = false});
    buildResizingGraph(gpu, 64, 32);
    ASSERT_TRUE(gpu.graph.compile());
    ASSERT_TRUE(gpu.runtime->frame());
    ASSERT_TRUE(gpu.graph.events().emit(events::WindowResized{96, 48}));
    ASSERT_TRUE(gpu.runtime->frame());
    EXPECT_EQ(gpu.runtime->rebuildStats().waited, 1U);
    EXPECT_EQ(gpu.runtime->rebuildStats().retired, 0U) << "nothing was in flight to retire";
    ASSERT_TRUE(gpu.runtime->waitIdle());
}

class GpuRebuildSteadyStateTest : public GpuGraphTest {
protected:
    [[nodiscard]] bool validation() const override { return false; }
};

TEST_F(GpuRebuildSteadyStateTest, FramesAfterARebuildWithoutWaitingAllocateNothing) {
    // The retired objects are destroyed as their frames come back, during the warm-up.
    GpuGraph& gpu = makeGraph();
    buildResizingGraph(gpu, 128, 64);
    ASSERT_TRUE(gpu.graph.compile());
    ASSERT_TRUE(gpu.runtime->frame());
    ASSERT_TRUE(gpu.graph.events().emit(events::WindowResized{160, 80}));
    ASSERT_TRUE(gpu.runtime->frame());
    EXPECT_EQ(gpu.runtime->rebuildStats().withoutWaiting, 1U);
    expectSteadyFrames(gpu, 200);
    EXPECT_EQ(gpu.runtime->rebuildStats().pendingDestruction, 0U);
}

}  // namespace
}  // namespace vixen::nodes
