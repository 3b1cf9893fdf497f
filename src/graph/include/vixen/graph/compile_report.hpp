#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/graph/resource_estimate.hpp"
#include "vixen/graph/types.hpp"

namespace vixen::graph {

class RenderGraph;

/// One named step of a compile and its wall time: the graph's own (setup, analysis, the
/// nodes' compiles) and those of what drives the graph (a GPU runtime's waits, pools,
/// barriers), in the order they ran.
struct CompileStage {
    std::string_view name;  ///< a literal: stages are noted without allocating
    std::uint64_t microseconds = 0;
};

/// What the last compile decided and found, in the terms of the graph's nodes.
struct CompileReport {
    std::vector<NodeId> order;               ///< kept nodes in execution order (wave by wave)
    std::vector<std::uint32_t> waveOffsets;  ///< wave w is order[waveOffsets[w], waveOffsets[w+1])
    std::vector<NodeId> culled;              ///< nodes nothing kept consumes
    std::size_t keptCount = 0;               ///< nodes kept (ordered only when acyclic)
    ResourceEstimate totalEstimate;          ///< summed over the kept nodes
    std::uint32_t frameScratchUsers = 0;     ///< kept nodes that take per-frame scratch
    /// Most transient bytes alive at once, wave by wave: what transients need with aliasing
    /// (totalEstimate.transientBytes is what they would need without).
    std::uint64_t transientPeakBytes = 0;
    std::vector<Error> errors;              ///< every problem found, not just the first
    std::uint64_t compileMicroseconds = 0;  ///< wall time of the last compile (steady_clock)
    std::vector<CompileStage> stages;       ///< of the last compile or recompile batch

    [[nodiscard]] bool ok() const noexcept { return errors.empty(); }
    /// Device-local bytes that transients sharing memory save.
    [[nodiscard]] std::uint64_t aliasingSavedBytes() const noexcept {
        return totalEstimate.transientBytes - transientPeakBytes;
    }
    [[nodiscard]] std::size_t waveCount() const noexcept {
        return waveOffsets.empty() ? 0 : waveOffsets.size() - 1;
    }
    /// Human-readable report: order, waves, culled nodes, estimates, errors.
    [[nodiscard]] std::string describe(const RenderGraph& graph) const;
};

/// Writes the graph in Graphviz DOT: nodes with their type, edges labelled by slot;
/// culled nodes dashed, kept-alive nodes bold.
[[nodiscard]] std::string toDot(const RenderGraph& graph);

}  // namespace vixen::graph
