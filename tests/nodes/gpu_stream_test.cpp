// Per-frame streaming on lavapipe: a buffer the CPU updates every frame through the upload
// ring, read back every frame through the readback ring, whose copies reach the CPU one or
// more frames later; a frame that writes more than the ring holds fails naming the ring and
// the next one goes on; and streaming frames allocate nothing and create no Vulkan object.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>
#include <vector>

#include "gpu_graph_fixture.hpp"
#include "vixen/nodes/gpu_stream_nodes.hpp"

namespace vixen::nodes {
namespace {

/// What the stream writes each frame: the frame index and two values derived from it.
std::array<std::uint32_t, 4> frameWords(std::uint64_t frameIndex) {
    const auto index = static_cast<std::uint32_t>(frameIndex);
    return {index, index * 3U, 7U, 9U};
}

struct StreamGraph {
    GpuStreamNode* stream = nullptr;
    GpuBufferReadbackNode* readback = nullptr;
};

/// stream -> readback: every frame the CPU writes 16 bytes into a buffer, at an offset that
/// moves with the frame, plus the words at offset 0; `bigFrame` (if reached) writes
/// `bigBytes` more (the buffer is made large enough).
StreamGraph buildStream(GpuGraph& gpu, std::uint64_t bigFrame = ~std::uint64_t{0},
                        std::size_t bigBytes = 0) {
    static std::array<std::byte, 1 << 20> big{};
    auto stream = gpu.graph.addNode<GpuStreamNode>(
        "stream", *gpu.runtime,
        gpu::BufferDesc{std::max<VkDeviceSize>(256, bigBytes),
                        VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                        gpu::MemoryUsage::DeviceLocal},
        VkDeviceSize{32}, [bigFrame, bigBytes](StreamWriter& writer, std::uint64_t frameIndex) {
            const std::array<std::uint32_t, 4> words = frameWords(frameIndex);
            writer.write(0, std::as_bytes(std::span(words)));
            writer.write(16 + 16 * (frameIndex % 8), std::as_bytes(std::span(words)));
            if (frameIndex == bigFrame) {
                writer.write(0, std::span(big).first(bigBytes));
            }
        });
    auto readback =
        gpu.graph.addNode<GpuBufferReadbackNode>("readback", *gpu.runtime, VkDeviceSize{256});
    gpu.graph.connect(stream, GpuStreamConfig::buffer, readback, GpuBufferReadbackConfig::buffer);
    return {&static_cast<GpuStreamNode&>(gpu.graph.node(stream.id)),
            &static_cast<GpuBufferReadbackNode&>(gpu.graph.node(readback.id))};
}

class GpuStreamTest : public GpuGraphTest {};

TEST_F(GpuStreamTest, UpdatesEveryFrameAndReadsBackWithoutWaiting) {
    GpuGraph& gpu = makeGraph();
    const StreamGraph graph = buildStream(gpu);
    ASSERT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
    EXPECT_GT(gpu.runtime->uploadRingStats().capacity, 0U);
    EXPECT_GT(gpu.runtime->readbackRingStats().capacity, 0U);

    std::uint64_t landedFrames = 0;
    std::uint64_t maxLatency = 0;
    for (int frame = 0; frame < 40; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame()) << "frame " << frame;
        const auto landed = graph.readback->latest();
        if (!landed) {
            continue;
        }
        ++landedFrames;
        // What landed is exactly what the CPU wrote in the frame that took it (frame
        // numbers start at 1, frame indices at 0), and the rest of the buffer as written
        // up to then.
        std::array<std::uint32_t, 64> words{};
        std::memcpy(words.data(), landed->bytes.data(), sizeof words);
        const std::uint64_t frameIndex = landed->frame - 1;
        EXPECT_EQ(words[0], static_cast<std::uint32_t>(frameIndex));
        EXPECT_EQ(words[1], static_cast<std::uint32_t>(frameIndex * 3));
        const std::size_t at = 4 + 4 * (frameIndex % 8);
        EXPECT_EQ(words[at], static_cast<std::uint32_t>(frameIndex));
        const std::uint64_t latency = gpu.runtime->recordingFrame() - landed->frame;
        EXPECT_GE(latency, 1U) << "a readback is the CPU's only after its frame";
        maxLatency = std::max(maxLatency, latency);
    }
    EXPECT_GT(landedFrames, 30U);
    EXPECT_LE(maxLatency, std::uint64_t{gpu.runtime->pacer().framesInFlight()} + 1)
        << "never older than the frames in flight";
    EXPECT_EQ(graph.stream->bytesStreamed(), 40U * 32U);
    EXPECT_EQ(graph.stream->refusedWrites(), 0U);
    EXPECT_EQ(gpu.runtime->uploadRingStats().refused, 0U);
    EXPECT_EQ(gpu.runtime->uploadRingStats().ranges, 80U);
}

TEST_F(GpuStreamTest, AFrameThatWritesMoreThanTheRingHoldsFailsNamingItAndTheNextGoesOn) {
    GpuGraph& gpu = makeGraph();
    const StreamGraph graph = buildStream(gpu, 3, std::size_t{1} << 20);
    ASSERT_TRUE(gpu.graph.compile());
    for (int frame = 0; frame < 3; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame());
    }
    const Result<void> refused = gpu.runtime->frame();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::CapacityExceeded);
    EXPECT_NE(refused.error().message.find("upload ring"), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("1.00 MiB"), std::string::npos)
        << refused.error().message;
    EXPECT_EQ(graph.stream->refusedWrites(), 1U);
    for (int frame = 0; frame < 3; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame()) << "the stream keeps running";
    }
    ASSERT_TRUE(gpu.runtime->waitIdle());
    const auto landed = graph.readback->latest();
    ASSERT_TRUE(landed);
    std::uint32_t first = 0;
    std::memcpy(&first, landed->bytes.data(), sizeof first);
    EXPECT_EQ(first, static_cast<std::uint32_t>(landed->frame - 1));
}

