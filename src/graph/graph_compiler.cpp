#include "graph_compiler.hpp"

#include <algorithm>
#include <array>
#include <numeric>
#include <string>

#include "resource_block.hpp"
#include "vixen/core/units.hpp"

namespace vixen::graph {
namespace {

constexpr std::uint32_t kNotKept = UINT32_MAX;
constexpr std::size_t kMaxCyclesReported = 16;
constexpr std::size_t kLargestNodesNamed = 3;

}  // namespace

Result<void> GraphCompiler::compile() {
    report_ = CompileReport{};
    nodeCount_ = static_cast<std::uint32_t>(graph_.nodes_.size());

    indexSlots();
    buildAdjacency();
    const bool acyclic = sortTopologically();
    if (!acyclic) {
        reportCycles();
    }
    cullUnconsumed();
    checkConnectionTypes();
    checkInputCounts();
    checkAccessConflicts();
    checkDuplicateNames();
    sumEstimates();
    checkBudget();
    if (acyclic) {
        scheduleWaves();
    }
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
    return {};
}

// ---- structure -------------------------------------------------------------------------

void GraphCompiler::indexSlots() {
    inputBase_.assign(nodeCount_ + 1, 0);
    outputBase_.assign(nodeCount_ + 1, 0);
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        const bool isAlive = alive(i);
        inputBase_[i + 1] =
            inputBase_[i] +
            (isAlive ? static_cast<std::uint32_t>(nodeAt(i).type().inputs.size()) : 0);
        outputBase_[i + 1] =
            outputBase_[i] +
            (isAlive ? static_cast<std::uint32_t>(nodeAt(i).type().outputs.size()) : 0);
    }
    connectionsPerInput_.assign(inputBase_[nodeCount_], 0);
    for (const Connection& c : graph_.connections_) {
        ++connectionsPerInput_[inputBase_[c.to.value] + c.toSlot];
    }
}

void GraphCompiler::buildAdjacency() {
    const auto& connections = graph_.connections_;
    producerOffsets_.assign(nodeCount_ + 1, 0);
    consumerOffsets_.assign(nodeCount_ + 1, 0);
    for (const Connection& c : connections) {
        ++producerOffsets_[c.to.value + 1];
        ++consumerOffsets_[c.from.value + 1];
    }
    std::partial_sum(producerOffsets_.begin(), producerOffsets_.end(), producerOffsets_.begin());
    std::partial_sum(consumerOffsets_.begin(), consumerOffsets_.end(), consumerOffsets_.begin());
    producers_.resize(connections.size());
    consumers_.resize(connections.size());
    std::vector<std::uint32_t> producerCursor(producerOffsets_.begin(), producerOffsets_.end() - 1);
    std::vector<std::uint32_t> consumerCursor(consumerOffsets_.begin(), consumerOffsets_.end() - 1);
    for (std::uint32_t i = 0; i < connections.size(); ++i) {
        const Connection& c = connections[i];
        producers_[producerCursor[c.to.value]++] = Edge{c.from.value, i};
        consumers_[consumerCursor[c.from.value]++] = Edge{c.to.value, i};
    }
}

bool GraphCompiler::sortTopologically() {
    // Kahn's algorithm over every node, culled or not: cleanup needs the full order.
    std::vector<std::uint32_t> pending(nodeCount_);
    topologicalOrder_.clear();
    topologicalOrder_.reserve(nodeCount_);
    std::uint32_t aliveCount = 0;
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        if (!alive(i)) {
            continue;
        }
        ++aliveCount;
        pending[i] = producerOffsets_[i + 1] - producerOffsets_[i];
        if (pending[i] == 0) {
            topologicalOrder_.push_back(i);
        }
    }
    for (std::size_t head = 0; head < topologicalOrder_.size(); ++head) {
        const std::uint32_t node = topologicalOrder_[head];
        for (std::uint32_t e = consumerOffsets_[node]; e < consumerOffsets_[node + 1]; ++e) {
            if (--pending[consumers_[e].node] == 0) {
                topologicalOrder_.push_back(consumers_[e].node);
            }
        }
    }
    return topologicalOrder_.size() == aliveCount;
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
            const std::uint32_t next = consumers_[edge++].node;
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
    std::vector<std::uint32_t> stack;
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        if (alive(i) && (graph_.nodes_[i].keepAlive || nodeAt(i).type().sideEffects)) {
            kept_[i] = 1;
            stack.push_back(i);
        }
    }
    while (!stack.empty()) {
        const std::uint32_t node = stack.back();
        stack.pop_back();
        for (std::uint32_t e = producerOffsets_[node]; e < producerOffsets_[node + 1]; ++e) {
            const std::uint32_t producer = producers_[e].node;
            if (kept_[producer] == 0) {
                kept_[producer] = 1;
                stack.push_back(producer);
            }
        }
    }
    std::size_t keptCount = 0;
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        if (!alive(i)) {
            continue;
        }
        if (kept_[i] != 0) {
            ++keptCount;
        } else {
            report_.culled.push_back(NodeId{i});
        }
    }
    report_.keptCount = keptCount;
    if (keptCount == 0 && graph_.liveNodeCount_ > 0) {
        error(Error{ErrorCode::InvalidArgument,
                    "nothing to execute: no node has side effects or is kept alive, so all "
                    "are culled (keep the graph's outputs alive)"});
    }
}

