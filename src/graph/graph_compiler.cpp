#include "graph_compiler.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <numeric>
#include <string>

#include "resource_block.hpp"
#include "transient_peak.hpp"
#include "vixen/core/align.hpp"
#include "vixen/core/units.hpp"

namespace vixen::graph {
namespace {

constexpr std::uint32_t kNotKept = UINT32_MAX;
constexpr std::size_t kMaxCyclesReported = 16;

}  // namespace

Result<void> GraphCompiler::compile() {
    report_ = CompileReport{};
    nodeCount_ = static_cast<std::uint32_t>(graph_.nodes_.size());

    indexSlots();
    buildAdjacency();
    acyclic_ = sortTopologically();
    if (!acyclic_) {
        reportCycles();
    }
    cullUnconsumed();
    checkConnectionTypes();
    checkInputCounts();
    checkAccessConflicts();
    checkDuplicateNames();
    checkHistory();
    checkLoops();
    sumEstimates();
    if (acyclic_) {
        scheduleLoopWaves();
        scheduleWaves();
        planTransientLifetimes();
    }
    checkBudget();
    if (!report_.ok()) {
        std::string summary = fmt::format("graph has {} error(s):", report_.errors.size());
        for (const Error& e : report_.errors) {
            summary += "\n  - ";
            summary += e.message;
        }
        const ErrorCode code =
            report_.errors.size() == 1 ? report_.errors.front().code : ErrorCode::InvalidArgument;
        return std::unexpected(Error{code, std::move(summary)});
    }
    buildResources();
    bindSlots();
    sizeRuntimePools();
    publishLoopSchedule();
    // The order just computed is the cleanup order until the structure changes.
    graph_.cleanupOrder_.assign(topologicalOrder_.size(), NodeId{});
    std::transform(topologicalOrder_.rbegin(), topologicalOrder_.rend(),
                   graph_.cleanupOrder_.begin(), [](std::uint32_t node) { return NodeId{node}; });
    graph_.cleanupOrderValid_ = true;
    return {};
}

// ---- structure -------------------------------------------------------------------------

void GraphCompiler::indexSlots() {
    // The one pass that reads Node objects for structure: later stages use these arrays.
    types_.resize(nodeCount_);
    inputBase_.resize(nodeCount_ + 1);
    outputBase_.resize(nodeCount_ + 1);
    std::uint32_t inputs = 0;
    std::uint32_t outputs = 0;
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        const Node* node = graph_.nodes_[i].node.get();
        const NodeTypeInfo* type = node == nullptr ? nullptr : node->type_;
        types_[i] = type;
        inputBase_[i] = inputs;
        outputBase_[i] = outputs;
        if (type != nullptr) {
            inputs += static_cast<std::uint32_t>(type->inputs.size());
            outputs += static_cast<std::uint32_t>(type->outputs.size());
        }
    }
    inputBase_[nodeCount_] = inputs;
    outputBase_[nodeCount_] = outputs;
}

void GraphCompiler::buildAdjacency() {
    // One pass over the connections counts each node's producers and consumers and each
    // input's connections, and notes what the checks need (mistyped connections, writing
    // inputs), so no check walks the connections again. Only the consumer side becomes a
    // CSR: the stages that follow edges go producer to consumer. Counts go two places up:
    // after the prefix sum offsets[v + 1] is where v starts, the scatter's cursor, and
    // ends where v + 1 starts.
    const auto& connections = graph_.connections_;
    const auto count = static_cast<std::uint32_t>(connections.size());
    producerCounts_.assign(nodeCount_, 0);
    consumerOffsets_.assign(nodeCount_ + 2, 0);
    connectionsPerInput_.assign(inputBase_[nodeCount_], 0);
    for (std::uint32_t i = 0; i < count; ++i) {
        const Connection& c = connections[i];
        ++producerCounts_[c.to.value];
        ++consumerOffsets_[c.from.value + 2];
        ++connectionsPerInput_[inputBase_[c.to.value] + c.toSlot];
        const SlotDesc& input = types_[c.to.value]->inputs[c.toSlot];
        if (types_[c.from.value]->outputs[c.fromSlot].type != input.type) {
            mistyped_.push_back(i);
        }
        writesInPlace_ = writesInPlace_ || input.options.access != Access::Read;
    }
    std::partial_sum(consumerOffsets_.begin(), consumerOffsets_.end(), consumerOffsets_.begin());
    consumers_.resize(count);
    dependencyEdges_.resize(count);
    consumerConnections_.resize(writesInPlace_ ? count : 0);  // only the access check reads it
    for (std::uint32_t i = 0; i < count; ++i) {
        const Connection& c = connections[i];
        const std::uint32_t edge = consumerOffsets_[c.from.value + 1]++;
        consumers_[edge] = c.to.value;
        dependencyEdges_[edge] =
            types_[c.to.value]->inputs[c.toSlot].options.role == SlotRole::Dependency ? 1 : 0;
        if (writesInPlace_) {
            consumerConnections_[edge] = i;
        }
    }
    consumerOffsets_.pop_back();
}

