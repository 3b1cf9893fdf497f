#include "vixen/graph/node_registry.hpp"

#include <algorithm>
#include <cassert>

namespace vixen::graph {
namespace {

auto lowerBound(const std::vector<NodeTypeEntry>& entries, std::string_view name) {
    return std::lower_bound(
        entries.begin(), entries.end(), name,
        [](const NodeTypeEntry& entry, std::string_view key) { return entry.name() < key; });
}

}  // namespace

const NodeTypeEntry* NodeRegistry::find(std::string_view name) const noexcept {
    const auto at = lowerBound(entries_, name);
    return at != entries_.end() && at->name() == name ? &*at : nullptr;
}

void NodeRegistry::insert(NodeTypeEntry entry) {
    assert(entry.factory && "a node type needs a factory");
    const auto at = lowerBound(entries_, entry.name());
    assert((at == entries_.end() || at->name() != entry.name()) &&
           "node type name registered twice");
    entries_.insert(at, std::move(entry));
}

}  // namespace vixen::graph
