// Async compute on lavapipe, which has one queue family: the queue segments a graph's
// opted-in nodes give, the frame split into its four submissions on the graphics queue
// (AsyncCompute::SplitOnGraphicsQueue) giving the same images as one submission, with the
// validation layer and synchronization validation on, and nothing allocated in steady frames
// (that one without the layer).
#include <gtest/gtest.h>

#include <cstddef>
#include <vector>

#include "gpu_graph_fixture.hpp"
#include "node_test_shaders.hpp"
#include "vixen/events/engine_events.hpp"
#include "vixen/nodes/compute_kernel.hpp"
#include "vixen/nodes/gpu_image_nodes.hpp"
#include "vixen/nodes/gpu_node.hpp"

namespace vixen::nodes {
namespace {

struct InvertConfig {
    static constexpr std::string_view kTypeName = "TestInvert";
    static constexpr graph::Input<"source", GpuImage,
                                  graph::SlotOptions{.stage = graph::StageKind::Compute}>
        source{};
    static constexpr graph::Output<"image", GpuImage,
                                   graph::SlotOptions{.access = graph::Access::Write,
                                                      .stage = graph::StageKind::Compute}>
        image{};
    static constexpr graph::SlotList slots{source, image};
};

/// image = 1 - source (shaders/invert_image.comp), on the compute queue when opted in.
class InvertNode : public GpuImageProducer<InvertConfig> {
public:
    InvertNode(GpuRuntime& runtime, GpuImageShape shape, bool asyncCompute)
        : GpuImageProducer(runtime, shape), asyncCompute_(asyncCompute) {}