bool GraphCompiler::sortTopologically() {
    // Kahn's algorithm over every node, culled or not: cleanup needs the full order. A
    // node's wave (one past its producers' latest) is final when it is dequeued, so it is
    // passed on here for scheduleWaves. Appends are branch-free (write, then advance when
    // the node became ready): readiness is data the branch predictor cannot learn. Hence
    // one spare slot.
    std::vector<std::uint32_t>& pending = producerCounts_;  // consumed by the sort
    auto& order = topologicalOrder_;
    order.resize(nodeCount_ + 1);
    level_.assign(nodeCount_, 0);
    std::uint32_t tail = 0;
    std::uint32_t aliveCount = 0;
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        if (!alive(i)) {
            continue;
        }
        ++aliveCount;
        if (pending[i] == 0) {
            order[tail++] = i;
        }
    }
    for (std::uint32_t head = 0; head < tail; ++head) {
        const std::uint32_t node = order[head];
        const std::uint32_t nextLevel = level_[node] + 1;
        for (std::uint32_t e = consumerOffsets_[node]; e < consumerOffsets_[node + 1]; ++e) {
            const std::uint32_t consumer = consumers_[e];
            level_[consumer] = std::max(level_[consumer], nextLevel);
            order[tail] = consumer;
            tail += --pending[consumer] == 0 ? 1U : 0U;
        }
    }
    order.resize(tail);
    return tail == aliveCount;
}

void GraphCompiler::reportCycles() {
    // Depth-first search over the nodes Kahn could not order; a back edge closes a cycle,
    // which is reported node by node in connection order.
    enum : std::uint8_t { kUnvisited, kOnPath, kDone };
    std::vector<std::uint8_t> state(nodeCount_, kDone);
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        state[i] = alive(i) ? kUnvisited : kDone;
    }
    for (const std::uint32_t ordered : topologicalOrder_) {
        state[ordered] = kDone;
    }
    std::vector<std::pair<std::uint32_t, std::uint32_t>> path;  // node, next edge
    std::size_t reported = 0;
    for (std::uint32_t start = 0; start < nodeCount_ && reported < kMaxCyclesReported; ++start) {
        if (state[start] != kUnvisited) {
            continue;
        }
        path.emplace_back(start, consumerOffsets_[start]);
        state[start] = kOnPath;
        while (!path.empty()) {
            auto& [node, edge] = path.back();
            if (edge == consumerOffsets_[node + 1]) {
                state[node] = kDone;
                path.pop_back();
                continue;
            }
            const std::uint32_t next = consumers_[edge++];
            if (state[next] == kUnvisited) {
                state[next] = kOnPath;
                path.emplace_back(next, consumerOffsets_[next]);
            } else if (state[next] == kOnPath && reported < kMaxCyclesReported) {
                auto first = std::find_if(path.begin(), path.end(), [next](const auto& entry) {
                    return entry.first == next;
                });
                std::string cycle;
                for (auto it = first; it != path.end(); ++it) {
                    cycle += fmt::format("'{}' -> ", nodeAt(it->first).name());
                }
                cycle += fmt::format("'{}'", nodeAt(next).name());
                error(Error{ErrorCode::Cycle, fmt::format("cycle: {} (break one of these "
                                                          "connections)",
                                                          cycle)});
                ++reported;
            }
        }
    }
}

