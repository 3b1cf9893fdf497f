#pragma once

#include <utility>

#include "vixen/events/event_bus.hpp"
#include "vixen/graph/resource_estimate.hpp"
#include "vixen/graph/types.hpp"

namespace vixen::graph {

class RenderGraph;

namespace detail {
void markDirty(RenderGraph& graph, NodeId node) noexcept;
}

/// What a node sees during setup: its estimate to fill and the graph's event bus.
class SetupContext {
public:
    SetupContext(RenderGraph& graph, events::EventBus& bus, NodeId node,
                 events::SubscriberId subscriber, ResourceEstimate& estimate) noexcept
        : graph_(graph), bus_(bus), node_(node), subscriber_(subscriber), estimate_(estimate) {}

    [[nodiscard]] ResourceEstimate& estimate() noexcept { return estimate_; }
    [[nodiscard]] events::EventBus& events() noexcept { return bus_; }
    [[nodiscard]] NodeId node() const noexcept { return node_; }

    /// Recompile this node (and its dependents) at the frame boundary after E arrives.
    /// A composite event that implies several of a node's events recompiles it once.
    template <events::Event E>
    void invalidateOn() {
        bus_.subscribe<E>(subscriber_, [graph = &graph_, node = node_](const E&) {
            detail::markDirty(*graph, node);
        });
    }

    /// Marks this node dirty when called; for handlers that do more than invalidate.
    struct DirtyMarker {
        RenderGraph* graph;
        NodeId node;
        void operator()() const noexcept { detail::markDirty(*graph, node); }
    };
    [[nodiscard]] DirtyMarker dirtyMarker() noexcept { return DirtyMarker{&graph_, node_}; }

    /// Any other reaction to E; the handler runs on the graph's thread at dispatch.
    template <events::Event E, class Handler>
    void subscribe(Handler&& handler) {
        bus_.subscribe<E>(subscriber_, std::forward<Handler>(handler));
    }

private:
    RenderGraph& graph_;
    events::EventBus& bus_;
    NodeId node_;
    events::SubscriberId subscriber_;
    ResourceEstimate& estimate_;
};

}  // namespace vixen::graph