// ---- validation ------------------------------------------------------------------------

void GraphCompiler::checkConnectionTypes() {
    for (const Connection& c : graph_.connections_) {
        const Node& producer = nodeAt(c.from.value);
        const Node& consumer = nodeAt(c.to.value);
        const SlotDesc& output = producer.type().outputs[c.fromSlot];
        const SlotDesc& input = consumer.type().inputs[c.toSlot];
        if (output.type != input.type) {
            error(Error{ErrorCode::TypeMismatch,
                        fmt::format("connection '{}.{}' -> '{}.{}': output '{}' of '{}' carries "
                                    "{}, input '{}' of '{}' takes {}",
                                    producer.name(), output.name, consumer.name(), input.name,
                                    output.name, producer.name(), output.type->name, input.name,
                                    consumer.name(), input.type->name)});
        }
    }
}

void GraphCompiler::checkInputCounts() {
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        if (!alive(i) || kept_[i] == 0) {
            continue;
        }
        const Node& node = nodeAt(i);
        for (const SlotDesc& input : node.type().inputs) {
            const std::uint32_t count = connectionsPerInput_[inputBase_[i] + input.index];
            if (input.options.array) {
                continue;
            }
            if (count == 0 && !input.options.nullable) {
                error(Error{
                    ErrorCode::MissingInput,
                    fmt::format("node '{}' ({}): required input '{}' ({}) is not "
                                "connected; connect an output of that type to it",
                                node.name(), node.type().name, input.name, input.type->name)});
            } else if (count > 1) {
                error(Error{ErrorCode::InvalidArgument,
                            fmt::format("node '{}' ({}): input '{}' takes one connection but "
                                        "has {}; declare it as an array to take several",
                                        node.name(), node.type().name, input.name, count)});
            }
        }
    }
}

void GraphCompiler::checkAccessConflicts() {
    // A consumer that writes a resource in place races with every other consumer of it:
    // nothing orders them. Report each writer once per resource.
    const auto& connections = graph_.connections_;
    for (std::uint32_t producer = 0; producer < nodeCount_; ++producer) {
        if (!alive(producer) || kept_[producer] == 0) {
            continue;
        }
        const std::uint32_t begin = consumerOffsets_[producer];
        const std::uint32_t end = consumerOffsets_[producer + 1];
        for (std::uint32_t e = begin; e < end; ++e) {
            const Connection& writer = connections[consumers_[e].connection];
            const SlotDesc& input = nodeAt(writer.to.value).type().inputs[writer.toSlot];
            if (input.options.access == Access::Read) {
                continue;
            }
            for (std::uint32_t other = begin; other < end; ++other) {
                const Connection& reader = connections[consumers_[other].connection];
                if (other == e || reader.fromSlot != writer.fromSlot ||
                    kept_[reader.to.value] == 0) {
                    continue;
                }
                const Node& writerNode = nodeAt(writer.to.value);
                const Node& readerNode = nodeAt(reader.to.value);
                error(Error{ErrorCode::AccessConflict,
                            fmt::format("resource '{}.{}' is written in place by '{}.{}' and "
                                        "also used by '{}.{}', with no order between them; "
                                        "let '{}' consume an output of '{}' instead",
                                        nodeAt(producer).name(),
                                        nodeAt(producer).type().outputs[writer.fromSlot].name,
                                        writerNode.name(), input.name, readerNode.name(),
                                        readerNode.type().inputs[reader.toSlot].name,
                                        readerNode.name(), writerNode.name())});
                break;
            }
        }
    }
}

