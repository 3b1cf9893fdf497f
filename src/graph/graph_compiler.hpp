#pragma once

#include <cstdint>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/graph/render_graph.hpp"

namespace vixen::graph {

/// The compile of a RenderGraph as a pipeline of named stages, each linear in nodes
/// plus connections. Validation stages record every error instead of stopping at one.
class GraphCompiler {
public:
    explicit GraphCompiler(RenderGraph& graph) : graph_(graph), report_(graph.report_) {}

    /// Fills the graph's compiled state and report; fails with a summary of all errors.
    Result<void> compile();

    /// Reverse topological order of every node in the graph, consumers first; nodes that
    /// cannot be ordered (on or behind a cycle) come first of all.
    static std::vector<NodeId> cleanupOrder(RenderGraph& graph);

private:
    // Stages, in the order compile() runs them.
    void indexSlots();
    void buildAdjacency();
    bool sortTopologically();
    void reportCycles();
    void cullUnconsumed();
    void keepProducersOfKept();
    void checkConnectionTypes();
    void checkInputCounts();
    void checkAccessConflicts();
    void checkDuplicateNames();
    void checkHistory();
    void sumEstimates();
    void checkBudget();
    void scheduleWaves();
    void planTransientLifetimes();
    void buildResources();
    void bindSlots();
    void bindHistory();
    void sizeRuntimePools();
    // Loops (graph_compiler_loops.cpp); each does nothing in a graph without loops.
    void checkLoops();
    void reportNonConvexLoop(std::uint32_t loop, std::uint32_t outside, std::uint32_t reentry,
                             const std::vector<std::uint32_t>& cameFrom);
    void scheduleLoopWaves();
    void publishLoopSchedule();

    [[nodiscard]] const Node& nodeAt(std::uint32_t index) const {
        return *graph_.nodes_[index].node;
    }
    [[nodiscard]] bool alive(std::uint32_t index) const { return types_[index] != nullptr; }
    void error(Error error) { report_.errors.push_back(std::move(error)); }

    RenderGraph& graph_;
    CompileReport& report_;
    std::uint32_t nodeCount_ = 0;
    // Per node, cached by indexSlots so later stages read compact arrays, not Node objects.
    std::vector<const NodeTypeInfo*> types_;  // null for a removed node
    std::vector<std::uint32_t> inputBase_;    // node -> first input binding
    std::vector<std::uint32_t> outputBase_;   // node -> first output resource
    // Per connection, gathered by buildAdjacency in its one pass over the connections.
    std::vector<std::uint32_t> connectionsPerInput_;
    std::vector<std::uint32_t> mistyped_;        // connections whose slot types differ, in order
    bool writesInPlace_ = false;                 // some connected input has write access
    std::vector<std::uint32_t> producerCounts_;  // per node; the sort counts them down
    std::vector<std::uint32_t> consumerOffsets_;
    std::vector<std::uint32_t> consumers_;            // consumer node per edge
    std::vector<std::uint8_t> dependencyEdges_;       // 1: into a Dependency-role input
    std::vector<std::uint32_t> consumerConnections_;  // connection per edge, if writesInPlace_
    std::vector<std::uint32_t> topologicalOrder_;
    bool acyclic_ = false;
    std::vector<std::uint8_t> kept_;
    std::vector<std::uint32_t> keptNodes_;        // in index order
    std::vector<std::uint32_t> level_;            // wave of each node the sort ordered
    std::vector<std::uint32_t> connectionBound_;  // per connection: its entry in the bound table
    // Loops: which loop each node is in, each loop's kept members in topological order
    // (CSR) and the waves each loop's body was given.
    std::vector<SubGraphBase*> loops_;
    std::vector<std::uint32_t> loopOf_;
    std::vector<std::uint32_t> loopMemberOffsets_;
    std::vector<std::uint32_t> loopMembers_;
    std::vector<std::uint32_t> loopFirstWave_;
    std::vector<std::uint32_t> loopWaveCount_;
    bool loopsConvex_ = true;
};

}  // namespace vixen::graph
