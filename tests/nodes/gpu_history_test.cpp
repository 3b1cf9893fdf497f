// Frame history on lavapipe, validation and synchronization validation on: a node stamps
// the frame index into a ring of buffers on the GPU, another copies this frame's and the
// earlier frames' stamps out through History(), and every frame reads back exactly
// frames N, N-1, ..., N-k; a recompile (as a resize does) resets what History() calls valid.
#include <gtest/gtest.h>

#include <array>
#include <cstring>

#include "gpu_graph_fixture.hpp"
#include "vixen/nodes/gpu_stream_nodes.hpp"

namespace vixen::nodes {
namespace {

/// What the copy writes for an earlier frame History() calls not valid.
constexpr std::uint32_t kNotValid = 0xFFFFFFFFU;

template <std::uint8_t Depth>
struct StampConfig {
    static constexpr std::string_view kTypeName = "Stamp";
    static constexpr graph::Output<"stamp", GpuBuffer,
                                   graph::SlotOptions{.access = graph::Access::Write,
                                                      .stage = graph::StageKind::Transfer,
                                                      .history = Depth}>
        stamp{};
    static constexpr graph::SlotList slots{stamp};
};

/// Fills this frame's element of its ring with the frame index.
template <std::uint8_t Depth>
class StampNode : public GpuNode<StampConfig<Depth>> {
    using Config = StampConfig<Depth>;

public:
    explicit StampNode(GpuRuntime& runtime) : GpuNode<Config>(runtime) {}

protected:
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    Result<void> compile(const graph::CompileContext& /*context*/) override {
        VIXEN_TRY(this->createOutput(
            Config::stamp,
            gpu::BufferDesc{16, VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                            gpu::MemoryUsage::DeviceLocal}));
        return {};
    }
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) override {
        vkCmdFillBuffer(commandBuffer, this->Out(Config::stamp).buffer.handle(), 0, 16,
                        static_cast<std::uint32_t>(context.frameIndex));
    }
};

template <std::uint8_t Depth>
struct HistoryCopyConfig {
    static constexpr std::string_view kTypeName = "HistoryCopy";
    static constexpr graph::Input<"stamp", GpuBuffer,
                                  graph::SlotOptions{.stage = graph::StageKind::Transfer,
                                                     .history = Depth}>
        stamp{};
    static constexpr graph::Output<"copies", GpuBuffer, kTransferWrite> copies{};
    static constexpr graph::SlotList slots{stamp, copies};
};

/// copies[k] = the stamp of k frames back (k = 0: this frame's), or kNotValid.
template <std::uint8_t Depth>
class HistoryCopyNode : public GpuNode<HistoryCopyConfig<Depth>> {
    using Config = HistoryCopyConfig<Depth>;

public:
    explicit HistoryCopyNode(GpuRuntime& runtime) : GpuNode<Config>(runtime) {}

protected:
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    Result<void> compile(const graph::CompileContext& /*context*/) override {
        VIXEN_TRY(this->createOutput(
            Config::copies,
            gpu::BufferDesc{4 * (Depth + 1U),
                            VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                            gpu::MemoryUsage::DeviceLocal}));
        return {};
    }
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& /*context*/) override {
        const VkBuffer copies = this->Out(Config::copies).buffer.handle();
        const VkBufferCopy current{0, 0, 4};
        vkCmdCopyBuffer(commandBuffer, this->In(Config::stamp).buffer.handle(), copies, 1,
                        &current);
        for (std::uint32_t k = 1; k <= Depth; ++k) {
            const auto earlier = this->History(Config::stamp, k);
            if (earlier.valid) {
                const VkBufferCopy region{0, 4 * VkDeviceSize{k}, 4};
                vkCmdCopyBuffer(commandBuffer, earlier.resource->buffer.handle(), copies, 1,
                                &region);
            } else {
                vkCmdFillBuffer(commandBuffer, copies, 4 * VkDeviceSize{k}, 4, kNotValid);
            }
        }
    }
};

