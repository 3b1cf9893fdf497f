// The validation stages of GraphCompiler: each records every problem it finds.
#include <algorithm>
#include <array>
#include <numeric>
#include <string>

#include "budget_check.hpp"
#include "graph_compiler.hpp"
#include "vixen/core/units.hpp"
#include "vixen/graph/sub_graph.hpp"

namespace vixen::graph {
void GraphCompiler::checkConnectionTypes() {
    // buildAdjacency found the mismatches; reported here, in connection order.
    for (const std::uint32_t index : mistyped_) {
        const Connection& c = graph_.connections_[index];
        const Node& producer = nodeAt(c.from.value);
        const Node& consumer = nodeAt(c.to.value);
        const SlotDesc& output = producer.type().outputs[c.fromSlot];
        const SlotDesc& input = consumer.type().inputs[c.toSlot];
        error(Error{ErrorCode::TypeMismatch,
                    fmt::format("connection '{}.{}' -> '{}.{}': output '{}' of '{}' carries "
                                "{}, input '{}' of '{}' takes {}",
                                producer.name(), output.name, consumer.name(), input.name,
                                output.name, producer.name(), output.type->name, input.name,
                                consumer.name(), input.type->name)});
    }
}

void GraphCompiler::checkHistory() {
    std::uint64_t period = 1;
    for (const std::uint32_t i : keptNodes_) {
        for (const SlotDesc& output : types_[i]->outputs) {
            period =
                std::min<std::uint64_t>(std::lcm(period, std::uint64_t{output.options.history} + 1),
                                        std::uint64_t{kMaxHistoryPeriod} + 1);
        }
    }
    if (period > kMaxHistoryPeriod) {
        error(Error{ErrorCode::InvalidArgument,
                    fmt::format("the history outputs' ring sizes (depth + 1) turn together only "
                                "after more than {} frames; choose depths whose ring sizes share "
                                "factors (1, 3 and 7 turn every 8 frames)",
                                kMaxHistoryPeriod)});
    }
    // A loop's node runs once a step or not at all, while rings turn once a frame: its
    // history would hold frames nothing wrote, or lose steps.
    for (const std::uint32_t i : keptNodes_) {
        const auto declaresHistory = [](const SlotDesc& slot) { return slot.options.history > 0; };
        const bool history =
            std::any_of(types_[i]->outputs.begin(), types_[i]->outputs.end(), declaresHistory) ||
            std::any_of(types_[i]->inputs.begin(), types_[i]->inputs.end(), declaresHistory);
        if (history) {
            if (const SubGraphBase* loop = graph_.loopOf(NodeId{i})) {
                const Node& node = nodeAt(i);
                error(Error{ErrorCode::InvalidArgument,
                            fmt::format("node '{}' ({}): history slots cannot be in loop '{}' "
                                        "(rings turn once a frame, the loop's nodes run once a "
                                        "step or not at all); keep the history outside the loop",
                                        node.name(), node.type().name, loop->path())});
            }
        }
    }
    for (const Connection& c : graph_.connections_) {
        if (kept_[c.to.value] == 0) {
            continue;
        }
        const SlotDesc& output = types_[c.from.value]->outputs[c.fromSlot];
        const SlotDesc& input = types_[c.to.value]->inputs[c.toSlot];
        if (input.options.history > output.options.history) {
            const Node& producer = nodeAt(c.from.value);
            const Node& consumer = nodeAt(c.to.value);
            error(Error{ErrorCode::InvalidArgument,
                        fmt::format("node '{}' ({}): input '{}' reads {} frame(s) back, but output "
                                    "'{}' of '{}' keeps {}; declare history = {} on that output",
                                    consumer.name(), consumer.type().name, input.name,
                                    input.options.history, output.name, producer.name(),
                                    output.options.history, input.options.history)});
        }
    }
}

void GraphCompiler::checkInputCounts() {
    for (const std::uint32_t i : keptNodes_) {
        for (const SlotDesc& input : types_[i]->inputs) {
            const std::uint32_t count = connectionsPerInput_[inputBase_[i] + input.index];
            if (input.options.array) {
                continue;
            }
            if (count == 0 && !input.options.nullable) {
                const Node& node = nodeAt(i);
                error(Error{
                    ErrorCode::MissingInput,
                    fmt::format("node '{}' ({}): required input '{}' ({}) is not "
                                "connected; connect an output of that type to it",
                                node.name(), node.type().name, input.name, input.type->name)});
            } else if (count > 1) {
                const Node& node = nodeAt(i);
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
    // nothing orders them. Report each writer once per resource. Without a writing input
    // there is nothing to check.
    if (!writesInPlace_) {
        return;
    }
    const auto& connections = graph_.connections_;
    for (std::uint32_t producer = 0; producer < nodeCount_; ++producer) {
        if (!alive(producer) || kept_[producer] == 0) {
            continue;
        }
        const std::uint32_t begin = consumerOffsets_[producer];
        const std::uint32_t end = consumerOffsets_[producer + 1];
        for (std::uint32_t e = begin; e < end; ++e) {
            const Connection& writer = connections[consumerConnections_[e]];
            const SlotDesc& input = types_[writer.to.value]->inputs[writer.toSlot];
            if (input.options.access == Access::Read) {
                continue;
            }
            for (std::uint32_t other = begin; other < end; ++other) {
                const Connection& reader = connections[consumerConnections_[other]];
                if (other == e || reader.fromSlot != writer.fromSlot ||
                    kept_[reader.to.value] == 0) {
                    continue;
                }
                const Node& writerNode = nodeAt(writer.to.value);
                const Node& readerNode = nodeAt(reader.to.value);
                error(Error{ErrorCode::AccessConflict,
                            fmt::format("resource '{}.{}' is written in place by '{}.{}' and "
                                        "also used by '{}.{}'; an in-place write must be the "
                                        "resource's only use (let '{}' consume an output of "
                                        "'{}' instead)",
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
    // Many nodes estimate nothing; adding their zeros would only cost a call each.
    ResourceEstimate total{};
    std::uint32_t scratchUsers = 0;
    for (const std::uint32_t i : keptNodes_) {
        const ResourceEstimate& estimate = graph_.estimates_[i];
        if (!estimate.empty()) {
            total += estimate;
            scratchUsers += estimate.frameScratchBytes != 0 ? 1 : 0;
        }
    }
    report_.totalEstimate = total;
    report_.frameScratchUsers = scratchUsers;
}

void GraphCompiler::checkBudget() {
    detail::checkBudget(
        report_.totalEstimate, report_.aliasingSavedBytes(), graph_.options_.budget, keptNodes_,
        [this](std::uint32_t node) -> const ResourceEstimate& { return graph_.estimates_[node]; },
        [this](std::uint32_t node) { return nodeAt(node).name(); }, "estimated", report_.errors);
}

}  // namespace vixen::graph
