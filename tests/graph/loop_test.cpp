#include <gtest/gtest.h>

#include <array>
#include <chrono>

#include "sub_graph_test_nodes.hpp"
#include "vixen/core/alloc_tracker.hpp"
#include "vixen/graph/sub_graph.hpp"

namespace vixen::graph {
namespace {

using namespace std::chrono_literals;
using testing::Body;
using testing::BodyConfig;
using testing::Chain;
using testing::ChainConfig;
using testing::FakeClock;
using testing::Log;
using testing::ProbeConfig;
using testing::ProbeNode;
using testing::StepConfig;
using testing::StepNode;
using testing::stepNode;
using testing::SumConfig;
using testing::SumNode;

GraphOptions withClock(GraphOptions options, const FrameClock& clock) {
    options.clock = &clock;
    return options;
}

/// before -> loop 'physics' (a -> b) -> after (kept alive) and probe, on a fake clock.
struct LoopGraph {
    explicit LoopGraph(const LoopPolicy& policy, Log* trace = nullptr, std::uint64_t scratch = 0)
        : graph(withClock({}, clock)) {
        auto before = graph.addNode<StepNode>("before", trace);
        auto added = graph.addLoop<Body>("physics", policy, trace, scratch);
        EXPECT_TRUE(added) << added.error().message;
        loop = *added;
        auto after = graph.addNode<StepNode>("after", trace);
        graph.setKeepAlive(after.id);
        probe = graph.addNode<ProbeNode>("probe");
        graph.connect(before, StepConfig::out, loop, BodyConfig::in);
        graph.connect(loop, BodyConfig::out, after, StepConfig::in);
        graph.connect(loop, BodyConfig::out, probe, ProbeConfig::value);
        EXPECT_TRUE(graph.compile()) << graph.report().describe(graph);
    }
    /// Advances the clock, runs a frame and returns the loop's steps in it.
    std::uint32_t frame(std::chrono::nanoseconds elapsed) {
        clock.advance(elapsed);
        EXPECT_TRUE(graph.frame());
        return state().steps();
    }
    [[nodiscard]] const LoopState& state() const { return graph.subGraph(loop).loop(); }
    [[nodiscard]] StepNode& a() const { return stepNode(graph, "physics/a"); }
    [[nodiscard]] StepNode& b() const { return stepNode(graph, "physics/b"); }
    [[nodiscard]] int seen() const { return static_cast<ProbeNode&>(graph.node(probe.id)).seen; }