void GraphCompiler::checkDuplicateNames() {
    for (const NodeId duplicate : graph_.duplicateNames_) {
        const Node& node = nodeAt(duplicate.value);
        error(Error{ErrorCode::AlreadyExists,
                    fmt::format("two nodes are named '{}' (the second is a {}); node names must "
                                "be unique",
                                node.name(), node.type().name)});
    }
}

void GraphCompiler::sumEstimates() {
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        if (alive(i) && kept_[i] != 0) {
            report_.totalEstimate += nodeAt(i).estimate();
        }
    }
}

void GraphCompiler::checkBudget() {
    const GraphBudget& budget = graph_.options_.budget;
    for (std::size_t k = 0; k < kMemoryKindCount; ++k) {
        const std::uint64_t limit = budget.memoryBytes[k];
        const std::uint64_t total = report_.totalEstimate.memoryBytes[k];
        if (limit == 0 || total <= limit) {
            continue;
        }
        std::array<std::uint32_t, kLargestNodesNamed> largest{};
        largest.fill(kNotKept);
        for (std::uint32_t i = 0; i < nodeCount_; ++i) {
            if (!alive(i) || kept_[i] == 0 || nodeAt(i).estimate().memoryBytes[k] == 0) {
                continue;
            }
            std::uint32_t candidate = i;
            for (std::uint32_t& slot : largest) {
                if (slot == kNotKept || nodeAt(candidate).estimate().memoryBytes[k] >
                                            nodeAt(slot).estimate().memoryBytes[k]) {
                    std::swap(slot, candidate);
                    if (candidate == kNotKept) {
                        break;
                    }
                }
            }
        }
        std::string culprits;
        for (const std::uint32_t node : largest) {
            if (node != kNotKept) {
                culprits +=
                    fmt::format("{}'{}' {}", culprits.empty() ? "" : ", ", nodeAt(node).name(),
                                core::formatBytes(nodeAt(node).estimate().memoryBytes[k]));
            }
        }
        error(Error{ErrorCode::OverBudget,
                    fmt::format("estimated {} memory {} exceeds the budget of {}; largest: {} "
                                "(lower their needs or raise the budget)",
                                toString(static_cast<MemoryKind>(k)), core::formatBytes(total),
                                core::formatBytes(limit), culprits)});
    }
    if (budget.stagingBytes != 0 && report_.totalEstimate.stagingBytes > budget.stagingBytes) {
        error(Error{ErrorCode::OverBudget,
                    fmt::format("estimated staging memory {} exceeds the budget of {}",
                                core::formatBytes(report_.totalEstimate.stagingBytes),
                                core::formatBytes(budget.stagingBytes))});
    }
}

// ---- schedule and resources --------------------------------------------------------------

void GraphCompiler::scheduleWaves() {
    // A node's wave is one past the latest wave of its producers; waves run in order and
    // the nodes of one wave are independent.
    level_.assign(nodeCount_, 0);
    std::uint32_t waveCount = 0;
    for (const std::uint32_t node : topologicalOrder_) {
        if (kept_[node] == 0) {
            continue;
        }
        std::uint32_t level = 0;
        for (std::uint32_t e = producerOffsets_[node]; e < producerOffsets_[node + 1]; ++e) {
            level = std::max(level, level_[producers_[e].node] + 1);
        }
        level_[node] = level;
        waveCount = std::max(waveCount, level + 1);
    }
    std::vector<std::uint32_t> waveOffsets(waveCount + 1, 0);
    for (const std::uint32_t node : topologicalOrder_) {
        if (kept_[node] != 0) {
            ++waveOffsets[level_[node] + 1];
        }
    }
    std::partial_sum(waveOffsets.begin(), waveOffsets.end(), waveOffsets.begin());
    std::vector<std::uint32_t> cursor(waveOffsets.begin(), waveOffsets.end() - 1);
    auto& order = graph_.executionOrder_;
    order.assign(waveOffsets.back(), nullptr);
    graph_.orderPosition_.assign(nodeCount_, kNotKept);
    report_.order.assign(waveOffsets.back(), NodeId{});
    for (const std::uint32_t node : topologicalOrder_) {
        if (kept_[node] == 0) {
            continue;
        }
        const std::uint32_t position = cursor[level_[node]]++;
        order[position] = graph_.nodes_[node].node.get();
        report_.order[position] = NodeId{node};
        graph_.orderPosition_[node] = position;
    }
    graph_.executionWaves_ = waveOffsets;
    report_.waveOffsets = std::move(waveOffsets);
}

