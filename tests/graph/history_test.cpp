// Frame history on the GPU-free graph: rings of integers that hold the frame index, read
// back through History() from the producer and through a consumer's history input.
#include <gtest/gtest.h>

#include <array>

#include "vixen/core/alloc_tracker.hpp"
#include "vixen/graph/render_graph.hpp"
#include "vixen/graph/sub_graph.hpp"

namespace vixen::graph {
namespace {

/// What a node saw of one earlier frame: -1 when History said it was not valid.
constexpr std::int64_t kInvalid = -1;

template <std::uint8_t Depth>
struct FrameWriterConfig {
    static constexpr std::string_view kTypeName = "FrameWriter";
    static constexpr Output<"frame", std::int64_t,
                            SlotOptions{.access = Access::Write, .history = Depth}>
        frame{};
    static constexpr SlotList slots{frame};
    static constexpr bool kSideEffects = true;
};

/// Writes this frame's index and reads its own history: seen[k] is frame k back.
template <std::uint8_t Depth>
class FrameWriterNode : public TypedNode<FrameWriterConfig<Depth>> {
    using Config = FrameWriterConfig<Depth>;

public:
    std::array<std::int64_t, kMaxHistoryDepth + 2> seen{};
    std::uint32_t ringSize = 0;

protected:
    Result<void> compile(const CompileContext& /*context*/) override {
        ringSize = this->HistoryRingOf(Config::frame).size();
        return {};
    }
    void execute(const ExecuteContext& context) override {
        this->Out(Config::frame) = static_cast<std::int64_t>(context.frameIndex);
        for (std::uint32_t k = 0; k < seen.size(); ++k) {
            const HistoryView<std::int64_t> view = this->History(Config::frame, k);
            seen[k] = view.valid ? *view.resource : kInvalid;
        }
    }
};

template <std::uint8_t Depth>
struct HistoryReaderConfig {
    static constexpr std::string_view kTypeName = "HistoryReader";
    static constexpr Input<"frame", std::int64_t, SlotOptions{.history = Depth}> frame{};
    static constexpr SlotList slots{frame};
};

/// Reads its producer's current frame and the `Depth` before it.
template <std::uint8_t Depth>
class HistoryReaderNode : public TypedNode<HistoryReaderConfig<Depth>> {
    using Config = HistoryReaderConfig<Depth>;

public:
    std::int64_t current = kInvalid;
    std::array<std::int64_t, Depth + 1> seen{};
    [[nodiscard]] HistoryView<const std::int64_t> historyOf(std::uint32_t framesAgo) const {
        return this->History(Config::frame, framesAgo);
    }

protected:
    void execute(const ExecuteContext& /*context*/) override {
        current = this->In(Config::frame);
        for (std::uint32_t k = 1; k <= Depth; ++k) {
            const auto view = this->History(Config::frame, k);
            seen[k] = view.valid ? *view.resource : kInvalid;
        }
    }
};

template <std::uint8_t Depth>
void expectHistoryOfFrame(const FrameWriterNode<Depth>& writer, std::int64_t frame,
                          std::uint64_t framesSinceReset) {
    for (std::uint32_t k = 1; k <= Depth; ++k) {
        const std::int64_t expected = k <= framesSinceReset ? frame - k : kInvalid;
        EXPECT_EQ(writer.seen[k], expected) << "frame " << frame << ", " << k << " back";
    }
    EXPECT_EQ(writer.seen[0], kInvalid) << "0 frames back is this frame's, not history";
    EXPECT_EQ(writer.seen[Depth + 1], kInvalid) << "beyond the declared depth";
}

template <std::uint8_t Depth>
void checkDepth() {
    RenderGraph graph;
    auto writer = graph.addNode<FrameWriterNode<Depth>>("writer");
    ASSERT_TRUE(graph.compile());
    auto& node = static_cast<FrameWriterNode<Depth>&>(graph.node(writer.id));
    EXPECT_EQ(node.ringSize, Depth + 1U);
    for (std::int64_t frame = 0; frame < 3 * (Depth + 1); ++frame) {
        graph.execute();
        expectHistoryOfFrame(node, frame, static_cast<std::uint64_t>(frame));
    }
}

TEST(FrameHistoryTest, EachDepthReadsBackExactlyFrameNMinusK) {
    checkDepth<1>();
    checkDepth<2>();
    checkDepth<3>();
    checkDepth<kMaxHistoryDepth>();
}

TEST(FrameHistoryTest, AConsumerReadsItsProducersHistoryAndThisFrameThroughItsInput) {
    RenderGraph graph;
    auto writer = graph.addNode<FrameWriterNode<3>>("writer");
    auto reader = graph.addNode<HistoryReaderNode<2>>("reader");
    graph.connect(writer, FrameWriterConfig<3>::frame, reader, HistoryReaderConfig<2>::frame);
    ASSERT_TRUE(graph.compile());
    auto& node = static_cast<HistoryReaderNode<2>&>(graph.node(reader.id));
    for (std::int64_t frame = 0; frame < 10; ++frame) {
        graph.execute();
        EXPECT_EQ(node.current, frame);
        EXPECT_EQ(node.seen[1], frame >= 1 ? frame - 1 : kInvalid);
        EXPECT_EQ(node.seen[2], frame >= 2 ? frame - 2 : kInvalid);
    }
}

TEST(FrameHistoryTest, ARecompileOfTheProducerOrAResetInvalidatesItsHistory) {
    RenderGraph graph;
    auto writer = graph.addNode<FrameWriterNode<2>>("writer");
    ASSERT_TRUE(graph.compile());
    auto& node = static_cast<FrameWriterNode<2>&>(graph.node(writer.id));
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(graph.frame());
    }
    expectHistoryOfFrame(node, 4, 4);