    FakeClock clock;
    RenderGraph graph;
    SubGraphHandle<Body> loop;
    NodeHandle<ProbeNode> probe;
};

std::vector<std::uint32_t> stepsOver(LoopGraph& loop,
                                     std::initializer_list<std::chrono::nanoseconds> frames) {
    std::vector<std::uint32_t> steps;
    for (const std::chrono::nanoseconds elapsed : frames) {
        steps.push_back(loop.frame(elapsed));
    }
    return steps;
}

TEST(LoopTest, EveryFrameStepsOncePerFrame) {
    LoopGraph loop(LoopPolicy::everyFrame());
    EXPECT_EQ(stepsOver(loop, {0ms, 16ms, 100ms, 1ms, 0ms}),
              (std::vector<std::uint32_t>{1, 1, 1, 1, 1}));
    const LoopCounters& counters = loop.state().counters();
    EXPECT_EQ(counters.frames, 5U);
    EXPECT_EQ(counters.steps, 5U);
    EXPECT_EQ(counters.skippedFrames, 0U);
    EXPECT_EQ(loop.b().executions, 5);
    EXPECT_EQ(loop.b().lastSteps, 1U);
    EXPECT_EQ(loop.b().lastStepSeconds, 0.0);
}

TEST(LoopTest, EveryThirdFrameWithPhaseOneStepsOnFramesOneFourSeven) {
    LoopGraph loop(LoopPolicy::everyKthFrame(3, 1));
    loop.a().framesRun.reserve(16);
    std::vector<std::uint32_t> steps;
    for (int frame = 0; frame < 10; ++frame) {
        steps.push_back(loop.frame(16ms));
    }
    EXPECT_EQ(steps, (std::vector<std::uint32_t>{0, 1, 0, 0, 1, 0, 0, 1, 0, 0}));
    EXPECT_EQ(loop.a().framesRun, (std::vector<std::uint64_t>{1, 4, 7}));
    EXPECT_EQ(loop.a().skips, 7);
    EXPECT_EQ(loop.state().counters().steps, 3U);
    EXPECT_EQ(loop.state().counters().skippedFrames, 7U);
    EXPECT_EQ(stepNode(loop.graph, "after").executions, 10);  // outside the loop: every frame
}

TEST(LoopTest, FixedStepAt60HzTakesExactStepCountsAndClampsAfterTheCap) {
    LoopGraph loop(LoopPolicy::fixedStep(60, 4));
    // First frame: one step. 16.6 ms: short of a step. 7 ms: 23.6 ms, one step. 40 ms:
    // 46.9 ms, two. 100 ms: 113.6 ms wants six, the cap takes four, one is carried and one
    // dropped. Then 0 ms: the carried step.
    EXPECT_EQ(stepsOver(loop, {0ms, 16600us, 7ms, 40ms}), (std::vector<std::uint32_t>{1, 0, 1, 2}));
    EXPECT_EQ(loop.frame(100ms), 4U);
    EXPECT_EQ(loop.state().accumulated(), 16'666'666ns);  // clamped to one step
    EXPECT_EQ(loop.b().lastStep, 3U);
    EXPECT_EQ(loop.b().lastSteps, 4U);
    EXPECT_DOUBLE_EQ(loop.b().lastStepSeconds, 1.0 / 60.0);
    EXPECT_EQ(loop.frame(0ms), 1U);
    EXPECT_EQ(loop.state().accumulated(), 0ns);
    const LoopCounters& counters = loop.state().counters();
    EXPECT_EQ(counters.steps, 9U);
    EXPECT_EQ(counters.skippedFrames, 1U);
    EXPECT_EQ(counters.droppedSteps, 1U);
    EXPECT_EQ(loop.a().executions, 9);
    EXPECT_EQ(loop.a().skips, 1);
}

TEST(LoopTest, FixedStepAt120HzDropsWhatTheCapCannotCarry) {
    LoopGraph loop(LoopPolicy::fixedStep(120, 2));
    EXPECT_EQ(stepsOver(loop, {0ms, 16600us, 7ms}), (std::vector<std::uint32_t>{1, 1, 1}));
    // 40 ms on 6.9 ms: five steps wanted, two taken, one carried, two dropped.
    EXPECT_EQ(loop.frame(40ms), 2U);
    EXPECT_EQ(loop.state().accumulated(), 8'333'333ns);
    EXPECT_EQ(loop.state().counters().droppedSteps, 2U);
    // 100 ms on the carried step: exactly thirteen wanted, two taken, one carried.
    EXPECT_EQ(loop.frame(100ms), 2U);
    EXPECT_EQ(loop.state().accumulated(), 8'333'333ns);
    EXPECT_EQ(loop.state().counters().droppedSteps, 12U);
    EXPECT_EQ(loop.frame(0ms), 1U);
    EXPECT_EQ(loop.state().counters().steps, 8U);
    EXPECT_EQ(loop.state().counters().skippedFrames, 0U);
}

TEST(LoopTest, TheBodyRunsAsAUnitOncePerStep) {
    Log trace;
    LoopGraph loop(LoopPolicy::fixedStep(60, 4), &trace);
    loop.frame(0ms);
    trace.clear();
    EXPECT_EQ(loop.frame(40ms), 2U);
    EXPECT_EQ(trace, (Log{"before#0", "physics/a#0", "physics/b#0", "physics/a#1", "physics/b#1",
                          "after#0"}));
}

TEST(LoopTest, SkippedFramesCallSkipAndLeaveOutputsUntouched) {
    LoopGraph loop(LoopPolicy::everyKthFrame(2));
    EXPECT_EQ(loop.frame(16ms), 1U);
    const int first = loop.seen();
    EXPECT_EQ(loop.frame(16ms), 0U);
    EXPECT_EQ(loop.seen(), first);
    EXPECT_EQ(loop.b().skips, 1);
    EXPECT_EQ(loop.b().executions, 1);
    EXPECT_EQ(loop.frame(16ms), 1U);
    EXPECT_NE(loop.seen(), first);
    EXPECT_EQ(loop.b().executions, 2);
}

struct LeakyConfig {
    static constexpr std::string_view kTypeName = "Leaky";
    static constexpr Input<"back", int, SlotOptions{.nullable = true}> back{};
    static constexpr Output<"mid", int> mid{};
    static constexpr Output<"out", int> out{};
    static constexpr SlotList slots{back, mid, out};
};

/// a and b, unconnected inside: a's output leaves as `mid`, `back` comes in to b.
class Leaky : public SubGraph<LeakyConfig> {
protected:
    void build(SubGraphBuilder<LeakyConfig>& b) override {
        auto a = b.addNode<StepNode>("a");
        auto c = b.addNode<StepNode>("b");
        b.exposeOutput(LeakyConfig::mid, a, StepConfig::out);
        b.exposeInput(LeakyConfig::back, c, StepConfig::in);
        b.exposeOutput(LeakyConfig::out, c, StepConfig::out);
    }
};

TEST(LoopTest, ALoopThatAPathLeavesAndReentersIsRefusedByName) {
    for (const bool asLoop : {true, false}) {
        RenderGraph graph;
        auto leaky = asLoop ? graph.addLoop<Leaky>("physics", LoopPolicy::everyFrame())
                            : graph.addSubGraph<Leaky>("physics");
        ASSERT_TRUE(leaky);
        auto outside = graph.addNode<StepNode>("x");
        auto probe = graph.addNode<ProbeNode>("probe");
        graph.connect(*leaky, LeakyConfig::mid, outside, StepConfig::in);
        graph.connect(outside, StepConfig::out, *leaky, LeakyConfig::back);
        graph.connect(*leaky, LeakyConfig::out, probe, ProbeConfig::value);
        const Result<void> compiled = graph.compile();
        if (!asLoop) {
            EXPECT_TRUE(compiled) << compiled.error().message;  // a plain sub-graph is no unit
            continue;
        }
        ASSERT_FALSE(compiled);
        ASSERT_EQ(graph.report().errors.size(), 1U);
        EXPECT_EQ(graph.report().errors.front().code, ErrorCode::Cycle);
        EXPECT_EQ(graph.report().errors.front().message,
                  "loop 'physics' is not convex: 'physics/a' -> 'x' -> 'physics/b' leaves the "
                  "loop and comes back through 'x', so its body cannot run as one unit; move "
                  "'x' into the loop or off that path");
    }
}

/// source -> chain -> fast loop (60 Hz, cap 3) -> join; source -> slow loop (every 2nd
/// frame) -> join; chain -> two side nodes beside the loops. Probes on join and the sides.
struct MixedGraph {
    explicit MixedGraph(GraphOptions options) : graph(withClock(options, clock)) {
        auto source = graph.addNode<SumNode>("source", 2);
        auto chain = *graph.addSubGraph<Chain>("chain");
        auto fast = *graph.addLoop<Body>("fast", LoopPolicy::fixedStep(60, 3));
        auto slow = *graph.addLoop<Body>("slow", LoopPolicy::everyKthFrame(2));
        auto join = graph.addNode<SumNode>("join", 0);
        graph.connect(source, SumConfig::value, chain, ChainConfig::source);
        graph.connect(chain, ChainConfig::result, fast, BodyConfig::in);
        graph.connect(source, SumConfig::value, slow, BodyConfig::in);
        graph.connect(fast, BodyConfig::out, join, SumConfig::terms);
        graph.connect(slow, BodyConfig::out, join, SumConfig::terms);
        probes.push_back(graph.addNode<ProbeNode>("joinProbe"));
        graph.connect(join, SumConfig::value, probes.back(), ProbeConfig::value);
        for (const char* side : {"side1", "side2"}) {
            auto node = graph.addNode<StepNode>(side);
            graph.connect(chain, ChainConfig::result, node, StepConfig::in);
            probes.push_back(graph.addNode<ProbeNode>(std::string(side) + "Probe"));
            graph.connect(node, StepConfig::out, probes.back(), ProbeConfig::value);
        }
        loops = {fast, slow};
    }
    void frame(int index) {
        static constexpr std::array<std::chrono::nanoseconds, 5> kFrameTimes{16600us, 7ms, 40ms,
                                                                             100ms, 3ms};
        clock.advance(kFrameTimes[static_cast<std::size_t>(index) % kFrameTimes.size()]);
        ASSERT_TRUE(graph.frame());
    }
    [[nodiscard]] std::vector<int> seen() const {
        std::vector<int> values;
        for (const auto probe : probes) {
            values.push_back(static_cast<ProbeNode&>(graph.node(probe.id)).seen);
        }
        return values;
    }

