// GPU nodes in a multi-rate loop on lavapipe, validation and synchronization validation on:
// a fixed-step loop of two GPU nodes (a counter written by the GPU, then copied into a log
// slot per step) takes 0, 1 or several steps a frame as a fake clock says; the body runs as
// a unit each step (the copy sees its own step's count), frames without a step leave the
// outputs as they were, and the barriers after the loop hold on every path.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstring>

#include "gpu_graph_fixture.hpp"
#include "vixen/graph/sub_graph.hpp"
#include "vixen/nodes/gpu_stream_nodes.hpp"
#include "vixen/nodes/taa_node.hpp"
#include "vixen/voxel/brick_map.hpp"
#include "vixen/voxel/brick_volume.hpp"
#include "vixen/voxel/procedural.hpp"
#include "vixen/voxel/structure.hpp"

namespace vixen::nodes {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kLogWords = 16;

class FakeClock final : public graph::FrameClock {
public:
    [[nodiscard]] std::chrono::nanoseconds now() const noexcept override { return now_; }
    void advance(std::chrono::nanoseconds by) noexcept { now_ += by; }

private:
    std::chrono::nanoseconds now_{1s};
};

struct CounterConfig {
    static constexpr std::string_view kTypeName = "Counter";
    static constexpr graph::Output<"count", GpuBuffer, kTransferWrite> count{};
    static constexpr graph::SlotList slots{count};
};

/// Writes how many times it has executed so far (its steps, over all frames).
class CounterNode : public GpuNode<CounterConfig> {
public:
    explicit CounterNode(GpuRuntime& runtime) : GpuNode(runtime) {}
    std::uint32_t executions = 0;

protected:
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    Result<void> compile(const graph::CompileContext& /*context*/) override {
        VIXEN_TRY(createOutput(CounterConfig::count,
                               gpu::BufferDesc{4, VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                                      VK_BUFFER_USAGE_TRANSFER_DST_BIT}));
        return {};
    }
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& /*context*/) override {
        vkCmdFillBuffer(commandBuffer, Out(CounterConfig::count).buffer.handle(), 0, 4,
                        ++executions);
    }
};

struct LogCopyConfig {
    static constexpr std::string_view kTypeName = "LogCopy";
    static constexpr graph::Input<"count", GpuBuffer, kTransferRead> count{};
    static constexpr graph::Output<"log", GpuBuffer, kTransferWrite> log{};
    static constexpr graph::SlotList slots{count, log};
};

/// Copies the count into word `count % kLogWords` of its log: the GPU's count, so the copy
/// shows which write it saw.
class LogCopyNode : public GpuNode<LogCopyConfig> {
public:
    explicit LogCopyNode(GpuRuntime& runtime) : GpuNode(runtime) {}

protected:
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    Result<void> compile(const graph::CompileContext& /*context*/) override {
        VIXEN_TRY(createOutput(
            LogCopyConfig::log,
            gpu::BufferDesc{4 * kLogWords,
                            VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT}));
        return {};
    }
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& /*context*/) override {
        const VkBufferCopy region{0, 4 * VkDeviceSize{copies_++ % kLogWords}, 4};
        vkCmdCopyBuffer(commandBuffer, In(LogCopyConfig::count).buffer.handle(),
                        Out(LogCopyConfig::log).buffer.handle(), 1, &region);
    }

private:
    std::uint32_t copies_ = 0;
};

struct SimulationConfig {
    static constexpr std::string_view kTypeName = "Simulation";
    static constexpr graph::Output<"log", GpuBuffer, kTransferWrite> log{};
    static constexpr graph::SlotList slots{log};
};

class Simulation : public graph::SubGraph<SimulationConfig> {
public:
    explicit Simulation(GpuRuntime& runtime) : runtime_(runtime) {}

protected:
    void build(graph::SubGraphBuilder<SimulationConfig>& b) override {
        auto counter = b.addNode<CounterNode>("counter", runtime_);
        auto copy = b.addNode<LogCopyNode>("copy", runtime_);
        b.connect(counter, CounterConfig::count, copy, LogCopyConfig::count);
        b.exposeOutput(SimulationConfig::log, copy, LogCopyConfig::log);
    }

private:
    GpuRuntime& runtime_;
};