    graph.markDirty(writer.id);  // as a resize would
    ASSERT_TRUE(graph.frame());
    expectHistoryOfFrame(node, 5, 0);
    ASSERT_TRUE(graph.frame());
    expectHistoryOfFrame(node, 6, 1);
    ASSERT_TRUE(graph.frame());
    expectHistoryOfFrame(node, 7, 2);

    graph.resetHistory(writer.id);  // a camera cut
    ASSERT_TRUE(graph.frame());
    expectHistoryOfFrame(node, 8, 0);
}

TEST(FrameHistoryTest, ARecompileOfAConsumerAloneKeepsTheHistory) {
    RenderGraph graph;
    auto writer = graph.addNode<FrameWriterNode<2>>("writer");
    auto reader = graph.addNode<HistoryReaderNode<2>>("reader");
    graph.connect(writer, FrameWriterConfig<2>::frame, reader, HistoryReaderConfig<2>::frame);
    ASSERT_TRUE(graph.compile());
    for (int i = 0; i < 4; ++i) {
        ASSERT_TRUE(graph.frame());
    }
    graph.markDirty(reader.id);
    ASSERT_TRUE(graph.frame());
    const auto& node = static_cast<HistoryReaderNode<2>&>(graph.node(reader.id));
    EXPECT_EQ(node.current, 4);
    EXPECT_EQ(node.seen[1], 3);
    EXPECT_EQ(node.seen[2], 2);
}

TEST(FrameHistoryTest, AnInputReadsNoDeeperThanItDeclares) {
    RenderGraph graph;
    auto writer = graph.addNode<FrameWriterNode<3>>("writer");
    auto reader = graph.addNode<HistoryReaderNode<1>>("reader");
    graph.connect(writer, FrameWriterConfig<3>::frame, reader, HistoryReaderConfig<1>::frame);
    ASSERT_TRUE(graph.compile());
    for (int i = 0; i < 5; ++i) {
        graph.execute();
    }
    auto& node = static_cast<HistoryReaderNode<1>&>(graph.node(reader.id));
    EXPECT_EQ(node.seen[1], 3);
    EXPECT_FALSE(node.historyOf(2).valid) << "the producer keeps 3, the input declares 1";
    EXPECT_EQ(node.historyOf(2).resource, nullptr);
}

TEST(FrameHistoryTest, AnUnwoundFrameTurnsTheRingsBack) {
    RenderGraph graph;
    auto writer = graph.addNode<FrameWriterNode<1>>("writer");
    ASSERT_TRUE(graph.compile());
    auto& node = static_cast<FrameWriterNode<1>&>(graph.node(writer.id));
    graph.execute();  // frame 0 into element 0
    graph.execute();  // frame 1 into element 1
    EXPECT_EQ(graph.historyClock(), 2U);
    graph.unwindFrame();  // frame 1 never reached the device: element 1 is stale again
    EXPECT_EQ(graph.historyClock(), 1U);
    EXPECT_EQ(graph.historyRings()[0].position, 1U);
    graph.execute();  // frame index 2 written where frame 1 failed
    EXPECT_EQ(node.seen[1], kInvalid) << "after an unwound frame no earlier frame is trusted";
    graph.execute();
    EXPECT_EQ(node.seen[1], 2);
}

TEST(FrameHistoryTest, AnInputCannotReadDeeperThanItsProducerKeeps) {
    RenderGraph graph;
    auto writer = graph.addNode<FrameWriterNode<1>>("writer");
    auto reader = graph.addNode<HistoryReaderNode<2>>("reader");
    graph.connect(writer, FrameWriterConfig<1>::frame, reader, HistoryReaderConfig<2>::frame);
    const Result<void> compiled = graph.compile();
    ASSERT_FALSE(compiled);
    EXPECT_NE(
        compiled.error().message.find("node 'reader' (HistoryReader): input 'frame' reads 2 "
                                      "frame(s) back, but output 'frame' of 'writer' keeps 1"),
        std::string::npos)
        << compiled.error().message;
}

TEST(FrameHistoryTest, RingsThatTurnTogetherTooRarelyAreRefused) {
    RenderGraph graph;
    graph.addNode<FrameWriterNode<4>>("five");
    graph.addNode<FrameWriterNode<6>>("seven");
    graph.addNode<FrameWriterNode<7>>("eight");
    const Result<void> compiled = graph.compile();
    ASSERT_FALSE(compiled);
    EXPECT_NE(compiled.error().message.find("turn together only after more than 256 frames"),
              std::string::npos)
        << compiled.error().message;

    RenderGraph fits;
    fits.addNode<FrameWriterNode<1>>("two");
    fits.addNode<FrameWriterNode<3>>("four");
    fits.addNode<FrameWriterNode<7>>("eight");
    ASSERT_TRUE(fits.compile());
    EXPECT_EQ(fits.historyPeriod(), 8U);
}

struct LoopedWriterConfig {
    static constexpr std::string_view kTypeName = "LoopedWriter";
    static constexpr Output<"frame", std::int64_t,
                            SlotOptions{.access = Access::Write, .history = 1}>
        frame{};
    static constexpr SlotList slots{frame};
};

class LoopedWriter : public SubGraph<LoopedWriterConfig> {
protected:
    void build(SubGraphBuilder<LoopedWriterConfig>& b) override {
        auto writer = b.addNode<FrameWriterNode<1>>("writer");
        b.exposeOutput(LoopedWriterConfig::frame, writer, FrameWriterConfig<1>::frame);
    }
};

TEST(FrameHistoryTest, HistoryInsideALoopIsRefusedNamingTheLoop) {
    RenderGraph graph;
    auto loop = graph.addLoop<LoopedWriter>("physics", LoopPolicy::everyKthFrame(2));
    ASSERT_TRUE(loop) << loop.error().message;
    graph.setKeepAlive(graph.findNode("physics/writer")->id());
    const Result<void> compiled = graph.compile();
    ASSERT_FALSE(compiled);
    EXPECT_NE(compiled.error().message.find(
                  "node 'physics/writer' (FrameWriter): history slots cannot be in loop 'physics'"),
              std::string::npos)
        << compiled.error().message;
}

TEST(FrameHistoryTest, ParallelExecutionRotatesLikeSequential) {
    RenderGraph graph(GraphOptions{.mode = ExecutionMode::Parallel, .workerThreads = 2});
    auto writer = graph.addNode<FrameWriterNode<3>>("writer");
    auto reader = graph.addNode<HistoryReaderNode<3>>("reader");
    graph.connect(writer, FrameWriterConfig<3>::frame, reader, HistoryReaderConfig<3>::frame);
    ASSERT_TRUE(graph.compile());
    auto& node = static_cast<HistoryReaderNode<3>&>(graph.node(reader.id));
    for (std::int64_t frame = 0; frame < 12; ++frame) {
        graph.execute();
        EXPECT_EQ(node.current, frame);
        for (std::uint32_t k = 1; k <= 3; ++k) {
            EXPECT_EQ(node.seen[k], frame >= k ? frame - k : kInvalid);
        }
    }
}

TEST(FrameHistoryTest, RotationAllocatesNothingOver1000Frames) {
    RenderGraph graph;
    auto writer = graph.addNode<FrameWriterNode<3>>("writer");
    auto reader = graph.addNode<HistoryReaderNode<3>>("reader");
    graph.connect(writer, FrameWriterConfig<3>::frame, reader, HistoryReaderConfig<3>::frame);
    ASSERT_TRUE(graph.compile());
    ASSERT_TRUE(graph.frame());
    auto& node = static_cast<HistoryReaderNode<3>&>(graph.node(reader.id));
    {
        core::NoAllocationGuard guard;
        for (int i = 0; i < 1000; ++i) {
            ASSERT_TRUE(graph.frame());
        }
        EXPECT_TRUE(guard.ok()) << guard.describe();
    }
    EXPECT_EQ(node.current, 1000);
    EXPECT_EQ(node.seen[3], 997);
}

}  // namespace
}  // namespace vixen::graph
