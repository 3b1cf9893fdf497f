// Sub-graphs: declaring and building them into their parent graph, resolving their exposed
// slots to inner slots, and removing them.
#include "vixen/graph/sub_graph.hpp"

#include <algorithm>
#include <cassert>

namespace vixen::graph {
namespace {

/// A node or sub-graph name is one part of a path: not empty, no '/'.
Result<void> checkPart(std::string_view name, std::string_view what, std::string_view parent) {
    const std::string where =
        parent.empty() ? std::string() : fmt::format(" in sub-graph '{}'", parent);
    if (name.empty()) {
        return fail(ErrorCode::InvalidArgument, "a {}{} has an empty name; give it one", what,
                    where);
    }
    if (name.find('/') != std::string_view::npos) {
        return fail(ErrorCode::InvalidArgument,
                    "{} name '{}'{} contains '/', which separates the parts of a path "
                    "('outer/inner/node'); choose a name without it",
                    what, name, where);
    }
    return {};
}

std::string describeSlots(std::span<const SlotDesc> slots) {
    std::string names;
    for (const SlotDesc& slot : slots) {
        names += fmt::format("{}'{}'", names.empty() ? "" : ", ", slot.name);
    }
    return names.empty() ? std::string("none") : names;
}

}  // namespace

// ---- SubGraphBase ------------------------------------------------------------------------

void SubGraphBase::invalidate() noexcept {
    for (const NodeId node : nodes_) {
        graph_->markDirty(node);
    }
}

void SubGraphBase::noteNode(std::string_view name, NodeId id, std::vector<Error>& errors) {
    if (Result<void> valid = checkPart(name, "node", path_); !valid) {
        errors.push_back(std::move(valid.error()));
    }
    for (SubGraphBase* at = this; at != nullptr;
         at = at->parent_.valid() ? graph_->subGraphs_[at->parent_.value].get() : nullptr) {
        at->nodes_.push_back(id);
    }
}

bool SubGraphBase::holds(RenderGraph::SlotEndpoint inner) const noexcept {
    if (inner.subGraph) {
        return std::find(children_.begin(), children_.end(), SubGraphId{inner.id}) !=
               children_.end();
    }
    return std::find(nodes_.begin(), nodes_.end(), NodeId{inner.id}) != nodes_.end();
}

std::string SubGraphBase::describeInner(const InnerSlot& inner, bool output) const {
    const Node& node = graph_->node(inner.node);
    const SlotDesc& slot =
        output ? node.type().outputs[inner.slot] : node.type().inputs[inner.slot];
    return fmt::format("'{}.{}'", node.name(), slot.name);
}

void SubGraphBase::exposeInput(std::uint32_t input, RenderGraph::SlotEndpoint inner,
                               std::uint32_t innerSlot, std::vector<Error>& errors) {
    if (!holds(inner)) {
        errors.push_back(Error{ErrorCode::InvalidArgument,
                               fmt::format("sub-graph '{}' ({}): input '{}' is exposed on a "
                                           "{} outside it; expose its own nodes' slots only",
                                           path_, type_->name, type_->inputs[input].name,
                                           inner.subGraph ? "sub-graph" : "node")});
        return;
    }
    std::vector<InnerSlot>& targets = inputs_[input];
    if (inner.subGraph) {
        const auto& nested = graph_->subGraphs_[inner.id]->inputs_[innerSlot];
        targets.insert(targets.end(), nested.begin(), nested.end());
    } else {
        targets.push_back(InnerSlot{NodeId{inner.id}, innerSlot});
    }
}

void SubGraphBase::exposeOutput(std::uint32_t output, RenderGraph::SlotEndpoint inner,
                                std::uint32_t innerSlot, std::vector<Error>& errors) {
    const std::string_view name = type_->outputs[output].name;
    if (!holds(inner)) {
        errors.push_back(
            Error{ErrorCode::InvalidArgument,
                  fmt::format("sub-graph '{}' ({}): output '{}' is exposed on a "
                              "{} outside it; expose its own nodes' slots only",
                              path_, type_->name, name, inner.subGraph ? "sub-graph" : "node")});
        return;
    }
    std::optional<InnerSlot> source;
    if (inner.subGraph) {
        source = graph_->subGraphs_[inner.id]->outputs_[innerSlot];
        if (!source) {
            return;  // the nested sub-graph's build already reported it
        }
    } else {
        source = InnerSlot{NodeId{inner.id}, innerSlot};
    }
    if (outputs_[output]) {
        errors.push_back(
            Error{ErrorCode::AlreadyExists,
                  fmt::format("sub-graph '{}' ({}): output '{}' is exposed twice, as {} and as "
                              "{}; an exposed output is exactly one inner output",
                              path_, type_->name, name, describeInner(*outputs_[output], true),
                              describeInner(*source, true))});
        return;
    }
    outputs_[output] = source;
}

// ---- RenderGraph: sub-graphs -------------------------------------------------------------

Result<SubGraphId> RenderGraph::declareSubGraph(std::unique_ptr<SubGraphBase> subGraph,
                                                std::string name, SubGraphId parent,
                                                const LoopPolicy* policy,
                                                std::vector<Error>* parentErrors) {
    const SubGraphBase* parentGraph = parent.valid() ? subGraphs_[parent.value].get() : nullptr;
    std::string path =
        parentGraph == nullptr ? name : fmt::format("{}/{}", parentGraph->path_, name);
    const auto refuse = [&](Error error) -> Result<SubGraphId> {
        if (parentErrors != nullptr) {
            parentErrors->push_back(error);
        }
        return std::unexpected(std::move(error));
    };
    if (Result<void> valid = checkPart(name, policy != nullptr ? "loop" : "sub-graph",
                                       parentGraph == nullptr ? "" : parentGraph->path_);
        !valid) {
        return refuse(std::move(valid.error()));
    }
    if (findSubGraph(path) != nullptr) {
        return refuse(Error{ErrorCode::AlreadyExists,
                            fmt::format("a sub-graph named '{}' already exists; sub-graph "
                                        "paths must be unique",
                                        path)});
    }
    if (policy != nullptr) {
        if (Result<void> valid = checkLoopPolicy(*policy, path); !valid) {
            return refuse(std::move(valid.error()));
        }
        for (const SubGraphBase* at = parentGraph; at != nullptr;
             at = at->parent_.valid() ? subGraphs_[at->parent_.value].get() : nullptr) {
            if (at->isLoop()) {
                return refuse(Error{ErrorCode::Unsupported,
                                    fmt::format("loop '{}' is inside loop '{}': loops do not "
                                                "nest; make one of them a plain sub-graph",
                                                path, at->path_)});
            }
        }
    }

    const SubGraphId id{static_cast<std::uint32_t>(subGraphs_.size())};
    subGraph->graph_ = this;
    subGraph->id_ = id;
    subGraph->parent_ = parent;
    subGraph->path_ = std::move(path);
    subGraph->inputs_.resize(subGraph->type_->inputs.size());
    subGraph->outputs_.resize(subGraph->type_->outputs.size());
    if (policy != nullptr) {
        subGraph->loop_.emplace(*policy);
    }
    subGraphs_.push_back(std::move(subGraph));
    if (parentGraph != nullptr) {
        subGraphs_[parent.value]->children_.push_back(id);
    }

    std::vector<Error> ownErrors;
    std::vector<Error>& errors = parentErrors != nullptr ? *parentErrors : ownErrors;
    SubGraphBase& self = *subGraphs_.back();
    self.buildErased(*this, errors);
    // Every slot of the config stands for something inside, so a typed connect to the
    // sub-graph always reaches an inner slot.
    for (const SlotDesc& input : self.type_->inputs) {
        if (self.inputs_[input.index].empty()) {
            errors.push_back(Error{ErrorCode::MissingInput,
                                   fmt::format("sub-graph '{}' ({}): input '{}' is not exposed; "
                                               "expose it in build() with exposeInput",
                                               self.path_, self.type_->name, input.name)});
        }
    }
    for (const SlotDesc& output : self.type_->outputs) {
        if (!self.outputs_[output.index]) {
            errors.push_back(Error{ErrorCode::MissingInput,
                                   fmt::format("sub-graph '{}' ({}): output '{}' is not exposed; "
                                               "expose it in build() with exposeOutput",
                                               self.path_, self.type_->name, output.name)});
        }
    }
    if (parentErrors != nullptr || ownErrors.empty()) {
        return id;  // nested: a failed build fails the outermost add, which rolls back
    }
    // Roll back: the nodes were never set up, so removing them tears nothing down; the
    // records after this one are its nested sub-graphs.
    const std::string summaryPath = self.path_;
    const std::string_view typeName = self.type_->name;
    const std::vector<NodeId> nodes = self.nodes_;
    removeNodes(nodes);
    subGraphs_.resize(id.value);
    if (ownErrors.size() == 1) {
        return std::unexpected(std::move(ownErrors.front()));
    }
    std::string summary =
        fmt::format("sub-graph '{}' ({}) has {} errors:", summaryPath, typeName, ownErrors.size());
    for (const Error& e : ownErrors) {
        summary += "\n  - ";
        summary += e.message;
    }
    return std::unexpected(Error{ErrorCode::InvalidArgument, std::move(summary)});
}

void RenderGraph::connectEndpoints(SlotEndpoint from, std::uint32_t output, SlotEndpoint to,
                                   std::uint32_t input) {
    NodeId producer{from.id};
    std::uint32_t producerSlot = output;
    if (from.subGraph) {
        assert(from.id < subGraphs_.size() && subGraphs_[from.id] != nullptr);
        const auto& source = subGraphs_[from.id]->outputs_[output];
        if (!source) {
            return;  // only inside a build that already failed: its error is recorded
        }
        producer = source->node;
        producerSlot = source->slot;
    }
    if (!to.subGraph) {
        addConnection(Connection{producer, producerSlot, NodeId{to.id}, input});
        return;
    }
    assert(to.id < subGraphs_.size() && subGraphs_[to.id] != nullptr);
    for (const SubGraphBase::InnerSlot& target : subGraphs_[to.id]->inputs_[input]) {
        addConnection(Connection{producer, producerSlot, target.node, target.slot});
    }
}

Result<void> RenderGraph::connect(std::string_view from, std::string_view outputSlot,
                                  std::string_view to, std::string_view inputSlot) {
    // A path names a node or, failing that, a sub-graph; the slot is looked up in its type.
    const auto resolve =
        [this](std::string_view path, std::string_view slotName,
               SlotDirection direction) -> Result<std::pair<SlotEndpoint, std::uint32_t>> {
        const bool output = direction == SlotDirection::Output;
        const std::string_view kind = output ? "output" : "input";
        if (const Node* found = findNode(path)) {
            const NodeTypeInfo& type = found->type();
            const SlotDesc* slot = output ? type.findOutput(slotName) : type.findInput(slotName);
            if (slot == nullptr) {
                return fail(ErrorCode::NotFound, "node '{}' ({}) has no {} slot '{}'", path,
                            type.name, kind, slotName);
            }
            return std::pair{SlotEndpoint{found->id().value, false}, slot->index};
        }
        if (const SubGraphBase* found = findSubGraph(path)) {
            const NodeTypeInfo& type = found->type();
            const SlotDesc* slot = output ? type.findOutput(slotName) : type.findInput(slotName);
            if (slot == nullptr) {
                return fail(ErrorCode::NotFound,
                            "sub-graph '{}' ({}) exposes no {} slot '{}' (its {}s: {})", path,
                            type.name, kind, slotName, kind,
                            describeSlots(output ? type.outputs : type.inputs));
            }
            return std::pair{SlotEndpoint{found->id().value, true}, slot->index};
        }
        return fail(ErrorCode::NotFound, "connect: no node or sub-graph is named '{}'", path);
    };
    auto producer = resolve(from, outputSlot, SlotDirection::Output);
    if (!producer) {
        return std::unexpected(std::move(producer.error()));
    }
    auto consumer = resolve(to, inputSlot, SlotDirection::Input);
    if (!consumer) {
        return std::unexpected(std::move(consumer.error()));
    }
    connectEndpoints(producer->first, producer->second, consumer->first, consumer->second);
    return {};
}

Result<void> RenderGraph::removeSubGraph(SubGraphId id) {
    if (!id.valid() || id.value >= subGraphs_.size() || subGraphs_[id.value] == nullptr) {
        return fail(ErrorCode::NotFound, "removeSubGraph: sub-graph id {} is not in the graph",
                    id.value);
    }
    const SubGraphBase& subGraph = *subGraphs_[id.value];
    if (subGraph.parent_.valid()) {
        return fail(ErrorCode::InvalidArgument,
                    "removeSubGraph: '{}' is part of sub-graph '{}'; remove that one",
                    subGraph.path_, subGraphs_[subGraph.parent_.value]->path_);
    }
    const std::vector<NodeId> nodes = subGraph.nodes_;
    removeNodes(nodes);
    // Nested records go with it: depth first over the children.
    std::vector<SubGraphId> gone{id};
    while (!gone.empty()) {
        const SubGraphId next = gone.back();
        gone.pop_back();
        const std::vector<SubGraphId>& children = subGraphs_[next.value]->children_;
        gone.insert(gone.end(), children.begin(), children.end());
        subGraphs_[next.value].reset();
    }
    return {};
}

SubGraphBase* RenderGraph::findSubGraph(std::string_view path) const noexcept {
    for (const auto& subGraph : subGraphs_) {
        if (subGraph && subGraph->path_ == path) {
            return subGraph.get();
        }
    }
    return nullptr;
}

const SubGraphBase* RenderGraph::loopOf(NodeId node) const noexcept {
    for (const auto& subGraph : subGraphs_) {
        if (subGraph && subGraph->isLoop() &&
            std::find(subGraph->nodes().begin(), subGraph->nodes().end(), node) !=
                subGraph->nodes().end()) {
            return subGraph.get();
        }
    }
    return nullptr;
}

SubGraphBase& RenderGraph::subGraph(SubGraphId id) const {
    assert(id.value < subGraphs_.size() && subGraphs_[id.value] != nullptr);
    return *subGraphs_[id.value];
}

}  // namespace vixen::graph
