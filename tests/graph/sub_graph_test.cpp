#include "vixen/graph/sub_graph.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "sub_graph_test_nodes.hpp"

namespace vixen::graph {
namespace {

using testing::Chain;
using testing::ChainConfig;
using testing::Log;
using testing::ProbeConfig;
using testing::ProbeNode;
using testing::SumConfig;
using testing::SumNode;

std::vector<std::string> orderNames(const RenderGraph& graph) {
    std::vector<std::string> names;
    for (const NodeId id : graph.report().order) {
        names.emplace_back(graph.node(id).name());
    }
    return names;
}

int seen(const RenderGraph& graph, NodeHandle<ProbeNode> probe) {
    return static_cast<ProbeNode&>(graph.node(probe.id)).seen;
}

TEST(SubGraphTest, InnerNodesAreOrdinaryNodesNamedByPath) {
    RenderGraph graph;
    auto source = graph.addNode<SumNode>("source", 5);
    auto chain = graph.addSubGraph<Chain>("chain");
    ASSERT_TRUE(chain) << chain.error().message;
    auto probe = graph.addNode<ProbeNode>("probe");
    graph.connect(source, SumConfig::value, *chain, ChainConfig::source);
    graph.connect(*chain, ChainConfig::result, probe, ProbeConfig::value);
    ASSERT_TRUE(graph.compile()) << graph.report().describe(graph);
    ASSERT_TRUE(graph.frame());
    EXPECT_EQ(seen(graph, probe), 5 + 1 + 10);
    EXPECT_EQ(orderNames(graph),
              (std::vector<std::string>{"source", "chain/a", "chain/b", "probe"}));
    ASSERT_NE(graph.findNode("chain/a"), nullptr);
    EXPECT_EQ(graph.findNode("chain/a")->type().name, "Sum");
    EXPECT_EQ(graph.nodeCount(), 4U);
    EXPECT_EQ(graph.findSubGraph("chain"), &graph.subGraph(chain->id));
    EXPECT_EQ(graph.subGraph(*chain).nodes().size(), 2U);
}

struct FanConfig {
    static constexpr std::string_view kTypeName = "Fan";
    static constexpr Input<"source", int, SlotOptions{.array = true}> source{};
    static constexpr Output<"total", int> total{};
    static constexpr SlotList slots{source, total};
};

/// source feeds x and y; total = x + y.
class Fan : public SubGraph<FanConfig> {
protected:
    void build(SubGraphBuilder<FanConfig>& b) override {
        auto x = b.addNode<SumNode>("x", 1);
        auto y = b.addNode<SumNode>("y", 2);
        auto total = b.addNode<SumNode>("total", 0);
        b.connect(x, SumConfig::value, total, SumConfig::terms);
        b.connect(y, SumConfig::value, total, SumConfig::terms);
        b.exposeInput(FanConfig::source, x, SumConfig::terms);
        b.exposeInput(FanConfig::source, y, SumConfig::terms);
        b.exposeOutput(FanConfig::total, total, SumConfig::value);
    }
};

TEST(SubGraphTest, AnExposedInputFeedsEveryInnerInputItStandsFor) {
    RenderGraph graph;
    auto source = graph.addNode<SumNode>("source", 5);
    auto fan = graph.addSubGraph<Fan>("fan");
    ASSERT_TRUE(fan);
    auto probe = graph.addNode<ProbeNode>("probe");
    graph.connect(source, SumConfig::value, *fan, FanConfig::source);
    graph.connect(*fan, FanConfig::total, probe, ProbeConfig::value);
    ASSERT_TRUE(graph.compile()) << graph.report().describe(graph);
    ASSERT_TRUE(graph.frame());
    EXPECT_EQ(seen(graph, probe), (5 + 1) + (5 + 2));
    EXPECT_EQ(std::count_if(graph.connections().begin(), graph.connections().end(),
                            [&](const Connection& c) { return c.from == source.id; }),
              2);
}

struct EmptyConfig {
    static constexpr std::string_view kTypeName = "Empty";
    static constexpr SlotList slots{};
};

/// A probe nobody feeds: a required input left unconnected.
class Inner : public SubGraph<EmptyConfig> {
protected:
    void build(SubGraphBuilder<EmptyConfig>& b) override { b.addNode<ProbeNode>("node"); }
};

class Outer : public SubGraph<EmptyConfig> {
protected:
    void build(SubGraphBuilder<EmptyConfig>& b) override {
        b.addSubGraph<Inner>("inner");
        b.addNode<SumNode>("own");
    }
};

TEST(SubGraphTest, CompileErrorsNameTheNestedPath) {
    RenderGraph graph;
    auto outer = graph.addSubGraph<Outer>("outer");
    ASSERT_TRUE(outer);
    ASSERT_NE(graph.findNode("outer/inner/node"), nullptr);
    ASSERT_NE(graph.findSubGraph("outer/inner"), nullptr);
    EXPECT_EQ(graph.subGraph(*outer).nodes().size(), 2U);  // nested nodes included
    ASSERT_FALSE(graph.compile());
    const auto& errors = graph.report().errors;
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors.front().code, ErrorCode::MissingInput);
    EXPECT_NE(errors.front().message.find("node 'outer/inner/node' (Probe): required input "
                                          "'value' (int) is not connected"),
              std::string::npos)
        << errors.front().message;
}

TEST(SubGraphTest, ConnectsByPathAndExposedSlotName) {
    RenderGraph graph;
    graph.addNode<SumNode>("source", 5);
    ASSERT_TRUE(graph.addSubGraph<Chain>("chain"));
    auto probe = graph.addNode<ProbeNode>("probe");
    auto inner = graph.addNode<ProbeNode>("innerProbe");
    ASSERT_TRUE(graph.connect("source", "value", "chain", "source"));
    ASSERT_TRUE(graph.connect("chain", "result", "probe", "value"));
    ASSERT_TRUE(graph.connect("chain/a", "value", "innerProbe", "value"));
    ASSERT_TRUE(graph.compile()) << graph.report().describe(graph);
    ASSERT_TRUE(graph.frame());
    EXPECT_EQ(seen(graph, probe), 16);
    EXPECT_EQ(seen(graph, inner), 6);

    const Result<void> badSlot = graph.connect("chain", "nope", "probe", "value");
    ASSERT_FALSE(badSlot);
    EXPECT_EQ(badSlot.error().message,
              "sub-graph 'chain' (Chain) exposes no output slot 'nope' (its outputs: 'result')");
    const Result<void> badInput = graph.connect("source", "value", "chain", "result");
    ASSERT_FALSE(badInput);
    EXPECT_EQ(badInput.error().message,
              "sub-graph 'chain' (Chain) exposes no input slot 'result' (its inputs: 'source')");
    const Result<void> badPath = graph.connect("chain/zz", "value", "probe", "value");
    ASSERT_FALSE(badPath);
    EXPECT_EQ(badPath.error().message, "connect: no node or sub-graph is named 'chain/zz'");
}

enum class Fault { ExposeOutputTwice, ExposeNothing, SlashInNodeName, ExposeOutsideNode };

/// A sub-graph whose build gets one thing wrong.
class Faulty : public SubGraph<ChainConfig> {
public:
    Faulty(Fault fault, NodeHandle<SumNode> outside) : fault_(fault), outside_(outside) {}

protected:
    void build(SubGraphBuilder<ChainConfig>& b) override {
        auto a = b.addNode<SumNode>(fault_ == Fault::SlashInNodeName ? "a/x" : "a");
        auto c = b.addNode<SumNode>("b");
        if (fault_ == Fault::ExposeNothing) {
            return;
        }
        b.exposeInput(ChainConfig::source, a, SumConfig::terms);
        b.exposeOutput(ChainConfig::result, fault_ == Fault::ExposeOutsideNode ? outside_ : a,
                       SumConfig::value);
        if (fault_ == Fault::ExposeOutputTwice) {
            b.exposeOutput(ChainConfig::result, c, SumConfig::value);
        }
    }

private:
    Fault fault_;
    NodeHandle<SumNode> outside_;
};

TEST(SubGraphTest, BadDeclarationsFailTheAddAndLeaveNothingBehind) {
    RenderGraph graph;
    auto outside = graph.addNode<SumNode>("outside");
    graph.setKeepAlive(outside.id);
    ASSERT_TRUE(graph.addSubGraph<Chain>("chain"));
    const std::size_t nodes = graph.nodeCount();
    const std::size_t connections = graph.connections().size();
    const auto failure = [&](Result<SubGraphHandle<Faulty>> added) {
        EXPECT_FALSE(added);
        EXPECT_EQ(graph.nodeCount(), nodes);
        EXPECT_EQ(graph.connections().size(), connections);
        EXPECT_EQ(graph.findSubGraph("faulty"), nullptr);
        EXPECT_EQ(graph.findNode("faulty/b"), nullptr);
        return added ? std::string() : added.error().message;
    };
    EXPECT_EQ(failure(graph.addSubGraph<Faulty>("faulty", Fault::ExposeOutputTwice, outside)),
              "sub-graph 'faulty' (Chain): output 'result' is exposed twice, as 'faulty/a.value' "
              "and as 'faulty/b.value'; an exposed output is exactly one inner output");
    EXPECT_EQ(failure(graph.addSubGraph<Faulty>("faulty", Fault::ExposeNothing, outside)),
              "sub-graph 'faulty' (Chain) has 2 errors:\n"
              "  - sub-graph 'faulty' (Chain): input 'source' is not exposed; expose it in "
              "build() with exposeInput\n"
              "  - sub-graph 'faulty' (Chain): output 'result' is not exposed; expose it in "
              "build() with exposeOutput");
    EXPECT_EQ(failure(graph.addSubGraph<Faulty>("faulty", Fault::SlashInNodeName, outside)),
              "node name 'a/x' in sub-graph 'faulty' contains '/', which separates the parts of a "
              "path ('outer/inner/node'); choose a name without it");
    EXPECT_NE(failure(graph.addSubGraph<Faulty>("faulty", Fault::ExposeOutsideNode, outside))
                  .find("output 'result' is exposed on a node outside it"),
              std::string::npos);
    EXPECT_EQ(failure(graph.addSubGraph<Faulty>("fau/lty", Fault::ExposeNothing, outside)),
              "sub-graph name 'fau/lty' contains '/', which separates the parts of a path "
              "('outer/inner/node'); choose a name without it");
    const auto twice = graph.addSubGraph<Chain>("chain");
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, ErrorCode::AlreadyExists);
    EXPECT_TRUE(graph.compile()) << graph.report().describe(graph);  // what was added is whole
}

