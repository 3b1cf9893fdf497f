#pragma once

#include "vixen/graph/node_registry.hpp"

namespace vixen::nodes {

/// Registers every node type this library provides, so graph files can name them.
void registerAllNodes(graph::NodeRegistry& registry);

}  // namespace vixen::nodes
