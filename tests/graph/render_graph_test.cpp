#include "vixen/graph/render_graph.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "test_nodes.hpp"
#include "vixen/core/alloc_tracker.hpp"
#include "vixen/events/engine_events.hpp"

namespace vixen::graph {
namespace {

using testing::FloatSourceNode;
using testing::InPlaceConfig;
using testing::InPlaceNode;
using testing::Log;
using testing::ProbeConfig;
using testing::ProbeNode;
using testing::SumConfig;
using testing::SumNode;

struct LateReaderConfig {
    static constexpr std::string_view kTypeName = "LateReader";
    static constexpr Input<"value", int, SlotOptions{.role = SlotRole::Execute}> value{};
    static constexpr SlotList slots{value};
};
struct FlakyConfig {
    static constexpr std::string_view kTypeName = "Flaky";
    static constexpr SlotList slots{};
    static constexpr bool kSideEffects = true;
};
struct HeavyConfig {
    static constexpr std::string_view kTypeName = "Heavy";
    static constexpr SlotList slots{};
    static constexpr bool kSideEffects = true;
};

struct SizedConfig {
    static constexpr std::string_view kTypeName = "Sized";
    static constexpr Input<"upstream", int, SlotOptions{.nullable = true}> upstream{};
    static constexpr Output<"size", int> size{};
    static constexpr SlotList slots{upstream, size};
};

/// Listens to swapchain and framebuffer invalidation, as a framebuffer-owning pass would.
class SizedNode : public TypedNode<SizedConfig> {
protected:
    void setup(SetupContext& context) override {
        context.estimate().eventsPerFrame = 1;
        context.invalidateOn<events::SwapchainInvalidated>();
        context.invalidateOn<events::FramebufferInvalidated>();
    }
    void execute(const ExecuteContext&) override { Out(SizedConfig::size) = 1; }
};

bool hasError(const CompileReport& report, ErrorCode code, std::string_view fragment) {
    return std::any_of(report.errors.begin(), report.errors.end(), [&](const Error& e) {
        return e.code == code && e.message.find(fragment) != std::string::npos;
    });
}

std::vector<std::string> names(const RenderGraph& graph, const std::vector<NodeId>& ids) {
    std::vector<std::string> result;
    for (const NodeId id : ids) {
        result.emplace_back(graph.node(id).name());
    }
    return result;
}

TEST(RenderGraphTest, ValuesFlowThroughTypedSlots) {
    RenderGraph graph;
    auto a = graph.addNode<SumNode>("a", 1);
    auto b = graph.addNode<SumNode>("b", 10);
    auto probe = graph.addNode<ProbeNode>("probe");
    graph.connect(a, SumConfig::value, b, SumConfig::terms);
    graph.connect(a, SumConfig::value, b, SumConfig::terms);
    graph.connect(b, SumConfig::value, probe, ProbeConfig::value);
    ASSERT_TRUE(graph.compile()) << graph.report().describe(graph);
    ASSERT_TRUE(graph.frame());
    EXPECT_EQ(static_cast<ProbeNode&>(graph.node(probe.id)).seen, 12);
    EXPECT_EQ(names(graph, graph.report().order), (std::vector<std::string>{"a", "b", "probe"}));
    EXPECT_EQ(graph.report().waveCount(), 3U);
}

TEST(RenderGraphTest, ReportsEveryErrorInOneCompile) {
    GraphOptions options;
    options.budget.memoryBytes[static_cast<std::size_t>(MemoryKind::DeviceLocal)] = 1000;
    RenderGraph graph(options);
    ResourceEstimate big;
    big.memory(MemoryKind::DeviceLocal) = 800;
    auto x = graph.addNode<SumNode>("x", 1, nullptr, big);
    auto y = graph.addNode<SumNode>("y", 1, nullptr, big);
    auto z = graph.addNode<SumNode>("z");
    graph.connect(x, SumConfig::value, y, SumConfig::terms);
    graph.connect(y, SumConfig::value, z, SumConfig::terms);
    graph.connect(z, SumConfig::value, x, SumConfig::terms);
    auto sink = graph.addNode<ProbeNode>("sink");
    graph.connect(y, SumConfig::value, sink, ProbeConfig::value);
    graph.addNode<ProbeNode>("unwired");
    auto floats = graph.addNode<FloatSourceNode>("floats");
    auto typed = graph.addNode<ProbeNode>("typed");
    ASSERT_TRUE(graph.connect(floats.id, "value", typed.id, "value"));
    graph.addNode<SumNode>("x");

    const Result<void> result = graph.compile();
    ASSERT_FALSE(result);
    const CompileReport& report = graph.report();
    EXPECT_TRUE(hasError(report, ErrorCode::Cycle, "cycle: 'x' -> 'y' -> 'z' -> 'x'"))
        << report.describe(graph);
    EXPECT_TRUE(hasError(report, ErrorCode::MissingInput,
                         "node 'unwired' (Probe): required input 'value' (int)"));
    EXPECT_TRUE(hasError(report, ErrorCode::TypeMismatch,
                         "connection 'floats.value' -> 'typed.value': output 'value' of 'floats' "
                         "carries float, input 'value' of 'typed' takes int"));
    EXPECT_TRUE(hasError(report, ErrorCode::AlreadyExists, "two nodes are named 'x'"));
    EXPECT_TRUE(hasError(report, ErrorCode::OverBudget,
                         "estimated device-local memory 1.56 KiB exceeds the budget of 1000 B; "
                         "largest: 'x' 800 B, 'y' 800 B"));
    EXPECT_EQ(report.errors.size(), 5U) << report.describe(graph);
    EXPECT_NE(result.error().message.find("graph has 5 error(s)"), std::string::npos);
    EXPECT_FALSE(graph.compiled());
}

TEST(RenderGraphTest, UnknownSlotNamesFailAtConnect) {
    RenderGraph graph;
    auto a = graph.addNode<SumNode>("a");
    auto probe = graph.addNode<ProbeNode>("probe");
    const Result<void> badOutput = graph.connect(a.id, "valu", probe.id, "value");
    ASSERT_FALSE(badOutput);
    EXPECT_EQ(badOutput.error().message, "node 'a' (Sum) has no output slot 'valu'");
    const Result<void> badInput = graph.connect(a.id, "value", probe.id, "input");
    ASSERT_FALSE(badInput);
    EXPECT_EQ(badInput.error().message, "node 'probe' (Probe) has no input slot 'input'");
    EXPECT_TRUE(graph.connections().empty());
}

TEST(RenderGraphTest, CullsWhatNothingKeptConsumes) {
    RenderGraph graph;
    auto used = graph.addNode<SumNode>("used");
    auto unused = graph.addNode<SumNode>("unused");
    auto unusedChild = graph.addNode<SumNode>("unusedChild");
    auto kept = graph.addNode<SumNode>("kept");
    graph.connect(unused, SumConfig::value, unusedChild, SumConfig::terms);
    auto probe = graph.addNode<ProbeNode>("probe");
    graph.connect(used, SumConfig::value, probe, ProbeConfig::value);
    graph.setKeepAlive(kept.id);
    ASSERT_TRUE(graph.compile());
    EXPECT_EQ(names(graph, graph.report().culled),
              (std::vector<std::string>{"unused", "unusedChild"}));
    EXPECT_EQ(graph.report().order.size(), 3U);
}

TEST(RenderGraphTest, AGraphThatKeepsNothingIsAnError) {
    RenderGraph graph;
    graph.addNode<SumNode>("lonely");
    ASSERT_FALSE(graph.compile());
    EXPECT_TRUE(hasError(graph.report(), ErrorCode::InvalidArgument, "nothing to execute"));
}

TEST(RenderGraphTest, SingleInputTakesOneConnection) {
    RenderGraph graph;
    auto a = graph.addNode<SumNode>("a");
    auto b = graph.addNode<SumNode>("b");
    auto probe = graph.addNode<ProbeNode>("probe");
    graph.connect(a, SumConfig::value, probe, ProbeConfig::value);
    graph.connect(b, SumConfig::value, probe, ProbeConfig::value);
    ASSERT_FALSE(graph.compile());
    EXPECT_TRUE(hasError(graph.report(), ErrorCode::InvalidArgument,
                         "input 'value' takes one connection but has 2"));
}

TEST(RenderGraphTest, InPlaceWriterBesideAnotherReaderConflicts) {
    RenderGraph graph;
    auto source = graph.addNode<SumNode>("source");
    auto writer = graph.addNode<InPlaceNode>("writer");
    auto reader = graph.addNode<ProbeNode>("reader");
    graph.connect(source, SumConfig::value, writer, InPlaceConfig::target);
    graph.connect(source, SumConfig::value, reader, ProbeConfig::value);
    ASSERT_FALSE(graph.compile());
    EXPECT_TRUE(hasError(graph.report(), ErrorCode::AccessConflict,
                         "resource 'source.value' is written in place by 'writer.target' and "
                         "also used by 'reader.value'"))
        << graph.report().describe(graph);
}

TEST(RenderGraphTest, InPlaceWriterAloneModifiesTheResource) {
    RenderGraph graph;
    auto source = graph.addNode<SumNode>("source", 5);
    auto gate = graph.addNode<SumNode>("gate", 3);
    auto writer = graph.addNode<InPlaceNode>("writer");
    graph.connect(source, SumConfig::value, writer, InPlaceConfig::target);
    graph.connect(gate, SumConfig::value, writer, InPlaceConfig::gate);
    ASSERT_TRUE(graph.compile()) << graph.report().describe(graph);
    graph.execute();
    EXPECT_EQ(static_cast<InPlaceNode&>(graph.node(writer.id)).written, 5 * 2 + 3);
    graph.connect(gate, SumConfig::value, writer, InPlaceConfig::gate);
    ASSERT_FALSE(graph.compile());  // a nullable single input still takes one connection
}

TEST(RenderGraphTest, WavesGroupIndependentNodes) {
    RenderGraph graph;
    auto a = graph.addNode<SumNode>("a");
    auto b = graph.addNode<SumNode>("b");
    auto c = graph.addNode<SumNode>("c");
    auto d = graph.addNode<SumNode>("d");
    auto probe = graph.addNode<ProbeNode>("probe");
    graph.connect(a, SumConfig::value, b, SumConfig::terms);
    graph.connect(a, SumConfig::value, c, SumConfig::terms);
    graph.connect(b, SumConfig::value, d, SumConfig::terms);
    graph.connect(c, SumConfig::value, d, SumConfig::terms);
    graph.connect(d, SumConfig::value, probe, ProbeConfig::value);
    ASSERT_TRUE(graph.compile());
    const CompileReport& report = graph.report();
    ASSERT_EQ(report.waveOffsets, (std::vector<std::uint32_t>{0, 1, 3, 4, 5}));
    graph.execute();
    // a=1, b=c=2, d=5
    EXPECT_EQ(static_cast<ProbeNode&>(graph.node(probe.id)).seen, 5);
}

// a feeds b, c and d; each feeds e: e is reached by three paths.
struct Diamond {
    explicit Diamond(RenderGraph& graph, Log* log) {
        a = graph.addNode<SumNode>("a", 1, log);
        b = graph.addNode<SumNode>("b", 1, log);
        c = graph.addNode<SumNode>("c", 1, log);
        d = graph.addNode<SumNode>("d", 1, log);
        e = graph.addNode<SumNode>("e", 1, log);
        probe = graph.addNode<ProbeNode>("probe");
        for (auto middle : {b, c, d}) {
            graph.connect(a, SumConfig::value, middle, SumConfig::terms);
            graph.connect(middle, SumConfig::value, e, SumConfig::terms);
        }
        graph.connect(e, SumConfig::value, probe, ProbeConfig::value);
    }
    NodeHandle<SumNode> a, b, c, d, e;
    NodeHandle<ProbeNode> probe;
};

TEST(RenderGraphTest, DirtyNodeAndDependentsRecompileOnceInOrder) {
    Log log;
    RenderGraph graph;
    Diamond diamond(graph, &log);
    auto culled = graph.addNode<SumNode>("culled", 1, &log);  // a consumer nothing keeps
    graph.connect(diamond.a, SumConfig::value, culled, SumConfig::terms);
    ASSERT_TRUE(graph.compile());
    log.clear();
    graph.markDirty(diamond.a.id);
    graph.markDirty(diamond.c.id);  // already covered by a: still once
    ASSERT_TRUE(graph.processInvalidations());
    EXPECT_EQ(graph.compileCount(diamond.e.id), 2U);
    EXPECT_EQ(graph.compileCount(diamond.a.id), 2U);
    ASSERT_EQ(log.size(), 10U);
    EXPECT_EQ(log.front(), "cleanup:e");
    EXPECT_EQ(log[4], "cleanup:a");
    EXPECT_EQ(log[5], "recompile:a");
    EXPECT_EQ(log.back(), "recompile:e");
    // Nothing dirty: a second boundary recompiles nothing.
    ASSERT_TRUE(graph.processInvalidations());
    EXPECT_EQ(graph.compileCount(diamond.e.id), 2U);
}

TEST(RenderGraphTest, OneResizeEventRecompilesListenersAndDependentsOnceInOneBatch) {
    RenderGraph graph;
    auto swapchain = graph.addNode<SizedNode>("swapchain");
    auto framebuffer = graph.addNode<SizedNode>("framebuffer");
    auto pass = graph.addNode<SumNode>("pass");
    auto probe = graph.addNode<ProbeNode>("probe");
    graph.connect(swapchain, SizedConfig::size, framebuffer, SizedConfig::upstream);
    graph.connect(framebuffer, SizedConfig::size, pass, SumConfig::terms);
    graph.connect(pass, SumConfig::value, probe, ProbeConfig::value);
    ASSERT_TRUE(graph.compile());
    ASSERT_TRUE(graph.events().emit(events::WindowResized{800, 600}));
    ASSERT_TRUE(graph.frame());
    // WindowResized implies both invalidations; each node listens to both, and is
    // recompiled once; pass depends on framebuffer and follows it.
    EXPECT_EQ(graph.compileCount(swapchain.id), 2U);
    EXPECT_EQ(graph.compileCount(framebuffer.id), 2U);
    EXPECT_EQ(graph.compileCount(pass.id), 2U);
    EXPECT_EQ(graph.allocations().phase(core::Phase::Compile).entries, 2U);
}

TEST(RenderGraphTest, SteadyStateResizeCascadeAllocatesNothing) {
    RenderGraph graph;
    auto swapchain = graph.addNode<SizedNode>("swapchain");
    auto pass = graph.addNode<SumNode>("pass");
    auto probe = graph.addNode<ProbeNode>("probe");
    graph.connect(swapchain, SizedConfig::size, pass, SumConfig::terms);
    graph.connect(pass, SumConfig::value, probe, ProbeConfig::value);
    ASSERT_TRUE(graph.compile());
    ASSERT_TRUE(graph.events().emit(events::WindowResized{640, 480}));
    ASSERT_TRUE(graph.frame());  // warm-up
    core::NoAllocationGuard guard;
    for (int i = 0; i < 50; ++i) {
        ASSERT_TRUE(graph.events().emit(events::WindowResized{640, 480}));
        ASSERT_TRUE(graph.frame());
    }
    EXPECT_TRUE(guard.ok()) << guard.describe();
    EXPECT_EQ(graph.compileCount(pass.id), 52U);
}

TEST(RenderGraphTest, EventsEmittedBeforeCompileAreDeliveredAtTheFirstFrame) {
    RenderGraph graph;
    auto swapchain = graph.addNode<SizedNode>("swapchain");
    graph.setKeepAlive(swapchain.id);
    ASSERT_TRUE(graph.events().emit(events::WindowResized{1, 1}));
    ASSERT_TRUE(graph.compile());
    ASSERT_TRUE(graph.frame());
    EXPECT_EQ(graph.compileCount(swapchain.id), 2U);
}

TEST(RenderGraphTest, EventOverflowSurfacesAsAnErrorAtTheFrameBoundary) {
    RenderGraph graph;
    auto swapchain = graph.addNode<SizedNode>("swapchain");
    graph.setKeepAlive(swapchain.id);
    ASSERT_TRUE(graph.compile());
    std::size_t accepted = 0;
    for (int i = 0; i < 1000; ++i) {
        accepted += graph.events().emit(events::WindowResized{2, 2}) ? 1U : 0U;
    }
    const Result<void> frame = graph.frame();
    ASSERT_FALSE(frame);
    EXPECT_EQ(frame.error().code, ErrorCode::CapacityExceeded);
    EXPECT_NE(frame.error().message.find(std::to_string(1000 - accepted) + " events dropped"),
              std::string::npos)
        << frame.error().message;
    EXPECT_EQ(graph.compileCount(swapchain.id), 2U);  // what fit was still handled, once
    EXPECT_TRUE(graph.frame());
}

struct ScratchUserConfig {
    static constexpr std::string_view kTypeName = "ScratchUser";
    static constexpr SlotList slots{};
    static constexpr bool kSideEffects = true;
};

/// Takes 256 floats of per-frame scratch every frame and sums them.
class ScratchUser : public TypedNode<ScratchUserConfig> {
public:
    int framesWithScratch = 0;

protected:
    void setup(SetupContext& context) override {
        context.estimate().frameScratchBytes = 256 * sizeof(float);
    }
    void execute(const ExecuteContext& context) override {
        std::span<float> values = context.scratch->allocateArrayNoGrow<float>(256);
        if (values.size() == 256) {
            values[255] = 1.0F;
            framesWithScratch += static_cast<int>(values[255]);
        }
    }
};

TEST(RenderGraphTest, FrameScratchIsSizedFromEstimatesAndRewoundEachFrame) {
    for (const ExecutionMode mode : {ExecutionMode::Sequential, ExecutionMode::Parallel}) {
        RenderGraph graph(GraphOptions{.mode = mode, .workerThreads = 2});
        std::vector<NodeHandle<ScratchUser>> users;
        for (int i = 0; i < 4; ++i) {
            users.push_back(graph.addNode<ScratchUser>("user" + std::to_string(i)));
        }
        ASSERT_TRUE(graph.compile());
        EXPECT_EQ(graph.report().totalEstimate.frameScratchBytes, 4 * 256 * sizeof(float));
        core::NoAllocationGuard guard(core::TrackScope::AllThreads);
        for (int frame = 0; frame < 50; ++frame) {
            ASSERT_TRUE(graph.frame());
        }
        EXPECT_TRUE(guard.ok()) << guard.describe();
        for (const auto& user : users) {
            EXPECT_EQ(static_cast<ScratchUser&>(graph.node(user.id)).framesWithScratch, 50);
        }
    }
}

TEST(RenderGraphTest, ExecuteRoleInputsDoNotPropagateRecompiles) {
    struct LateReader : TypedNode<LateReaderConfig> {
        int seen = 0;
        void execute(const ExecuteContext&) override { seen = In(LateReaderConfig::value); }
    };
    RenderGraph graph;
    auto source = graph.addNode<SumNode>("source", 4);
    auto reader = graph.addNode<LateReader>("reader");
    graph.connect(source, SumConfig::value, reader, LateReaderConfig::value);
    ASSERT_TRUE(graph.compile());
    graph.markDirty(source.id);
    ASSERT_TRUE(graph.frame());
    EXPECT_EQ(graph.compileCount(source.id), 2U);
    EXPECT_EQ(graph.compileCount(reader.id), 1U);
    EXPECT_EQ(static_cast<LateReader&>(graph.node(reader.id)).seen, 4);
}

TEST(RenderGraphTest, CleanupRunsConsumersFirstOverTheWholeGraph) {
    Log log;
    {
        RenderGraph graph;
        Diamond diamond(graph, &log);
        auto culledRoot = graph.addNode<SumNode>("culledRoot", 1, &log);
        auto culledLeaf = graph.addNode<SumNode>("culledLeaf", 1, &log);
        graph.connect(culledRoot, SumConfig::value, culledLeaf, SumConfig::terms);
        graph.connect(diamond.a, SumConfig::value, culledRoot, SumConfig::terms);
        ASSERT_TRUE(graph.compile());
        log.clear();
    }
    std::vector<std::string> cleanups;
    std::copy_if(log.begin(), log.end(), std::back_inserter(cleanups),
                 [](const std::string& entry) { return entry.starts_with("cleanup:"); });
    ASSERT_EQ(cleanups.size(), 7U);
    const auto at = [&](const char* name) {
        return std::find(cleanups.begin(), cleanups.end(), std::string("cleanup:") + name) -
               cleanups.begin();
    };
    EXPECT_LT(at("e"), at("b"));
    EXPECT_LT(at("b"), at("a"));
    EXPECT_LT(at("culledLeaf"), at("culledRoot"));
    EXPECT_LT(at("culledRoot"), at("a"));
    EXPECT_EQ(cleanups.back(), "cleanup:a");
}

TEST(RenderGraphTest, RemovingANodeCleansUpConsumersFirstAndRecompiles) {
    Log log;
    RenderGraph graph;
    auto a = graph.addNode<SumNode>("a", 1, &log);
    auto b = graph.addNode<SumNode>("b", 1, &log);
    auto c = graph.addNode<SumNode>("c", 1, &log);
    auto probe = graph.addNode<ProbeNode>("probe");
    graph.connect(a, SumConfig::value, b, SumConfig::terms);
    graph.connect(b, SumConfig::value, c, SumConfig::terms);
    graph.connect(c, SumConfig::value, probe, ProbeConfig::value);
    graph.connect(a, SumConfig::value, c, SumConfig::terms);
    ASSERT_TRUE(graph.compile());
    log.clear();
    ASSERT_TRUE(graph.removeNode(b.id));
    EXPECT_EQ(log, (Log{"cleanup:c", "cleanup:b", "cleanup:a"}));  // b cleaned up once
    EXPECT_FALSE(graph.contains(b.id));
    EXPECT_EQ(graph.findNode("b"), nullptr);
    ASSERT_TRUE(graph.compile()) << graph.report().describe(graph);
    ASSERT_TRUE(graph.frame());
    EXPECT_EQ(static_cast<ProbeNode&>(graph.node(probe.id)).seen, 2);
    EXPECT_FALSE(graph.removeNode(b.id));
    ASSERT_TRUE(graph.removeNode(c.id));
    EXPECT_EQ(graph.report().describe(graph).find("order:"), std::string::npos);  // report reset
}

TEST(RenderGraphTest, DuplicateNameIsFreedWhenTheFirstHolderIsRemoved) {
    RenderGraph graph;
    auto first = graph.addNode<ProbeNode>("twin");
    auto second = graph.addNode<SumNode>("twin");
    graph.setKeepAlive(second.id);
    ASSERT_TRUE(graph.removeNode(first.id));
    ASSERT_NE(graph.findNode("twin"), nullptr);
    EXPECT_EQ(graph.findNode("twin")->id(), second.id);
    EXPECT_TRUE(graph.compile()) << graph.report().describe(graph);
}

TEST(RenderGraphTest, FailedNodeCompileNamesTheNodeAndLeavesGraphRecompilable) {
    // Holds a heap buffer from compile to cleanup, so a leak would show under ASan.
    struct Flaky : TypedNode<FlakyConfig> {
        bool failNext = true;
        std::unique_ptr<int[]> history;
        int cleanups = 0;
        Result<void> compile(const CompileContext&) override {
            history = std::make_unique<int[]>(64);
            if (std::exchange(failNext, false)) {
                return fail(ErrorCode::OverBudget, "no memory left for the history buffer");
            }
            return {};
        }
        void cleanup(const CleanupContext&) override {
            history.reset();
            ++cleanups;
        }
        void execute(const ExecuteContext&) override {}
    };
    RenderGraph graph;
    auto taa = graph.addNode<Flaky>("taa");
    const Result<void> first = graph.compile();
    ASSERT_FALSE(first);
    // The failed compile's partial work is released at once.
    EXPECT_EQ(static_cast<Flaky&>(graph.node(taa.id)).cleanups, 1);
    EXPECT_EQ(static_cast<Flaky&>(graph.node(taa.id)).history, nullptr);
    EXPECT_EQ(first.error().message,
              "node 'taa' (Flaky) failed to compile: no memory left for the history buffer");
    EXPECT_FALSE(graph.compiled());
    EXPECT_TRUE(graph.compile());
    EXPECT_TRUE(graph.frame());
}

RenderGraph& buildRandomGraph(RenderGraph& graph, int count, std::vector<NodeId>& probes) {
    std::mt19937 random(7);
    std::vector<NodeHandle<SumNode>> nodes;
    for (int i = 0; i < count; ++i) {
        nodes.push_back(graph.addNode<SumNode>("n" + std::to_string(i), i % 5));
        if (i > 0) {
            std::uniform_int_distribution<int> pick(0, i - 1);
            for (int k = 0; k < 2; ++k) {
                graph.connect(nodes[static_cast<std::size_t>(pick(random))], SumConfig::value,
                              nodes.back(), SumConfig::terms);
            }
        }
        if (i % 10 == 9) {
            auto probe = graph.addNode<ProbeNode>("p" + std::to_string(i));
            graph.connect(nodes.back(), SumConfig::value, probe, ProbeConfig::value);
            probes.push_back(probe.id);
        }
    }
    return graph;
}

TEST(RenderGraphTest, ParallelExecutionMatchesSequential) {
    std::vector<NodeId> sequentialProbes;
    std::vector<NodeId> parallelProbes;
    RenderGraph sequential;
    RenderGraph parallel(GraphOptions{.mode = ExecutionMode::Parallel, .workerThreads = 3});
    buildRandomGraph(sequential, 200, sequentialProbes);
    buildRandomGraph(parallel, 200, parallelProbes);
    ASSERT_TRUE(sequential.compile());
    ASSERT_TRUE(parallel.compile());
    for (int frame = 0; frame < 20; ++frame) {
        ASSERT_TRUE(sequential.frame());
        ASSERT_TRUE(parallel.frame());
    }
    for (std::size_t i = 0; i < sequentialProbes.size(); ++i) {
        EXPECT_EQ(static_cast<ProbeNode&>(sequential.node(sequentialProbes[i])).seen,
                  static_cast<ProbeNode&>(parallel.node(parallelProbes[i])).seen);
    }
}

TEST(RenderGraphTest, SteadyStateFramesAllocateNothing) {
    for (const ExecutionMode mode : {ExecutionMode::Sequential, ExecutionMode::Parallel}) {
        std::vector<NodeId> probes;
        RenderGraph graph(GraphOptions{.mode = mode, .workerThreads = 2});
        buildRandomGraph(graph, 300, probes);
        ASSERT_TRUE(graph.compile());
        ASSERT_TRUE(graph.frame());  // warm-up
        core::NoAllocationGuard guard(core::TrackScope::AllThreads);
        for (int frame = 0; frame < 100; ++frame) {
            ASSERT_TRUE(graph.frame());
        }
        EXPECT_TRUE(guard.ok()) << guard.describe();
        EXPECT_EQ(graph.allocations().frames().framesThatAllocated, 0U);
    }
}

TEST(RenderGraphTest, ThrottleKeepsConcurrentTaskBytesUnderTheThreshold) {
    static std::atomic<int> running{0};
    static std::atomic<int> peak{0};
    struct Heavy : TypedNode<HeavyConfig> {
        void setup(SetupContext& context) override { context.estimate().executeBytes = 40; }
        void execute(const ExecuteContext&) override {
            const int now = running.fetch_add(1) + 1;
            int seen = peak.load();
            while (now > seen && !peak.compare_exchange_weak(seen, now)) {
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            running.fetch_sub(1);
        }
    };
    // Limit 100 at 85%: at most two 40-byte tasks at once, though five threads could run.
    RenderGraph graph(GraphOptions{
        .mode = ExecutionMode::Parallel, .workerThreads = 4, .executeBudgetBytes = 100});
    for (int i = 0; i < 10; ++i) {
        graph.addNode<Heavy>("heavy" + std::to_string(i));
    }
    ASSERT_TRUE(graph.compile());
    ASSERT_EQ(graph.report().waveCount(), 1U);
    ASSERT_TRUE(graph.frame());
    EXPECT_LE(peak.load(), 2);
    EXPECT_GE(peak.load(), 1);
    EXPECT_LE(graph.executionBudget().peakUsage(), 85U);
    EXPECT_GT(graph.executionBudget().throttledWaits(), 0U);
    EXPECT_EQ(graph.executionBudget().usage(), 0U);
}

TEST(RenderGraphTest, OneTaskAlwaysRunsEvenOverTheThreshold) {
    ExecutionBudget budget;
    budget.configure(100);
    budget.acquireTask(500);  // alone: admitted although it exceeds the threshold
    EXPECT_EQ(budget.usage(), 500U);
    budget.releaseTask(500);
    EXPECT_EQ(budget.usage(), 0U);
    EXPECT_EQ(budget.throttledWaits(), 0U);
}

TEST(RenderGraphTest, HooksRunAroundGraphAndNodePhases) {
    RenderGraph graph;
    auto a = graph.addNode<SumNode>("a");
    graph.setKeepAlive(a.id);
    std::vector<std::string> seen;
    graph.addGraphHook([&](core::Phase phase, HookTiming timing) {
        seen.push_back(std::string(timing == HookTiming::Before ? "before " : "after ") +
                       std::string(core::toString(phase)));
    });
    graph.addNodeHook([&](core::Phase phase, HookTiming timing, const Node& node) {
        seen.push_back(std::string(timing == HookTiming::Before ? "before " : "after ") +
                       std::string(core::toString(phase)) + " " + std::string(node.name()));
    });
    ASSERT_TRUE(graph.compile());
    graph.execute();
    graph.cleanup();
    EXPECT_EQ(seen, (std::vector<std::string>{
                        "before setup", "before setup a", "after setup a", "after setup",
                        "before compile", "before compile a", "after compile a", "after compile",
                        "before execute", "before execute a", "after execute a", "after execute",
                        "before cleanup", "before cleanup a", "after cleanup a", "after cleanup"}));
}

TEST(RenderGraphTest, AllocationProfileSeesEachPhase) {
    std::vector<NodeId> probes;
    RenderGraph graph;
    buildRandomGraph(graph, 50, probes);
    ASSERT_TRUE(graph.compile());
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(graph.frame());
    }
    const auto& profile = graph.allocations();
    EXPECT_GT(profile.phase(core::Phase::Compile).counts.allocations, 0U);
    EXPECT_EQ(profile.phase(core::Phase::Execute).entries, 5U);
    EXPECT_EQ(profile.phase(core::Phase::Execute).counts.allocations, 0U);
    EXPECT_NE(profile.report().find("compile"), std::string::npos);
}

TEST(RenderGraphTest, DotExportShowsNodesEdgesAndCulling) {
    RenderGraph graph;
    auto a = graph.addNode<SumNode>("a");
    auto orphan = graph.addNode<SumNode>("orphan");
    static_cast<void>(orphan);
    auto probe = graph.addNode<ProbeNode>("probe");
    graph.connect(a, SumConfig::value, probe, ProbeConfig::value);
    ASSERT_TRUE(graph.compile());
    const std::string dot = toDot(graph);
    EXPECT_NE(dot.find("\"a\" -> \"probe\" [label=\"value -> value\"]"), std::string::npos) << dot;
    EXPECT_NE(dot.find("\"orphan\" [label=\"orphan\\\\nSum\", style=dashed"), std::string::npos)
        << dot;
    EXPECT_NE(dot.find("\"probe\" [label=\"probe\\\\nProbe\", style=bold]"), std::string::npos)
        << dot;
}

}  // namespace
}  // namespace vixen::graph
