#pragma once

#include <cstdint>
#include <vector>

#include "vixen/graph/loop_policy.hpp"
#include "vixen/graph/render_graph.hpp"

namespace vixen::graph {

/// How a compiled graph with loops executes: its waves cut into blocks, each either waves
/// outside every loop (run once) or one loop's body (run once per step, or skipped). The
/// compiler gives every loop waves of its own, so a block's waves still hold independent
/// nodes and a step is a run over the block's waves. Made at compile; a frame allocates
/// nothing.
struct RenderGraph::LoopSchedule {
    struct Block {
        std::uint32_t firstWave = 0;
        std::uint32_t endWave = 0;
        LoopState* loop = nullptr;  ///< null: waves outside every loop
    };

    std::vector<Block> blocks;      ///< every wave of the graph, in order
    std::vector<LoopState*> loops;  ///< decided once per frame, before any node executes
    bool readsClock = false;        ///< some loop has a fixed step

    /// One frame: decide every loop, then run the blocks.
    void execute(RenderGraph& graph) noexcept;

private:
    void runWaves(RenderGraph& graph, const Block& block, const ExecuteContext& context,
                  bool skip) noexcept;
    static void runTask(void* graph, std::uint32_t task, std::uint32_t worker) noexcept;

    // What the workers read for the waves in flight (parallel mode).
    ExecuteContext taskContext_{};
    bool skipping_ = false;
};

}  // namespace vixen::graph
