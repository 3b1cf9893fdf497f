#include "vixen/graph/compile_report.hpp"

#include <fmt/format.h>

#include "vixen/core/units.hpp"
#include "vixen/graph/render_graph.hpp"

namespace vixen::graph {
namespace {

std::string nodeLabel(const RenderGraph& graph, NodeId id) {
    return graph.contains(id) ? std::string(graph.node(id).name()) : fmt::format("#{}", id.value);
}

std::string describeEstimate(const ResourceEstimate& estimate) {
    std::string text;
    for (std::size_t k = 0; k < kMemoryKindCount; ++k) {
        text += fmt::format("  memory {:<13} {}\n", toString(static_cast<MemoryKind>(k)),
                            core::formatBytes(estimate.memoryBytes[k]));
    }
    std::string descriptors;
    for (std::size_t k = 0; k < kDescriptorKindCount; ++k) {
        if (estimate.descriptors[k] != 0) {
            descriptors +=
                fmt::format("{}{} {}", descriptors.empty() ? "" : ", ", estimate.descriptors[k],
                            toString(static_cast<DescriptorKind>(k)));
        }
    }
    text += fmt::format("  descriptors          {}\n", descriptors.empty() ? "none" : descriptors);
    text += fmt::format("  command buffers      {}\n", estimate.commandBuffers);
    text += fmt::format("  staging              {}\n", core::formatBytes(estimate.stagingBytes));
    if (estimate.streamBytesPerFrame != 0 || estimate.readbackBytesPerFrame != 0) {
        text += fmt::format("  per frame            {} streamed in, {} read back\n",
                            core::formatBytes(estimate.streamBytesPerFrame),
                            core::formatBytes(estimate.readbackBytesPerFrame));
    }
    text += fmt::format("  events per frame     {}\n", estimate.eventsPerFrame);
    text += fmt::format("  execute bytes        {}\n", core::formatBytes(estimate.executeBytes));
    text += fmt::format("  frame scratch        {} per thread\n",
                        core::formatBytes(estimate.frameScratchBytes));
    return text;
}

}  // namespace

void RenderGraph::noteCompileStage(std::string_view name, std::uint64_t microseconds) {
    compileStages_.push_back(CompileStage{name, microseconds});
}

void RenderGraph::failCompile(Error error) {
    if (!hookCompileError_) {
        hookCompileError_ = std::move(error);
    }
}

std::string CompileReport::describe(const RenderGraph& graph) const {
    std::string text;
    text += fmt::format(
        "compile: {} node(s), {} connection(s), {} kept, {} culled, {} wave(s), "
        "{} error(s), {} us\n",
        graph.nodeCount(), graph.connections().size(), keptCount, culled.size(), waveCount(),
        errors.size(), compileMicroseconds);
    if (!stages.empty()) {
        text += "stages:";
        for (const CompileStage& stage : stages) {
            text += fmt::format(" {} {} us,", stage.name, stage.microseconds);
        }
        text.back() = '\n';
    }
    if (!order.empty()) {
        text += "order:\n";
        for (std::size_t i = 0; i < order.size(); ++i) {
            const Node& node = graph.node(order[i]);
            text += fmt::format("  {:>4}  {} ({})\n", i, node.name(), node.type().name);
        }
        text += "waves:\n";
        for (std::size_t w = 0; w < waveCount(); ++w) {
            std::string members;
            for (std::uint32_t i = waveOffsets[w]; i < waveOffsets[w + 1]; ++i) {
                members +=
                    fmt::format("{}{}", members.empty() ? "" : ", ", nodeLabel(graph, order[i]));
            }
            text += fmt::format("  {:>4}  {}\n", w, members);
        }
    }
    text += "culled:";
    if (culled.empty()) {
        text += " none\n";
    } else {
        for (const NodeId id : culled) {
            text += fmt::format(" {}", nodeLabel(graph, id));
        }
        text += " (nothing kept consumes their outputs)\n";
    }
    text += "estimates (kept nodes):\n";
    text += describeEstimate(totalEstimate);
    if (totalEstimate.transientBytes != 0) {
        text += fmt::format(
            "aliasing: transients need {} at peak instead of {}; sharing memory saves {}\n",
            core::formatBytes(transientPeakBytes), core::formatBytes(totalEstimate.transientBytes),
            core::formatBytes(aliasingSavedBytes()));
    }
    if (!errors.empty()) {
        text += fmt::format("errors ({}):\n", errors.size());
        for (const Error& e : errors) {
            text += fmt::format("  - [{}] {}\n", toString(e.code), e.message);
        }
    }
    return text;
}

std::string toDot(const RenderGraph& graph) {
    const CompileReport& report = graph.report();
    std::vector<bool> culled(graph.nodeCapacity(), false);
    for (const NodeId id : report.culled) {
        culled[id.value] = true;
    }
    const auto quoted = [](std::string_view text) {
        std::string out = "\"";
        for (const char c : text) {
            if (c == '"' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
        return out + "\"";
    };
    std::string dot =
        "digraph vixen {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n";
    for (std::uint32_t i = 0; i < graph.nodeCapacity(); ++i) {
        const NodeId id{i};
        if (!graph.contains(id)) {
            continue;
        }
        const Node& node = graph.node(id);
        std::string style;
        if (culled[i]) {
            style = ", style=dashed, color=gray";
        } else if (graph.keepAlive(id) || node.type().sideEffects) {
            style = ", style=bold";
        }
        dot += fmt::format("  {} [label={}{}];\n", quoted(node.name()),
                           quoted(fmt::format("{}\\n{}", node.name(), node.type().name)), style);
    }
    for (const Connection& c : graph.connections()) {
        const Node& from = graph.node(c.from);
        const Node& to = graph.node(c.to);
        dot += fmt::format("  {} -> {} [label={}];\n", quoted(from.name()), quoted(to.name()),
                           quoted(fmt::format("{} -> {}", from.type().outputs[c.fromSlot].name,
                                              to.type().inputs[c.toSlot].name)));
    }
    return dot + "}\n";
}

}  // namespace vixen::graph