TEST(SubGraphTest, RemovingASubGraphRemovesEveryNodeInsideIt) {
    Log log;
    RenderGraph graph;
    auto source = graph.addNode<SumNode>("source", 5, &log);
    auto chain = graph.addSubGraph<Chain>("chain", &log);
    ASSERT_TRUE(chain);
    auto outer = graph.addSubGraph<Outer>("outer");
    ASSERT_TRUE(outer);
    auto probe = graph.addNode<ProbeNode>("probe");
    graph.connect(source, SumConfig::value, *chain, ChainConfig::source);
    graph.connect(*chain, ChainConfig::result, probe, ProbeConfig::value);
    ASSERT_TRUE(graph.removeSubGraph(outer->id));  // never compiled: nothing to clean up
    ASSERT_TRUE(graph.compile()) << graph.report().describe(graph);
    EXPECT_EQ(log, (Log{"setup:source", "setup:chain/a", "setup:chain/b", "compile:source",
                        "compile:chain/a", "compile:chain/b"}));
    log.clear();

    const Result<void> inner = graph.removeNode(graph.findNode("chain/a")->id());
    ASSERT_FALSE(inner);
    EXPECT_EQ(inner.error().message,
              "removeNode: node 'chain/a' is inside sub-graph 'chain'; remove the sub-graph "
              "(removeSubGraph) instead");
    ASSERT_TRUE(graph.removeSubGraph(chain->id));
    // One teardown, consumers first; each inner node's cleanup is its last.
    EXPECT_EQ(log, (Log{"cleanup:chain/b", "cleanup:chain/a", "cleanup:source"}));
    EXPECT_EQ(graph.findNode("chain/a"), nullptr);
    EXPECT_EQ(graph.findSubGraph("chain"), nullptr);
    EXPECT_EQ(graph.nodeCount(), 2U);
    EXPECT_FALSE(graph.removeSubGraph(chain->id));
    EXPECT_FALSE(graph.compile());  // the probe lost its producer

    auto again = graph.addSubGraph<Chain>("chain");  // the path is free again
    ASSERT_TRUE(again);
    graph.connect(source, SumConfig::value, *again, ChainConfig::source);
    graph.connect(*again, ChainConfig::result, probe, ProbeConfig::value);
    ASSERT_TRUE(graph.compile()) << graph.report().describe(graph);
    ASSERT_TRUE(graph.frame());
    EXPECT_EQ(seen(graph, probe), 16);
}