    FakeClock clock;
    RenderGraph graph;
    std::vector<NodeHandle<ProbeNode>> probes;
    std::array<SubGraphHandle<Body>, 2> loops;
};

TEST(LoopTest, ParallelExecutionMatchesSequential) {
    MixedGraph sequential(GraphOptions{});
    MixedGraph parallel(GraphOptions{.mode = ExecutionMode::Parallel, .workerThreads = 3});
    ASSERT_TRUE(sequential.graph.compile()) << sequential.graph.report().describe(sequential.graph);
    ASSERT_TRUE(parallel.graph.compile());
    EXPECT_EQ(sequential.graph.report().order, parallel.graph.report().order);
    for (int frame = 0; frame < 60; ++frame) {
        sequential.frame(frame);
        parallel.frame(frame);
        ASSERT_EQ(sequential.seen(), parallel.seen()) << "frame " << frame;
    }
    for (std::size_t i = 0; i < sequential.loops.size(); ++i) {
        const LoopCounters& expected =
            sequential.graph.subGraph(sequential.loops[i]).loop().counters();
        const LoopCounters& actual = parallel.graph.subGraph(parallel.loops[i]).loop().counters();
        EXPECT_EQ(expected.steps, actual.steps);
        EXPECT_EQ(expected.skippedFrames, actual.skippedFrames);
        EXPECT_EQ(expected.droppedSteps, actual.droppedSteps);
    }
    EXPECT_GT(sequential.graph.subGraph(sequential.loops[0]).loop().counters().droppedSteps, 0U);
}

TEST(LoopTest, SteadyFramesWithASubGraphAndTwoLoopsAllocateNothing) {
    for (const ExecutionMode mode : {ExecutionMode::Sequential, ExecutionMode::Parallel}) {
        MixedGraph mixed(GraphOptions{.mode = mode, .workerThreads = 2});
        ASSERT_TRUE(mixed.graph.compile()) << mixed.graph.report().describe(mixed.graph);
        mixed.frame(0);  // warm-up
        core::NoAllocationGuard guard(core::TrackScope::AllThreads);
        for (int frame = 1; frame <= 1000; ++frame) {
            mixed.frame(frame);
        }
        EXPECT_TRUE(guard.ok()) << guard.describe();
        EXPECT_EQ(mixed.graph.allocations().frames().framesThatAllocated, 0U);
        EXPECT_GT(mixed.graph.subGraph(mixed.loops[0]).loop().counters().steps, 1000U);
    }
}

struct NoSlotsConfig {
    static constexpr std::string_view kTypeName = "NoSlots";
    static constexpr SlotList slots{};
};

/// A sub-graph holding a loop (with nothing wired: only its declaration matters here).
class HoldsALoop : public SubGraph<NoSlotsConfig> {
protected:
    void build(SubGraphBuilder<NoSlotsConfig>& b) override {
        b.addLoop<Body>("inner", LoopPolicy::everyFrame());
    }
};

TEST(LoopTest, BadPoliciesAndNestedLoopsAreRefusedWithTheLoopNamed) {
    RenderGraph graph;
    const auto refused = [&](const LoopPolicy& policy) {
        const auto added = graph.addLoop<Body>("physics", policy);
        EXPECT_FALSE(added);
        return added ? std::string() : added.error().message;
    };
    EXPECT_EQ(refused(LoopPolicy::fixedStep(0, 4)),
              "loop 'physics': a fixed step of 0 Hz is out of range; give 1 to 1000000 Hz");
    EXPECT_EQ(refused(LoopPolicy::everyKthFrame(0)),
              "loop 'physics': every 0th frame is no rate; give k >= 1 (1 = every frame)");
    EXPECT_EQ(refused(LoopPolicy::fixedStep(60, 0)),
              "loop 'physics': a cap of 0 steps per frame never steps; give a cap of at least 1");
    EXPECT_EQ(refused(LoopPolicy::everyKthFrame(3, 3)),
              "loop 'physics': phase 3 never comes up every 3 frames; give a phase below 3");
    const auto nested = graph.addLoop<HoldsALoop>("outer", LoopPolicy::everyFrame());
    ASSERT_FALSE(nested);
    EXPECT_EQ(nested.error().message,
              "loop 'outer/inner' is inside loop 'outer': loops do not nest; make one of them a "
              "plain sub-graph");
    EXPECT_EQ(graph.nodeCount(), 0U);
    ASSERT_TRUE(graph.addSubGraph<HoldsALoop>("plain"));  // a loop inside a plain sub-graph
    EXPECT_TRUE(graph.findSubGraph("plain/inner")->isLoop());
}

TEST(LoopTest, FrameScratchHoldsEveryStepOfALoop) {
    constexpr std::uint64_t kScratch = 256;
    LoopGraph loop(LoopPolicy::fixedStep(60, 3), nullptr, kScratch);
    EXPECT_EQ(loop.graph.report().totalEstimate.frameScratchBytes, 3 * kScratch);
    EXPECT_EQ(loop.frame(0ms), 1U);
    EXPECT_EQ(loop.frame(100ms), 3U);
    EXPECT_EQ(loop.a().executions, 4);
    EXPECT_EQ(loop.a().scratchFailures, 0);
}

}  // namespace
}  // namespace vixen::graph