class GpuHistoryTest : public GpuGraphTest {
protected:
    template <std::uint8_t Depth>
    void checkDepth(std::uint32_t framesInFlight) {
        GpuGraph& gpu = makeGraph({}, GpuRuntimeOptions{.framesInFlight = framesInFlight});
        auto stamp = gpu.graph.addNode<StampNode<Depth>>("stamp", *gpu.runtime);
        auto copy = gpu.graph.addNode<HistoryCopyNode<Depth>>("copy", *gpu.runtime);
        auto readback = gpu.graph.addNode<GpuBufferReadbackNode>("readback", *gpu.runtime,
                                                                 VkDeviceSize{4 * (Depth + 1U)});
        gpu.graph.connect(stamp, StampConfig<Depth>::stamp, copy, HistoryCopyConfig<Depth>::stamp);
        gpu.graph.connect(copy, HistoryCopyConfig<Depth>::copies, readback,
                          GpuBufferReadbackConfig::buffer);
        ASSERT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
        EXPECT_EQ(gpu.runtime->bakedFrames(), 2U * (Depth + 1U));
        const auto& reader = static_cast<GpuBufferReadbackNode&>(gpu.graph.node(readback.id));

        std::uint64_t sinceReset = 0;
        for (std::uint32_t frame = 0; frame < 4 * (Depth + 1U) + 3; ++frame) {
            if (frame == 2 * (Depth + 1U) + 1) {  // mid-turn: the bake starts at another position
                gpu.graph.markDirty(stamp.id);    // its rings are made again, as by a resize
                sinceReset = 0;
            }
            ASSERT_TRUE(gpu.runtime->frame()) << "frame " << frame;
            ASSERT_TRUE(gpu.runtime->waitIdle());
            const auto landed = reader.latest();
            ASSERT_TRUE(landed) << "frame " << frame;
            std::array<std::uint32_t, Depth + 1> words{};
            std::memcpy(words.data(), landed->bytes.data(), sizeof words);
            EXPECT_EQ(words[0], frame);
            for (std::uint32_t k = 1; k <= Depth; ++k) {
                EXPECT_EQ(words[k], k <= sinceReset ? frame - k : kNotValid)
                    << "depth " << int{Depth} << ", frame " << frame << ", " << k << " back";
            }
            ++sinceReset;
        }
        // Frames in flight, under synchronization validation: no wait between them.
        for (int frame = 0; frame < 24; ++frame) {
            ASSERT_TRUE(gpu.runtime->frame());
        }
        ASSERT_TRUE(gpu.runtime->waitIdle());
        const auto landed = reader.latest();
        ASSERT_TRUE(landed);
        std::array<std::uint32_t, Depth + 1> words{};
        std::memcpy(words.data(), landed->bytes.data(), sizeof words);
        for (std::uint32_t k = 1; k <= Depth; ++k) {
            EXPECT_EQ(words[k] + k, words[0]) << "in flight, " << k << " back";
        }
    }
};

TEST_F(GpuHistoryTest, ReadsBackExactlyFrameNMinusKForSeveralDepths) {
    checkDepth<1>(2);
    gpuGraph_.reset();
    checkDepth<2>(2);
    gpuGraph_.reset();
    checkDepth<3>(3);
}

/// The validation layer allocates while it checks each command: steady-state proofs run
/// without it (the tests above run the same graph with it).
class GpuHistorySteadyStateTest : public GpuGraphTest {
protected:
    [[nodiscard]] bool validation() const override { return false; }
};

TEST_F(GpuHistorySteadyStateTest, ARingWithFramesInFlightAllocatesAndCreatesNothing) {
    GpuGraph& gpu = makeGraph();
    auto stamp = gpu.graph.addNode<StampNode<2>>("stamp", *gpu.runtime);
    auto copy = gpu.graph.addNode<HistoryCopyNode<2>>("copy", *gpu.runtime);
    auto readback =
        gpu.graph.addNode<GpuBufferReadbackNode>("readback", *gpu.runtime, VkDeviceSize{12});
    gpu.graph.connect(stamp, StampConfig<2>::stamp, copy, HistoryCopyConfig<2>::stamp);
    gpu.graph.connect(copy, HistoryCopyConfig<2>::copies, readback,
                      GpuBufferReadbackConfig::buffer);
    ASSERT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
    expectSteadyFrames(gpu, 1000);
    ASSERT_TRUE(gpu.runtime->waitIdle());
    const auto landed = static_cast<GpuBufferReadbackNode&>(gpu.graph.node(readback.id)).latest();
    ASSERT_TRUE(landed);
    std::array<std::uint32_t, 3> words{};
    std::memcpy(words.data(), landed->bytes.data(), sizeof words);
    EXPECT_EQ(words[1] + 1, words[0]);
    EXPECT_EQ(words[2] + 2, words[0]);
}

}  // namespace
}  // namespace vixen::nodes
