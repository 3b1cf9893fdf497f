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
    struct Edge {
        std::uint32_t node;
        std::uint32_t connection;
    };

    // Stages, in the order compile() runs them.
    void indexSlots();
    void buildAdjacency();
    bool sortTopologically();
    void reportCycles();
    void cullUnconsumed();
    void checkConnectionTypes();
    void checkInputCounts();
    void checkAccessConflicts();
    void checkDuplicateNames();
    void sumEstimates();
    void checkBudget();
    void scheduleWaves();
    void buildResources();
    void bindSlots();
    void sizeRuntimePools();

    [[nodiscard]] const Node& nodeAt(std::uint32_t index) const {
        return *graph_.nodes_[index].node;
    }
    [[nodiscard]] bool alive(std::uint32_t index) const {
        return graph_.nodes_[index].node != nullptr;
    }
    void error(Error error) { report_.errors.push_back(std::move(error)); }

    RenderGraph& graph_;
    CompileReport& report_;
    std::uint32_t nodeCount_ = 0;
    std::vector<std::uint32_t> inputBase_;   // node -> first input binding
    std::vector<std::uint32_t> outputBase_;  // node -> first output resource
    std::vector<std::uint32_t> connectionsPerInput_;
    std::vector<std::uint32_t> producerOffsets_;
    std::vector<Edge> producers_;
    std::vector<std::uint32_t> consumerOffsets_;
    std::vector<Edge> consumers_;
    std::vector<std::uint32_t> topologicalOrder_;
    std::vector<std::uint8_t> kept_;
    std::vector<std::uint32_t> level_;
};

}  // namespace vixen::graph