TEST(SubGraphTest, NestedSubGraphsAreRemovedWithTheOutermostOnly) {
    RenderGraph graph;
    auto outer = graph.addSubGraph<Outer>("outer");
    ASSERT_TRUE(outer);
    SubGraphBase* inner = graph.findSubGraph("outer/inner");
    ASSERT_NE(inner, nullptr);
    const Result<void> refused = graph.removeSubGraph(inner->id());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message,
              "removeSubGraph: 'outer/inner' is part of sub-graph 'outer'; remove that one");
    ASSERT_TRUE(graph.removeSubGraph(outer->id));
    EXPECT_EQ(graph.findSubGraph("outer/inner"), nullptr);
    EXPECT_EQ(graph.nodeCount(), 0U);
}

struct LateReaderConfig {
    static constexpr std::string_view kTypeName = "LateReader";
    static constexpr Input<"value", int, SlotOptions{.role = SlotRole::Execute}> value{};
    static constexpr SlotList slots{value};
};

class LateReader : public TypedNode<LateReaderConfig> {
protected:
    void execute(const ExecuteContext& /*context*/) override {}
};

TEST(SubGraphTest, InvalidatingTheInsideRecompilesOnlyItAndItsCompileTimeDependents) {
    RenderGraph graph;
    auto source = graph.addNode<SumNode>("source", 5);
    auto chain = graph.addSubGraph<Chain>("chain");
    ASSERT_TRUE(chain);
    auto dependent = graph.addNode<SumNode>("dependent");  // Dependency-role input
    auto probe = graph.addNode<ProbeNode>("probe");
    auto lateReader = graph.addNode<LateReader>("lateReader");  // Execute-role input
    graph.connect(source, SumConfig::value, *chain, ChainConfig::source);
    graph.connect(*chain, ChainConfig::result, dependent, SumConfig::terms);
    graph.connect(dependent, SumConfig::value, probe, ProbeConfig::value);
    graph.connect(*chain, ChainConfig::result, lateReader, LateReaderConfig::value);
    ASSERT_TRUE(graph.compile()) << graph.report().describe(graph);
    const NodeId a = graph.findNode("chain/a")->id();
    const NodeId b = graph.findNode("chain/b")->id();
    const auto counts = [&] {
        return std::vector<std::uint64_t>{
            graph.compileCount(source.id), graph.compileCount(a),
            graph.compileCount(b),         graph.compileCount(dependent.id),
            graph.compileCount(probe.id),  graph.compileCount(lateReader.id)};
    };
    graph.markDirty(b);
    ASSERT_TRUE(graph.frame());
    EXPECT_EQ(counts(), (std::vector<std::uint64_t>{1, 1, 2, 2, 2, 1}));
    graph.subGraph(*chain).invalidate();
    ASSERT_TRUE(graph.frame());
    EXPECT_EQ(counts(), (std::vector<std::uint64_t>{1, 2, 3, 3, 3, 1}));
    EXPECT_EQ(seen(graph, probe), 1 + 16);
}

}  // namespace
}  // namespace vixen::graph