class GpuLoopTest : public GpuGraphTest {};

TEST_F(GpuLoopTest, AFixedStepLoopOfGpuNodesStepsAsTheClockSaysAndKeepsItsOutputs) {
    FakeClock clock;
    GpuGraph& gpu = makeGraph(graph::GraphOptions{.clock = &clock});
    auto loop =
        gpu.graph.addLoop<Simulation>("physics", graph::LoopPolicy::fixedStep(60, 3), *gpu.runtime);
    ASSERT_TRUE(loop) << loop.error().message;
    auto readback =
        gpu.graph.addNode<GpuBufferReadbackNode>("readback", *gpu.runtime, VkDeviceSize{4 * 16});
    gpu.graph.connect(*loop, SimulationConfig::log, readback, GpuBufferReadbackConfig::buffer);
    ASSERT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
    const auto& counter = static_cast<const CounterNode&>(*gpu.graph.findNode("physics/counter"));
    const auto& reader = static_cast<const GpuBufferReadbackNode&>(gpu.graph.node(readback.id));

    // 60 Hz: the first frame takes one step; then 16.7 ms is one, 5 ms none (it carries), 40
    // ms two (with the carry), 100 ms three (the cap, one more carried), 1 ms the carried one.
    const std::array<std::chrono::nanoseconds, 6> elapsed{0ns, 16'666'667ns, 5ms, 40ms, 100ms, 1ms};
    const std::array<std::uint32_t, 6> expectedSteps{1, 1, 0, 2, 3, 1};
    std::uint32_t total = 0;
    std::array<std::uint32_t, kLogWords> expectedLog{};
    for (std::size_t frame = 0; frame < elapsed.size(); ++frame) {
        clock.advance(elapsed[frame]);
        ASSERT_TRUE(gpu.runtime->frame()) << "frame " << frame;
        ASSERT_TRUE(gpu.runtime->waitIdle());
        EXPECT_EQ(gpu.graph.subGraph(*loop).loop().steps(), expectedSteps[frame])
            << "frame " << frame;
        for (std::uint32_t step = 0; step < expectedSteps[frame]; ++step) {
            ++total;
            expectedLog[(total - 1) % kLogWords] = total;  // the copy of step n sees count n
        }
        EXPECT_EQ(counter.executions, total);
        const auto landed = reader.latest();
        ASSERT_TRUE(landed);
        std::array<std::uint32_t, kLogWords> log{};
        std::memcpy(log.data(), landed->bytes.data(), sizeof log);
        EXPECT_EQ(log, expectedLog) << "frame " << frame;
    }
    EXPECT_EQ(gpu.graph.subGraph(*loop).loop().counters().skippedFrames, 1U);
}

TEST_F(GpuLoopTest, GpuNodesInALoopNeedASequentialGraph) {
    GpuGraph& gpu =
        makeGraph(graph::GraphOptions{.mode = graph::ExecutionMode::Parallel, .workerThreads = 2});
    auto loop =
        gpu.graph.addLoop<Simulation>("physics", graph::LoopPolicy::everyFrame(), *gpu.runtime);
    ASSERT_TRUE(loop);
    auto readback =
        gpu.graph.addNode<GpuBufferReadbackNode>("readback", *gpu.runtime, VkDeviceSize{64});
    gpu.graph.connect(*loop, SimulationConfig::log, readback, GpuBufferReadbackConfig::buffer);
    const Result<void> compiled = gpu.graph.compile();
    ASSERT_FALSE(compiled);
    EXPECT_NE(
        compiled.error().message.find("loop 'physics': its GPU nodes need a sequential graph"),
        std::string::npos)
        << compiled.error().message;
}

class GpuLoopSteadyStateTest : public GpuGraphTest {
protected:
    [[nodiscard]] bool validation() const override { return false; }
};

