// Event-driven invalidation: dirty nodes and their dependents, checked against the budget
// before anything is cleaned up, recompiled once per batch at a frame boundary.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "budget_check.hpp"
#include "transient_peak.hpp"
#include "vixen/graph/render_graph.hpp"

namespace vixen::graph {

void RenderGraph::markDirty(NodeId id) noexcept {
    if (contains(id) && nodes_[id.value].compiled && !nodes_[id.value].dirty) {
        nodes_[id.value].dirty = true;
        dirtyStack_.push_back(id);  // capacity reserved at compile: one entry per node
        anyDirty_ = true;
    }
}

Result<void> RenderGraph::processInvalidations() {
    const events::DispatchReport dispatched = events_.dispatch();
    Result<void> result;
    if (dispatched.dropped > 0) {
        result = events_.takeOverflowError();
    }
    if (!anyDirty_ || !compiled_) {
        return result;
    }
    // Dirty nodes and everything that depends on them at compile time, each once,
    // cleaned up consumers first and compiled again producers first.
    dirtyPositions_.clear();
    while (!dirtyStack_.empty()) {
        const NodeId id = dirtyStack_.back();
        dirtyStack_.pop_back();
        dirtyPositions_.push_back(orderPosition_[id.value]);
        for (std::uint32_t e = dependentOffsets_[id.value]; e < dependentOffsets_[id.value + 1];
             ++e) {
            const NodeId dependent = dependents_[e];
            if (!nodes_[dependent.value].dirty) {
                nodes_[dependent.value].dirty = true;
                dirtyStack_.push_back(dependent);
            }
        }
    }
    anyDirty_ = false;
    std::sort(dirtyPositions_.begin(), dirtyPositions_.end());
    if (Result<void> fits = checkRecompileBudget(); !fits) {
        for (const std::uint32_t position : dirtyPositions_) {
            nodes_[executionOrder_[position]->id_.value].dirty = false;
        }
        return fits;
    }
    recompileNodes_.clear();
    for (const std::uint32_t position : dirtyPositions_) {
        recompileNodes_.push_back(executionOrder_[position]->id_.value);
    }
    compileStages_.clear();
    hookCompileError_.reset();
    recompiling_ = true;
    beginPhase(core::Phase::Compile);
    Result<void> recompiled =
        hookCompileError_ ? Result<void>(std::unexpected(*hookCompileError_)) : recompileDirty();
    endPhase(core::Phase::Compile);
    recompiling_ = false;
    report_.stages.assign(compileStages_.begin(), compileStages_.end());
    if (recompiled && hookCompileError_) {
        recompiled = std::unexpected(*hookCompileError_);
    }
    if (!recompiled) {
        if (compiled_) {
            // Leave the graph recompilable: tear down and let the next compile rebuild.
            cleanupCompiled();
            structureDirty_ = true;
        }
        return recompiled;
    }
    return result;
}

Result<void> RenderGraph::checkRecompileBudget() {
    // Swap the new estimates in; only when one changed is the total summed again, so a
    // cascade that changes no needs costs one virtual call per node and allocates nothing.
    recompileEstimates_.clear();
    bool changed = false;
    for (const std::uint32_t position : dirtyPositions_) {
        Node& node = *executionOrder_[position];
        ResourceEstimate next = estimates_[node.id_.value];
        node.reestimate(next);
        changed = changed || !(next == estimates_[node.id_.value]);
        recompileEstimates_.push_back(next);
        std::swap(recompileEstimates_.back(), estimates_[node.id_.value]);
    }
    if (!changed) {
        return {};
    }
    ResourceEstimate total{};
    std::fill(waveTransientDelta_.begin(), waveTransientDelta_.end(), 0);
    for (Node* node : executionOrder_) {
        const ResourceEstimate& estimate = estimates_[node->id_.value];
        total += estimate;
        const TransientLifetime life = transientLifetimes_[node->id_.value];
        if (life.valid()) {
            detail::addTransient(waveTransientDelta_, life, estimate.transientBytes);
        }
    }
    const std::uint64_t peakBytes = detail::transientPeak(waveTransientDelta_);
    std::vector<Error> errors;
    recompileNodes_.clear();
    for (const std::uint32_t position : dirtyPositions_) {
        recompileNodes_.push_back(executionOrder_[position]->id_.value);
    }
    detail::checkBudget(
        total, total.transientBytes - peakBytes, options_.budget, recompileNodes_,
        [this](std::uint32_t node) -> const ResourceEstimate& { return estimates_[node]; },
        [this](std::uint32_t node) { return std::string_view(nodes_[node].node->name_); },
        "recompiling after an invalidation, the estimated", errors);
    if (!errors.empty()) {
        // Nothing was cleaned up: put the old estimates back and keep running as before.
        for (std::size_t i = 0; i < dirtyPositions_.size(); ++i) {
            std::swap(recompileEstimates_[i],
                      estimates_[executionOrder_[dirtyPositions_[i]]->id_.value]);
        }
        std::string message = std::move(errors.front().message);
        for (std::size_t i = 1; i < errors.size(); ++i) {
            message += "; ";
            message += errors[i].message;
        }
        return fail(ErrorCode::OverBudget, "{}; the graph keeps its current resources", message);
    }
    report_.totalEstimate = total;
    report_.transientPeakBytes = peakBytes;
    return {};
}

Result<void> RenderGraph::recompileDirty() {
    for (auto it = dirtyPositions_.rbegin(); it != dirtyPositions_.rend(); ++it) {
        cleanupNode(nodes_[executionOrder_[*it]->id_.value],
                    CleanupContext{.forRecompile = true, .slotsBound = true});
    }
    for (const std::uint32_t position : dirtyPositions_) {
        Result<void> compiledNode = compileNode(nodes_[executionOrder_[position]->id_.value],
                                                CompileContext{.recompile = true});
        if (!compiledNode) {
            // Leave the graph recompilable: tear down and let the next compile rebuild.
            cleanupCompiled();
            structureDirty_ = true;
            return compiledNode;
        }
    }
    return {};
}

}  // namespace vixen::graph