void GraphCompiler::cullUnconsumed() {
    // Kept: nodes with side effects or marked keep-alive, and everything they consume.
    kept_.assign(nodeCount_, 0);
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        if (alive(i) && (graph_.nodes_[i].keepAlive || types_[i]->sideEffects)) {
            kept_[i] = 1;
        }
    }
    if (acyclic_) {
        // Consumers first: a node is kept when it is a root or a kept node consumes it.
        for (auto it = topologicalOrder_.rbegin(); it != topologicalOrder_.rend(); ++it) {
            const std::uint32_t node = *it;
            std::uint8_t consumed = 0;
            for (std::uint32_t e = consumerOffsets_[node]; e < consumerOffsets_[node + 1]; ++e) {
                consumed |= kept_[consumers_[e]];
            }
            kept_[node] |= consumed;
        }
    } else {
        keepProducersOfKept();
    }
    // Later stages walk keptNodes_ rather than test every node. The split is branch-free,
    // so each list has one spare slot for the write that does not advance.
    const auto keptCount =
        static_cast<std::uint32_t>(std::count(kept_.begin(), kept_.end(), std::uint8_t{1}));
    const auto culledCount = static_cast<std::uint32_t>(graph_.liveNodeCount_) - keptCount;
    keptNodes_.resize(keptCount + 1);
    auto& culled = report_.culled;
    culled.resize(culledCount + 1);
    std::uint32_t keptAt = 0;
    std::uint32_t culledAt = 0;
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        if (!alive(i)) {
            continue;
        }
        keptNodes_[keptAt] = i;
        culled[culledAt] = NodeId{i};
        keptAt += kept_[i];
        culledAt += 1U - kept_[i];
    }
    keptNodes_.pop_back();
    culled.pop_back();
    report_.keptCount = keptCount;
    if (keptCount == 0 && graph_.liveNodeCount_ > 0) {
        error(Error{ErrorCode::InvalidArgument,
                    "nothing to execute: no node has side effects or is kept alive, so all "
                    "are culled (keep the graph's outputs alive)"});
    }
}

void GraphCompiler::keepProducersOfKept() {
    // With a cycle there is no full order to sweep: walk from the kept nodes to their
    // producers instead, over a producer-side CSR built for the purpose.
    const auto& connections = graph_.connections_;
    std::vector<std::uint32_t> offsets(nodeCount_ + 2, 0);
    for (const Connection& c : connections) {
        ++offsets[c.to.value + 2];
    }
    std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
    std::vector<std::uint32_t> producers(connections.size());
    for (const Connection& c : connections) {
        producers[offsets[c.to.value + 1]++] = c.from.value;
    }
    std::vector<std::uint32_t> stack;
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        if (kept_[i] != 0) {
            stack.push_back(i);
        }
    }
    while (!stack.empty()) {
        const std::uint32_t node = stack.back();
        stack.pop_back();
        for (std::uint32_t e = offsets[node]; e < offsets[node + 1]; ++e) {
            const std::uint32_t producer = producers[e];
            if (kept_[producer] == 0) {
                kept_[producer] = 1;
                stack.push_back(producer);
            }
        }
    }
}

// ---- schedule and resources --------------------------------------------------------------

void GraphCompiler::scheduleWaves() {
    // A node's wave (from the sort) is one past the latest wave of its producers; waves
    // run in order and the nodes of one wave are independent. A kept node's producers are
    // all kept, so culling changes no kept node's wave. At most one wave per kept node.
    const auto keptCount = static_cast<std::uint32_t>(keptNodes_.size());
    std::vector<std::uint32_t> keptOrder(keptCount + 1);  // a spare slot, as in the cull
    std::uint32_t ordered = 0;
    for (const std::uint32_t node : topologicalOrder_) {
        keptOrder[ordered] = node;
        ordered += kept_[node];
    }
    keptOrder.resize(ordered);
    std::vector<std::uint32_t> waveOffsets(keptCount + 1, 0);
    std::uint32_t waveCount = 0;
    for (const std::uint32_t node : keptOrder) {
        ++waveOffsets[level_[node] + 1];
        waveCount = std::max(waveCount, level_[node] + 1);
    }
    waveOffsets.resize(waveCount + 1);
    std::partial_sum(waveOffsets.begin(), waveOffsets.end(), waveOffsets.begin());
    std::vector<std::uint32_t> cursor(waveOffsets.begin(), waveOffsets.end() - 1);
    auto& order = graph_.executionOrder_;
    order.assign(waveOffsets.back(), nullptr);
    graph_.orderPosition_.assign(nodeCount_, kNotKept);
    report_.order.assign(waveOffsets.back(), NodeId{});
    for (const std::uint32_t node : keptOrder) {
        const std::uint32_t position = cursor[level_[node]]++;
        order[position] = graph_.nodes_[node].node.get();
        report_.order[position] = NodeId{node};
        graph_.orderPosition_[node] = position;
    }
    graph_.executionWaves_ = waveOffsets;
    report_.waveOffsets = std::move(waveOffsets);
}