TEST_F(GpuStreamTest, AReadbackLargerThanItsInputIsACompileErrorNamingTheSlot) {
    GpuGraph& gpu = makeGraph();
    auto stream = gpu.graph.addNode<GpuStreamNode>(
        "stream", *gpu.runtime,
        gpu::BufferDesc{64, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, gpu::MemoryUsage::DeviceLocal},
        VkDeviceSize{0}, [](StreamWriter&, std::uint64_t) {});
    auto readback =
        gpu.graph.addNode<GpuBufferReadbackNode>("readback", *gpu.runtime, VkDeviceSize{128});
    gpu.graph.connect(stream, GpuStreamConfig::buffer, readback, GpuBufferReadbackConfig::buffer);
    const Result<void> refused = gpu.graph.compile();
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("node 'readback', input 'buffer'"), std::string::npos)
        << refused.error().message;
}

TEST_F(GpuStreamTest, TheGpuSideOfACompileIsReportedAsStagesAndItsErrorsReturnFromCompile) {
    GpuGraph& gpu = makeGraph();
    buildStream(gpu);
    ASSERT_TRUE(gpu.graph.compile());
    std::vector<std::string_view> stages;
    for (const graph::CompileStage& stage : gpu.graph.report().stages) {
        stages.push_back(stage.name);
    }
    for (const std::string_view expected :
         {"setup", "node compiles", "GPU: wait for frames in flight", "GPU: staging",
          "GPU: streaming rings", "GPU: timestamps", "GPU: slot barriers"}) {
        EXPECT_NE(std::find(stages.begin(), stages.end(), expected), stages.end()) << expected;
    }
    EXPECT_NE(gpu.graph.report().describe(gpu.graph).find("stages: setup"), std::string::npos);

    // A ring far past the device's memory: compile() itself fails, naming the ring, and the
    // graph compiles again once the estimate is sane.
    GpuGraph& huge = makeGraph();
    auto stream = huge.graph.addNode<GpuStreamNode>(
        "stream", *huge.runtime,
        gpu::BufferDesc{256, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, gpu::MemoryUsage::DeviceLocal},
        VkDeviceSize{1} << 44, [](StreamWriter&, std::uint64_t) {});
    huge.graph.setKeepAlive(stream.id);
    const Result<void> refused = huge.graph.compile();
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("upload ring"), std::string::npos)
        << refused.error().message;
    EXPECT_FALSE(huge.graph.compiled());
    ASSERT_TRUE(huge.graph.removeNode(stream.id));
    buildStream(huge);
    ASSERT_TRUE(huge.graph.compile());
    ASSERT_TRUE(huge.runtime->frame());
}

class GpuStreamSteadyStateTest : public GpuGraphTest {
protected:
    [[nodiscard]] bool validation() const override { return false; }
};

TEST_F(GpuStreamSteadyStateTest, StreamingFramesAllocateNothingAndCreateNoVulkanObjects) {
    for (const graph::ExecutionMode mode :
         {graph::ExecutionMode::Sequential, graph::ExecutionMode::Parallel}) {
        GpuGraph& gpu = makeGraph(graph::GraphOptions{.mode = mode, .workerThreads = 2});
        const StreamGraph graph = buildStream(gpu);
        ASSERT_TRUE(gpu.graph.compile());
        ASSERT_NO_FATAL_FAILURE(expectSteadyFrames(gpu, 300));
        EXPECT_EQ(graph.stream->bytesStreamed(), (300U + 4U) * 32U);
        EXPECT_TRUE(graph.readback->latest());
    }
}

}  // namespace
}  // namespace vixen::nodes