    [[nodiscard]] bool asyncCompute() const noexcept override { return asyncCompute_; }

protected:
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    Result<void> compile(const graph::CompileContext& /*context*/) override {
        VIXEN_TRY(kernel_.prepare(runtime(), test_shaders::invertImageComp(), "invert_image.comp"));
        VIXEN_TRY(createImage());
        VIXEN_TRY(kernel_.bind(0, In(InvertConfig::source)));
        VIXEN_TRY(kernel_.bind(1, Out(InvertConfig::image)));
        kernel_.commit(runtime().device());
        return {};
    }
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& /*context*/) override {
        const gpu::ImageDesc& target = Out(InvertConfig::image).desc();
        const std::array<std::uint32_t, 2> size{target.width, target.height};
        kernel_.dispatch(commandBuffer, size, target.width, target.height);
    }
    void release(const graph::CleanupContext& context) override {
        if (!context.forRecompile) {
            kernel_.reset();
        }
    }

private:
    ComputeKernel kernel_;
    bool asyncCompute_ = false;
};

constexpr std::uint32_t kWidth = 64;
constexpr std::uint32_t kHeight = 32;

/// Two independent branches into one compose: red pattern -> invert and gradient (the
/// opted-in compute branch, fed by the pattern), beside a teal pattern; compose and readback
/// after both. Every queue segment has a node.
struct TwoBranches {
    graph::NodeId red, invert, gradient, teal, compose;
    GpuReadbackNode* readback = nullptr;
};

TwoBranches buildTwoBranches(GpuGraph& gpu, bool optIn, bool followWindow = false) {
    const GpuImageShape half{kWidth / 2, kHeight, followWindow, false};
    auto red = gpu.graph.addNode<GpuPatternNode>("red", *gpu.runtime, half, kRed);
    auto invert = gpu.graph.addNode<InvertNode>("invert", *gpu.runtime, half, optIn);
    auto gradient = gpu.graph.addNode<GpuGradientNode>("gradient", *gpu.runtime, half, optIn);
    auto teal = gpu.graph.addNode<GpuPatternNode>("teal", *gpu.runtime, half, kTeal);
    auto compose = gpu.graph.addNode<GpuComposeNode>(
        "compose", *gpu.runtime, GpuImageShape{kWidth, kHeight, followWindow, false});
    auto readback = gpu.graph.addNode<GpuReadbackNode>("readback", *gpu.runtime);
    gpu.graph.connect(red, GpuPatternConfig::image, invert, InvertConfig::source);
    gpu.graph.connect(invert, InvertConfig::image, compose, GpuComposeConfig::layers);
    gpu.graph.connect(gradient, GpuGradientConfig::image, compose, GpuComposeConfig::layers);
    gpu.graph.connect(teal, GpuPatternConfig::image, compose, GpuComposeConfig::layers);
    gpu.graph.connect(compose, GpuComposeConfig::image, readback, GpuReadbackConfig::image);
    return {red.id,  invert.id,  gradient.id,
            teal.id, compose.id, &static_cast<GpuReadbackNode&>(gpu.graph.node(readback.id))};
}

class GpuAsyncComputeTest : public GpuGraphTest {
protected:
    /// The two-branch graph's picture after `frames` frames, under `mode`.
    std::vector<std::byte> render(AsyncCompute mode, bool optIn, int frames) {
        GpuGraph& gpu = makeGraph({}, GpuRuntimeOptions{.asyncCompute = mode});
        const TwoBranches graph = buildTwoBranches(gpu, optIn);
        EXPECT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
        for (int frame = 0; frame < frames; ++frame) {
            EXPECT_TRUE(gpu.runtime->frame());
        }
        EXPECT_TRUE(gpu.runtime->waitIdle());
        auto pixels = graph.readback->pixels();
        EXPECT_TRUE(pixels) << pixels.error().message;
        return pixels ? std::vector<std::byte>(pixels->begin(), pixels->end())
                      : std::vector<std::byte>{};
    }
};

TEST_F(GpuAsyncComputeTest, ADeviceWithoutAComputeQueueKeepsOneSubmission) {
    if (device_->computeQueue() != VK_NULL_HANDLE) {
        GTEST_SKIP() << "device '" << physical_->name << "' has a compute-only queue family";
    }
    EXPECT_EQ(device_->computeQueue(), VK_NULL_HANDLE);
    EXPECT_EQ(device_->computeQueueFamily(), gpu::Device::kNoQueueFamily);
    EXPECT_EQ(device_->queueFamilies().size(), 1U);
    GpuGraph& gpu = makeGraph();
    buildTwoBranches(gpu, true);
    ASSERT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
    EXPECT_FALSE(gpu.runtime->usesComputeQueue());
    EXPECT_FALSE(gpu.runtime->splitsFrames());
    EXPECT_EQ(gpu.runtime->pacer().commandBuffersPerFrame(), 1U);
    ASSERT_TRUE(gpu.runtime->frame());
}

TEST_F(GpuAsyncComputeTest, TheSplitFrameHasEverySegmentAndDrawsWhatOneSubmissionDraws) {
    const std::vector<std::byte> single = render(AsyncCompute::Off, true, 3);
    const std::vector<std::byte> notOptedIn = render(AsyncCompute::SplitOnGraphicsQueue, false, 3);
    const std::vector<std::byte> split = render(AsyncCompute::SplitOnGraphicsQueue, true, 3);
    ASSERT_EQ(single.size(), std::size_t{kWidth} * kHeight * 4);
    EXPECT_EQ(split, single);
    EXPECT_EQ(notOptedIn, single);
    // The inverted red of frame 2 (red 2/255) is (253, 255, 255) in the left third.
    EXPECT_EQ(pixelAt(single, kWidth, 2, 2), (std::array<int, 4>{253, 255, 255, 255}));

    GpuGraph& gpu = makeGraph({}, {.asyncCompute = AsyncCompute::SplitOnGraphicsQueue});
    const TwoBranches graph = buildTwoBranches(gpu, true);
    ASSERT_TRUE(gpu.graph.compile());
    EXPECT_TRUE(gpu.runtime->splitsFrames());
    EXPECT_EQ(gpu.runtime->queueSegment(graph.red), graph::QueueSegment::BeforeCompute);
    EXPECT_EQ(gpu.runtime->queueSegment(graph.invert), graph::QueueSegment::Compute);
    EXPECT_EQ(gpu.runtime->queueSegment(graph.gradient), graph::QueueSegment::Compute);
    EXPECT_EQ(gpu.runtime->queueSegment(graph.teal), graph::QueueSegment::Beside);
    EXPECT_EQ(gpu.runtime->queueSegment(graph.compose), graph::QueueSegment::AfterCompute);
    EXPECT_EQ(gpu.runtime->queueSegment(graph.readback->id()), graph::QueueSegment::AfterCompute);
}

TEST_F(GpuAsyncComputeTest, SplitFramesAreTimedOnEveryQueue) {
    GpuGraph& gpu = makeGraph({}, {.asyncCompute = AsyncCompute::SplitOnGraphicsQueue});
    const TwoBranches graph = buildTwoBranches(gpu, true);
    ASSERT_TRUE(gpu.graph.compile());
    for (int frame = 0; frame < 8; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame());
    }
    ASSERT_TRUE(gpu.runtime->waitIdle());
    if (!gpu.runtime->timestampsEnabled()) {
        GTEST_SKIP() << "the device's queue writes no timestamps";
    }
    EXPECT_EQ(gpu.runtime->timedFrames(), 8U);
    EXPECT_GT(gpu.runtime->gpuNanoseconds(graph.invert), 0U);
    EXPECT_GT(gpu.runtime->gpuNanoseconds(graph.teal), 0U);
    // A frame spans at least its longest node.
    EXPECT_GE(gpu.runtime->gpuFrameNanoseconds(), gpu.runtime->gpuNanoseconds(graph.compose));
}