void GraphCompiler::planTransientLifetimes() {
    // A node's transients live from its wave to the last wave that consumes them; nodes of
    // one wave may run at once, so waves, not positions, bound a lifetime. A sweep over
    // the waves gives the most bytes alive at once: what transients need when they alias.
    auto& lifetimes = graph_.transientLifetimes_;
    lifetimes.assign(nodeCount_, TransientLifetime{});
    // The graph keeps the sweep's storage for the dry runs of its recompiles.
    auto& deltas = graph_.waveTransientDelta_;
    deltas.assign(report_.waveCount() + 1, 0);
    bool any = false;
    for (const std::uint32_t node : keptNodes_) {
        const std::uint64_t bytes = graph_.estimates_[node].transientBytes;
        if (bytes == 0) {
            continue;
        }
        any = true;
        std::uint32_t last = level_[node];
        for (std::uint32_t e = consumerOffsets_[node]; e < consumerOffsets_[node + 1]; ++e) {
            if (kept_[consumers_[e]] != 0) {
                last = std::max(last, level_[consumers_[e]]);
            }
        }
        lifetimes[node] = TransientLifetime{level_[node], last};
        detail::addTransient(deltas, lifetimes[node], bytes);
    }
    if (any) {
        report_.transientPeakBytes = detail::transientPeak(deltas);
    }
}

void GraphCompiler::buildResources() {
    using core::alignUp;  // alignments are alignof values, so powers of two
    // A history output is a ring: its depth + 1 objects, each a resource of the output's type.
    const auto objectsOf = [](const SlotDesc& output) -> std::size_t {
        return std::size_t{output.options.history} + 1;
    };
    std::size_t bytes = 0;
    std::size_t count = 0;
    std::size_t rings = 0;
    for (const std::uint32_t i : keptNodes_) {
        for (const SlotDesc& output : types_[i]->outputs) {
            for (std::size_t e = 0; e < objectsOf(output); ++e) {
                bytes = alignUp(bytes, output.type->alignment) + output.type->size;
                ++count;
            }
            rings += output.options.history > 0 ? 1 : 0;
        }
    }
    auto block = std::make_unique<RenderGraph::ResourceBlock>(bytes);
    block->objects.reserve(count);
    graph_.outputResources_.assign(outputBase_[nodeCount_], nullptr);
    graph_.outputHistory_.assign(outputBase_[nodeCount_], nullptr);
    graph_.historyRings_.clear();
    graph_.historyRings_.reserve(rings);  // never grows after: nodes point into it
    std::size_t offset = 0;
    for (const std::uint32_t i : keptNodes_) {
        for (const SlotDesc& output : types_[i]->outputs) {
            const std::uint32_t entry = outputBase_[i] + output.index;
            HistoryRing ring{.size = static_cast<std::uint32_t>(objectsOf(output)),
                             .output = entry,
                             .producer = i};
            for (std::uint32_t e = 0; e < ring.size; ++e) {
                offset = alignUp(offset, output.type->alignment);
                ring.elements[e] = block->construct(offset, output.type);
                offset += output.type->size;
            }
            graph_.outputResources_[entry] = ring.elements[0];
            if (output.options.history > 0) {
                graph_.historyRings_.push_back(ring);
                graph_.outputHistory_[entry] = &graph_.historyRings_.back();
            }
        }
    }
    graph_.resources_ = std::move(block);
}

void GraphCompiler::bindSlots() {
    auto& bindings = graph_.inputBindings_;
    auto& bound = graph_.boundResources_;
    bindings.resize(inputBase_[nodeCount_]);
    bound.assign(graph_.connections_.size(), nullptr);
    // Each input's connections take a run of `bound`; its count is no longer needed once
    // the binding holds it, so connectionsPerInput_ becomes the run's write cursor.
    std::uint32_t start = 0;
    for (std::uint32_t b = 0; b < bindings.size(); ++b) {
        const std::uint32_t count = connectionsPerInput_[b];
        bindings[b] = InputBinding{bound.data() + start, count};
        connectionsPerInput_[b] = start;
        start += count;
    }
    // Every connection has its place in its input's run; a culled consumer's stays null.
    auto& cursor = connectionsPerInput_;
    connectionBound_.resize(graph_.connections_.size());
    for (std::size_t index = 0; index < graph_.connections_.size(); ++index) {
        const Connection& c = graph_.connections_[index];
        void* const resource = graph_.outputResources_[outputBase_[c.from.value] + c.fromSlot];
        connectionBound_[index] = cursor[inputBase_[c.to.value] + c.toSlot]++;
        bound[connectionBound_[index]] = kept_[c.to.value] != 0 ? resource : nullptr;
    }
    bindHistory();
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        if (alive(i)) {
            Node& node = *graph_.nodes_[i].node;
            node.inputs_ = bindings.data() + inputBase_[i];
            node.outputs_ = graph_.outputResources_.data() + outputBase_[i];
            node.outputHistory_ = graph_.outputHistory_.data() + outputBase_[i];
        }
    }
}