void GraphCompiler::buildResources() {
    std::size_t bytes = 0;
    std::size_t count = 0;
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        if (alive(i) && kept_[i] != 0) {
            for (const SlotDesc& output : nodeAt(i).type().outputs) {
                bytes = (bytes + output.type->alignment - 1) / output.type->alignment *
                            output.type->alignment +
                        output.type->size;
                ++count;
            }
        }
    }
    auto block = std::make_unique<RenderGraph::ResourceBlock>(bytes);
    block->objects.reserve(count);
    graph_.outputResources_.assign(outputBase_[nodeCount_], nullptr);
    std::size_t offset = 0;
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        if (!alive(i) || kept_[i] == 0) {
            continue;
        }
        for (const SlotDesc& output : nodeAt(i).type().outputs) {
            offset = (offset + output.type->alignment - 1) / output.type->alignment *
                     output.type->alignment;
            graph_.outputResources_[outputBase_[i] + output.index] =
                block->construct(offset, output.type);
            offset += output.type->size;
        }
    }
    graph_.resources_ = std::move(block);
}

void GraphCompiler::bindSlots() {
    auto& bindings = graph_.inputBindings_;
    auto& bound = graph_.boundResources_;
    bindings.assign(inputBase_[nodeCount_], InputBinding{});
    std::vector<std::uint32_t> cursor(inputBase_[nodeCount_] + 1, 0);
    std::partial_sum(connectionsPerInput_.begin(), connectionsPerInput_.end(), cursor.begin() + 1);
    bound.assign(graph_.connections_.size(), nullptr);
    for (std::uint32_t b = 0; b < bindings.size(); ++b) {
        bindings[b] = InputBinding{bound.data() + cursor[b], connectionsPerInput_[b]};
    }
    for (const Connection& c : graph_.connections_) {
        if (kept_[c.to.value] != 0) {
            bound[cursor[inputBase_[c.to.value] + c.toSlot]++] =
                graph_.outputResources_[outputBase_[c.from.value] + c.fromSlot];
        }
    }
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        if (alive(i)) {
            Node& node = *graph_.nodes_[i].node;
            node.inputs_ = bindings.data() + inputBase_[i];
            node.outputs_ = graph_.outputResources_.data() + outputBase_[i];
        }
    }
}

void GraphCompiler::sizeRuntimePools() {
    // Recompile propagation follows only inputs needed at compile time.
    auto& offsets = graph_.dependentOffsets_;
    auto& dependents = graph_.dependents_;
    offsets.assign(nodeCount_ + 1, 0);
    dependents.clear();
    dependents.reserve(graph_.connections_.size());
    for (std::uint32_t i = 0; i < nodeCount_; ++i) {
        offsets[i] = static_cast<std::uint32_t>(dependents.size());
        if (!alive(i) || kept_[i] == 0) {
            continue;
        }
        for (std::uint32_t e = consumerOffsets_[i]; e < consumerOffsets_[i + 1]; ++e) {
            const Connection& c = graph_.connections_[consumers_[e].connection];
            if (kept_[c.to.value] != 0 &&
                nodeAt(c.to.value).type().inputs[c.toSlot].options.role == SlotRole::Dependency) {
                dependents.push_back(c.to);
            }
        }
    }
    offsets[nodeCount_] = static_cast<std::uint32_t>(dependents.size());
    graph_.dirtyStack_.clear();
    graph_.dirtyStack_.reserve(nodeCount_);
    graph_.dirtyPositions_.reserve(nodeCount_);
    graph_.reserveEventCapacity(report_.totalEstimate.eventsPerFrame);
}

std::vector<NodeId> GraphCompiler::cleanupOrder(RenderGraph& graph) {
    GraphCompiler compiler(graph);
    compiler.nodeCount_ = static_cast<std::uint32_t>(graph.nodes_.size());
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
