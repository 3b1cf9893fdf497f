#pragma once

// The checking half of the graph loader: turns a parsed document into a plan of nodes and
// connections, reporting every problem it finds along the way.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "json_checks.hpp"
#include "vixen/core/error.hpp"
#include "vixen/graph/graph_loader.hpp"
#include "vixen/graph/node_registry.hpp"
#include "vixen/graph/render_graph.hpp"

namespace vixen::graph::detail {

/// Collects `source: path: message` lines; past kGraphFileMaxListedErrors it only counts.
class Diagnostics {
public:
    explicit Diagnostics(std::string_view source) : source_(source) {}

    /// An empty path is the document root and is left out of the line.
    void add(std::string_view path, std::string_view message);
    [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
    [[nodiscard]] std::size_t count() const noexcept { return count_; }
    /// True once further errors are only counted; callers then skip costly hints.
    [[nodiscard]] bool full() const noexcept { return lines_.size() == kGraphFileMaxListedErrors; }
    /// One line per error, plus a count of those not listed.
    [[nodiscard]] Error toError(ErrorCode code) const;

private:
    std::string source_;
    std::vector<std::string> lines_;
    std::size_t count_ = 0;
};

struct PlannedNode {
    std::string_view name;
    std::unique_ptr<Node> node;  ///< null when the node had errors
    bool keepAlive = false;
};

/// Endpoints index PlannedNodes; names point into the parsed document.
struct PlannedConnection {
    std::size_t from = 0;
    std::string_view outputSlot;
    std::size_t to = 0;
    std::string_view inputSlot;
};

/// What to build; complete only when the diagnostics stayed empty.
struct GraphPlan {
    GraphOptions options;
    std::vector<PlannedNode> nodes;
    std::vector<PlannedConnection> connections;
};

/// Checks every field of a parsed document (whose root is an object) and runs the node
/// factories. The plan refers to `root`, which must outlive it.
[[nodiscard]] GraphPlan readGraphDocument(const Json& root, const NodeRegistry& registry,
                                          const GraphOptions& defaults, Diagnostics& diagnostics);

}  // namespace vixen::graph::detail