TEST_F(GpuAsyncComputeTest, AParallelGraphKeepsOneSubmissionAndDrawsTheSame) {
    const std::vector<std::byte> single = render(AsyncCompute::Off, true, 3);
    GpuGraph& gpu =
        makeGraph(graph::GraphOptions{.mode = graph::ExecutionMode::Parallel, .workerThreads = 2},
                  {.asyncCompute = AsyncCompute::SplitOnGraphicsQueue});
    const TwoBranches graph = buildTwoBranches(gpu, true);
    ASSERT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
    EXPECT_FALSE(gpu.runtime->splitsFrames());
    EXPECT_EQ(gpu.runtime->queueSegment(graph.invert), graph::QueueSegment::BeforeCompute);
    for (int frame = 0; frame < 3; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame());
    }
    ASSERT_TRUE(gpu.runtime->waitIdle());
    auto pixels = graph.readback->pixels();
    ASSERT_TRUE(pixels) << pixels.error().message;
    EXPECT_EQ(std::vector<std::byte>(pixels->begin(), pixels->end()), single);
}

TEST_F(GpuAsyncComputeTest, AResizeRebuildsTheSplitFrameAtItsNewSize) {
    GpuGraph& gpu = makeGraph({}, {.asyncCompute = AsyncCompute::SplitOnGraphicsQueue});
    const TwoBranches graph = buildTwoBranches(gpu, true, true);
    ASSERT_TRUE(gpu.graph.compile());
    ASSERT_TRUE(gpu.runtime->frame());
    ASSERT_TRUE(gpu.graph.events().emit(events::WindowResized{96, 48}));
    for (int frame = 0; frame < 3; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame());
    }
    ASSERT_TRUE(gpu.runtime->waitIdle());
    EXPECT_TRUE(gpu.runtime->splitsFrames());
    EXPECT_EQ(gpu.runtime->queueSegment(graph.invert), graph::QueueSegment::Compute);
    EXPECT_EQ(graph.readback->width(), 96U);
    auto pixels = graph.readback->pixels();
    ASSERT_TRUE(pixels) << pixels.error().message;
    // Frame index 3 (red 3/255), inverted, in the left third.
    EXPECT_EQ(pixelAt(*pixels, 96, 2, 2), (std::array<int, 4>{252, 255, 255, 255}));
}

struct DrawnInputConfig {
    static constexpr std::string_view kTypeName = "TestDrawnInput";
    static constexpr graph::Input<"source", GpuImage,
                                  graph::SlotOptions{.stage = graph::StageKind::Graphics}>
        source{};
    static constexpr graph::SlotList slots{source};
};

