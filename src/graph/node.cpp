#include "vixen/graph/node.hpp"

namespace vixen::graph {

void Node::setup(SetupContext& /*context*/) {}
void Node::reestimate(ResourceEstimate& /*estimate*/) {}
Result<void> Node::compile(const CompileContext& /*context*/) {
    return {};
}
void Node::skip(const ExecuteContext& /*context*/) {}
void Node::cleanup(const CleanupContext& /*context*/) {}

}  // namespace vixen::graph