TEST_F(GpuLoopSteadyStateTest, StepsAndSkipsAllocateNothingAndCreateNothing) {
    // Every third frame: two of three frames skip, one steps.
    GpuGraph& gpu = makeGraph();
    auto loop =
        gpu.graph.addLoop<Simulation>("physics", graph::LoopPolicy::everyKthFrame(3), *gpu.runtime);
    ASSERT_TRUE(loop);
    auto readback =
        gpu.graph.addNode<GpuBufferReadbackNode>("readback", *gpu.runtime, VkDeviceSize{64});
    gpu.graph.connect(*loop, SimulationConfig::log, readback, GpuBufferReadbackConfig::buffer);
    ASSERT_TRUE(gpu.graph.compile());
    expectSteadyFrames(gpu, 1000);
    EXPECT_EQ(gpu.graph.subGraph(*loop).loop().counters().steps, (1000U + 4U + 2U) / 3U);
}

struct ReadoutConfig {
    static constexpr std::string_view kTypeName = "Readout";
    static constexpr graph::Input<"image", GpuImage, kTransferRead> image{};
    static constexpr graph::SlotList slots{image};
};

/// A plain sub-graph: the image read back by a node inside it.
class Readout : public graph::SubGraph<ReadoutConfig> {
public:
    explicit Readout(GpuRuntime& runtime) : runtime_(runtime) {}

protected:
    void build(graph::SubGraphBuilder<ReadoutConfig>& b) override {
        auto readback = b.addNode<GpuReadbackNode>("readback", runtime_);
        b.exposeInput(ReadoutConfig::image, readback, GpuReadbackConfig::image);
    }

private:
    GpuRuntime& runtime_;
};

TEST_F(GpuLoopSteadyStateTest, HistoryTaaSubGraphsAndLoopsTogetherAllocateNothingFor1000Frames) {
    // The voxel renderer with a jittered camera moving then still, TAA (two history rings)
    // read back inside a sub-graph, and a GPU loop stepping every other frame.
    const voxel::Int3 size{32, 32, 32};
    auto volume = voxel::BrickVolume::build(**voxel::makeProceduralScene("cornell", size));
    ASSERT_TRUE(volume);
    auto words = std::make_shared<std::vector<std::uint32_t>>(
        voxel::buildStructure(*volume, VoxelStructure::BrickMap));
    GpuGraph& gpu = makeGraph();
    const GpuImageShape shape{64, 48, false, false};
    const VoxelRenderer renderer = addVoxelRenderer(
        gpu.graph, *gpu.runtime, words,
        [size](std::uint64_t frame) {
            return voxel::Camera::orbit(
                size, 0.002F * static_cast<float>(std::min<std::uint64_t>(frame, 400)));
        },
        shape, VoxelStructure::BrickMap, VoxelShading{.shadows = true}, nullptr,
        VoxelPipeline::Compute, voxel::haltonJitter(16));
    auto taa = addTaa(gpu.graph, *gpu.runtime, renderer, shape);
    auto readout = gpu.graph.addSubGraph<Readout>("readout", *gpu.runtime);
    ASSERT_TRUE(readout);
    gpu.graph.connect(taa, TaaConfig::resolved, *readout, ReadoutConfig::image);
    auto loop =
        gpu.graph.addLoop<Simulation>("physics", graph::LoopPolicy::everyKthFrame(2), *gpu.runtime);
    ASSERT_TRUE(loop);
    auto log = gpu.graph.addNode<GpuBufferReadbackNode>("log", *gpu.runtime, VkDeviceSize{64});
    gpu.graph.connect(*loop, SimulationConfig::log, log, GpuBufferReadbackConfig::buffer);
    ASSERT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
    EXPECT_EQ(gpu.graph.historyRings().size(), 2U);
    EXPECT_EQ(gpu.runtime->bakedFrames(), 4U);
    expectSteadyFrames(gpu, 1000);
    EXPECT_EQ(static_cast<const TaaNode&>(gpu.graph.node(taa.id)).framesWithoutHistory(), 1U);
    EXPECT_EQ(gpu.graph.subGraph(*loop).loop().counters().steps, 502U);
}

}  // namespace
}  // namespace vixen::nodes