void GraphCompiler::bindHistory() {
    // Each ring learns which bound entries point at its output (execute turns them with
    // it), and each input that declares history gets its producer's ring.
    auto& rings = graph_.historyRings_;
    auto& ringBound = graph_.historyBound_;
    const auto ringOf = [&](const Connection& c) -> HistoryRing* {
        return kept_[c.to.value] != 0
                   ? graph_.outputHistory_[outputBase_[c.from.value] + c.fromSlot]
                   : nullptr;
    };
    for (const Connection& c : graph_.connections_) {
        if (HistoryRing* ring = ringOf(c)) {
            ++ring->boundCount;
        }
    }
    std::uint32_t next = 0;
    for (HistoryRing& ring : rings) {
        ring.firstBound = next;
        next += ring.boundCount;
        ring.boundCount = 0;
    }
    ringBound.assign(next, 0);
    for (std::size_t index = 0; index < graph_.connections_.size(); ++index) {
        const Connection& c = graph_.connections_[index];
        if (HistoryRing* ring = ringOf(c)) {
            ringBound[ring->firstBound + ring->boundCount++] = connectionBound_[index];
            const SlotDesc& input = types_[c.to.value]->inputs[c.toSlot];
            if (input.options.history > 0) {
                graph_.inputBindings_[inputBase_[c.to.value] + c.toSlot].history = ring;
            }
        }
    }
    std::uint64_t period = 1;
    for (const HistoryRing& ring : graph_.historyRings_) {
        period = std::lcm(period, std::uint64_t{ring.size});
    }
    graph_.historyPeriod_ = static_cast<std::uint32_t>(period);  // checked by checkHistory
    graph_.selectHistory(graph_.historyClock_);
}

void GraphCompiler::sizeRuntimePools() {
    // Recompile propagation follows only inputs needed at compile time. The consumers of
    // a culled node are culled too, so testing each consumer covers its producer. Counted
    // first, then appended branch-free into one spare slot: which edges qualify is data
    // the branch predictor cannot learn.
    const auto edges = static_cast<std::uint32_t>(consumers_.size());
    std::uint32_t count = 0;
    for (std::uint32_t e = 0; e < edges; ++e) {
        count += std::uint32_t{kept_[consumers_[e]]} & dependencyEdges_[e];
    }
    auto& offsets = graph_.dependentOffsets_;
    auto& dependents = graph_.dependents_;
    offsets.assign(nodeCount_ + 1, 0);
    dependents.resize(count + 1);
    std::uint32_t at = 0;
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        offsets[i] = at;
        for (std::uint32_t e = consumerOffsets_[i]; e < consumerOffsets_[i + 1]; ++e) {
            dependents[at] = NodeId{consumers_[e]};
            at += std::uint32_t{kept_[consumers_[e]]} & dependencyEdges_[e];
        }
    }
    offsets[nodeCount_] = at;
    dependents.pop_back();
    graph_.dirtyStack_.clear();
    graph_.dirtyStack_.reserve(nodeCount_);
    graph_.dirtyPositions_.reserve(nodeCount_);
    graph_.recompileEstimates_.reserve(nodeCount_);
    graph_.recompileNodes_.reserve(nodeCount_);
    graph_.reserveEventCapacity(report_.totalEstimate.eventsPerFrame);
}

std::vector<NodeId> GraphCompiler::cleanupOrder(RenderGraph& graph) {
    GraphCompiler compiler(graph);
    compiler.nodeCount_ = static_cast<std::uint32_t>(graph.nodes_.size());
    compiler.indexSlots();
    compiler.buildAdjacency();
    compiler.sortTopologically();
    std::vector<std::uint8_t> ordered(compiler.nodeCount_, 0);
    for (const std::uint32_t node : compiler.topologicalOrder_) {
        ordered[node] = 1;
    }
    std::vector<NodeId> order;
    order.reserve(compiler.nodeCount_);
    for (std::uint32_t i = compiler.nodeCount_; i-- > 0;) {
        if (compiler.alive(i) && ordered[i] == 0) {
            order.push_back(NodeId{i});
        }
    }
    for (auto it = compiler.topologicalOrder_.rbegin(); it != compiler.topologicalOrder_.rend();
         ++it) {
        order.push_back(NodeId{*it});
    }
    return order;
}

}  // namespace vixen::graph
