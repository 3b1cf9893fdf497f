// Transient lifetimes and aliasing in the compile report, and the dry-run budget check
// that runs before a recompile cascade.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "test_nodes.hpp"

namespace vixen::graph {
namespace {

using testing::Log;
using testing::ProbeConfig;
using testing::ProbeNode;
using testing::SumConfig;
using testing::SumNode;

ResourceEstimate transient(std::uint64_t bytes) {
    ResourceEstimate estimate;
    estimate.memory(MemoryKind::DeviceLocal) = bytes;
    estimate.transientBytes = bytes;
    return estimate;
}

/// A SumNode whose needs change on recompile: `next` is what reestimate reports.
class GrowingNode : public SumNode {
public:
    GrowingNode(Log* log, ResourceEstimate initial) : SumNode(1, log, initial), next(initial) {}
    ResourceEstimate next;

protected:
    void reestimate(ResourceEstimate& estimate) override { estimate = next; }
};

/// a -> b -> c -> sink, each SumNode with a 1000-byte transient output: a's output lives in
/// waves 0-1, b's in 1-2, c's in 2-3, so at most two are alive at once.
struct TransientChain {
    NodeHandle<SumNode> a;
    NodeHandle<SumNode> b;
    NodeHandle<SumNode> c;
    NodeHandle<ProbeNode> sink;
};

TransientChain addTransientChain(RenderGraph& graph) {
    auto a = graph.addNode<SumNode>("a", 1, nullptr, transient(1000));
    auto b = graph.addNode<SumNode>("b", 1, nullptr, transient(1000));
    auto c = graph.addNode<SumNode>("c", 1, nullptr, transient(1000));
    auto sink = graph.addNode<ProbeNode>("sink");
    graph.connect(a, SumConfig::value, b, SumConfig::terms);
    graph.connect(b, SumConfig::value, c, SumConfig::terms);
    graph.connect(c, SumConfig::value, sink, ProbeConfig::value);
    return TransientChain{a, b, c, sink};
}

std::size_t countOf(const Log& log, const std::string& entry) {
    return static_cast<std::size_t>(std::count(log.begin(), log.end(), entry));
}

TEST(GraphBudgetTest, TransientsWhoseLifetimesDoNotOverlapShareMemory) {
    RenderGraph graph;
    const auto [a, b, c, sink] = addTransientChain(graph);
    ASSERT_TRUE(graph.compile());

    const CompileReport& report = graph.report();
    EXPECT_EQ(report.totalEstimate.transientBytes, 3000U);
    EXPECT_EQ(report.transientPeakBytes, 2000U);
    EXPECT_EQ(report.aliasingSavedBytes(), 1000U);
    EXPECT_NE(report.describe(graph).find("sharing memory saves 1000 B"), std::string::npos)
        << report.describe(graph);

    EXPECT_EQ(graph.transientLifetime(a.id).firstWave, 0U);
    EXPECT_EQ(graph.transientLifetime(a.id).lastWave, 1U);
    EXPECT_TRUE(graph.transientLifetime(a.id).overlaps(graph.transientLifetime(b.id)));
    EXPECT_FALSE(graph.transientLifetime(a.id).overlaps(graph.transientLifetime(c.id)));
    EXPECT_FALSE(graph.transientLifetime(sink.id).valid());
}

TEST(GraphBudgetTest, TransientsOfOneWaveNeverShare) {
    // Two producers in one wave may run at once, so both count at their peak.
    RenderGraph graph;
    auto left = graph.addNode<SumNode>("left", 1, nullptr, transient(500));
    auto right = graph.addNode<SumNode>("right", 1, nullptr, transient(700));
    auto join = graph.addNode<SumNode>("join");
    auto sink = graph.addNode<ProbeNode>("sink");
    graph.connect(left, SumConfig::value, join, SumConfig::terms);
    graph.connect(right, SumConfig::value, join, SumConfig::terms);
    graph.connect(join, SumConfig::value, sink, ProbeConfig::value);
    ASSERT_TRUE(graph.compile());
    EXPECT_EQ(graph.report().transientPeakBytes, 1200U);
    EXPECT_EQ(graph.report().aliasingSavedBytes(), 0U);
}

TEST(GraphBudgetTest, TheBudgetCountsWhatAliasingSaves) {
    GraphOptions fits;
    fits.budget.memoryBytes[static_cast<std::size_t>(MemoryKind::DeviceLocal)] = 2000;
    RenderGraph aliased(fits);
    addTransientChain(aliased);
    EXPECT_TRUE(aliased.compile()) << aliased.report().describe(aliased);

    GraphOptions tight;
    tight.budget.memoryBytes[static_cast<std::size_t>(MemoryKind::DeviceLocal)] = 1999;
    RenderGraph over(tight);
    addTransientChain(over);
    const Result<void> result = over.compile();
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::OverBudget);
    EXPECT_NE(result.error().message.find("estimated device-local memory 1.95 KiB exceeds the "
                                          "budget of 1.95 KiB; largest: 'a' 1000 B, 'b' 1000 B, "
                                          "'c' 1000 B"),
              std::string::npos)
        << result.error().message;
}

TEST(GraphBudgetTest, ARecompileThatCannotFitFailsBeforeAnythingIsCleanedUp) {
    GraphOptions options;
    options.budget.memoryBytes[static_cast<std::size_t>(MemoryKind::DeviceLocal)] = 4096;
    Log log;  // outlives the graph, whose cleanup still logs
    RenderGraph graph(options);
    ResourceEstimate small;
    small.memory(MemoryKind::DeviceLocal) = 1024;
    auto source = graph.addNode<GrowingNode>("swapchain", &log, small);
    auto pass = graph.addNode<SumNode>("pass", 1, &log);
    auto sink = graph.addNode<ProbeNode>("sink");
    graph.connect(source, SumConfig::value, pass, SumConfig::terms);
    graph.connect(pass, SumConfig::value, sink, ProbeConfig::value);
    ASSERT_TRUE(graph.compile());
    ASSERT_TRUE(graph.frame());
    log.clear();

    auto& growing = static_cast<GrowingNode&>(graph.node(source.id));
    growing.next.memory(MemoryKind::DeviceLocal) = 8192;
    graph.markDirty(source.id);
    const Result<void> refused = graph.frame();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::OverBudget);
    EXPECT_NE(refused.error().message.find("recompiling after an invalidation, the estimated "
                                           "device-local memory 8.00 KiB exceeds the budget of "
                                           "4.00 KiB; largest: 'swapchain' 8.00 KiB"),
              std::string::npos)
        << refused.error().message;
    EXPECT_TRUE(log.empty()) << "nothing may be cleaned up or recompiled: " << log.front();
    EXPECT_EQ(graph.estimate(source.id).memory(MemoryKind::DeviceLocal), 1024U);
    EXPECT_EQ(graph.report().totalEstimate.memory(MemoryKind::DeviceLocal), 1024U);
    EXPECT_TRUE(graph.compiled());
    EXPECT_TRUE(graph.frame()) << "the graph keeps running with what it had";
    EXPECT_EQ(static_cast<ProbeNode&>(graph.node(sink.id)).seen, 2);

    growing.next.memory(MemoryKind::DeviceLocal) = 2048;
    graph.markDirty(source.id);
    ASSERT_TRUE(graph.frame());
    EXPECT_EQ(countOf(log, "recompile:swapchain"), 1U);
    EXPECT_EQ(countOf(log, "recompile:pass"), 1U);
    EXPECT_EQ(graph.estimate(source.id).memory(MemoryKind::DeviceLocal), 2048U);
    EXPECT_EQ(graph.report().totalEstimate.memory(MemoryKind::DeviceLocal), 2048U);
}

}  // namespace
}  // namespace vixen::graph