/// Opts into async compute with a slot only the graphics queue can serve; records nothing.
class DrawnInputNode : public GpuNode<DrawnInputConfig> {
public:
    explicit DrawnInputNode(GpuRuntime& runtime) : GpuNode(runtime) {}
    [[nodiscard]] bool asyncCompute() const noexcept override { return true; }

protected:
    void record(VkCommandBuffer /*commandBuffer*/,
                const graph::ExecuteContext& /*context*/) override {}
};

TEST_F(GpuAsyncComputeTest, AnOptedInNodeWithAGraphicsSlotFailsTheCompileNamingIt) {
    GpuGraph& gpu = makeGraph();
    auto red = gpu.graph.addNode<GpuPatternNode>("red", *gpu.runtime,
                                                 GpuImageShape{16, 16, false, false}, kRed);
    auto drawn = gpu.graph.addNode<DrawnInputNode>("drawn", *gpu.runtime);
    gpu.graph.connect(red, GpuPatternConfig::image, drawn, DrawnInputConfig::source);
    gpu.graph.setKeepAlive(drawn.id);
    const Result<void> compiled = gpu.graph.compile();
    ASSERT_FALSE(compiled);
    EXPECT_NE(compiled.error().message.find("node 'drawn' opts into async compute but has a GPU "
                                            "slot whose stage is neither Compute nor Transfer"),
              std::string::npos)
        << compiled.error().message;
}

TEST_F(GpuAsyncComputeTest, OptedInNodesThatAreNotOneBranchFailTheCompileOnEveryDevice) {
    // invert -> compose -> invert again: compose would run between two parts of the
    // compute work. Refused on lavapipe too (no compute queue), so a graph fails alike
    // everywhere.
    GpuGraph& gpu = makeGraph();
    const GpuImageShape shape{16, 16, false, false};
    auto red = gpu.graph.addNode<GpuPatternNode>("red", *gpu.runtime, shape, kRed);
    auto first = gpu.graph.addNode<InvertNode>("first", *gpu.runtime, shape, true);
    auto between = gpu.graph.addNode<GpuComposeNode>("between", *gpu.runtime, shape);
    auto second = gpu.graph.addNode<InvertNode>("second", *gpu.runtime, shape, true);
    auto readback = gpu.graph.addNode<GpuReadbackNode>("readback", *gpu.runtime);
    gpu.graph.connect(red, GpuPatternConfig::image, first, InvertConfig::source);
    gpu.graph.connect(first, InvertConfig::image, between, GpuComposeConfig::layers);
    gpu.graph.connect(between, GpuComposeConfig::image, second, InvertConfig::source);
    gpu.graph.connect(second, InvertConfig::image, readback, GpuReadbackConfig::image);
    const Result<void> compiled = gpu.graph.compile();
    ASSERT_FALSE(compiled);
    EXPECT_NE(compiled.error().message.find("node 'between' depends on a node that opts into "
                                            "async compute and feeds another"),
              std::string::npos)
        << compiled.error().message;
}

// The steady-state proof, without the validation layer (it allocates on every submit).
class GpuAsyncComputeSteadyStateTest : public GpuAsyncComputeTest {
protected:
    [[nodiscard]] bool validation() const override { return false; }
};

TEST_F(GpuAsyncComputeSteadyStateTest, SplitAndFallbackFramesAllocateNothingAndCreateNothing) {
    for (const AsyncCompute mode : {AsyncCompute::SplitOnGraphicsQueue, AsyncCompute::Auto}) {
        GpuGraph& gpu = makeGraph({}, {.asyncCompute = mode});
        buildTwoBranches(gpu, true);
        ASSERT_TRUE(gpu.graph.compile());
        // Auto splits onto a compute queue where the device has one (not lavapipe).
        EXPECT_EQ(gpu.runtime->splitsFrames(), mode == AsyncCompute::SplitOnGraphicsQueue ||
                                                   device_->computeQueue() != VK_NULL_HANDLE);
        EXPECT_EQ(gpu.runtime->usesComputeQueue(),
                  mode == AsyncCompute::Auto && device_->computeQueue() != VK_NULL_HANDLE);
        ASSERT_NO_FATAL_FAILURE(expectSteadyFrames(gpu, 500));
    }
}

}  // namespace
}  // namespace vixen::nodes
