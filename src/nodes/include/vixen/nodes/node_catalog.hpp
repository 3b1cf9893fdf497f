#pragma once

#include "vixen/graph/node_registry.hpp"

namespace vixen::nodes {

class GpuRuntime;

/// Registers every CPU node type this library provides, so graph files can name them.
void registerAllNodes(graph::NodeRegistry& registry);

/// Registers the GPU node types; their factories make nodes on `runtime`, which must be
/// attached to the graph the file builds (GpuRuntime::attach) before it compiles.
void registerGpuNodes(graph::NodeRegistry& registry, GpuRuntime& runtime);

}  // namespace vixen::nodes
