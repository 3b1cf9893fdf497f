#pragma once

// Which queue each node's GPU work goes to when some nodes opt into async compute: the
// frame splits into segments, decided at compile from the graph's edges alone (no Vulkan).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "vixen/core/error.hpp"

namespace vixen::graph {

/// The four parts of a split frame, in the order their command buffers are kept. The
/// graphics queue runs BeforeCompute, Beside, AfterCompute in that order; the compute queue
/// runs Compute once BeforeCompute is done, beside Beside; AfterCompute waits for Compute.
enum class QueueSegment : std::uint8_t {
    BeforeCompute,  ///< what the opted-in nodes depend on (their ancestors)
    Compute,        ///< the opted-in nodes
    Beside,         ///< neither ancestor nor descendant of an opted-in node: overlaps Compute
    AfterCompute,   ///< what depends on an opted-in node (its descendants)
};
inline constexpr std::size_t kQueueSegmentCount = 4;

[[nodiscard]] std::string_view toString(QueueSegment segment) noexcept;

/// One resource use: node `node` (a position in the order) reads or writes `resource`.
struct ResourceUse {
    std::uint32_t node = 0;
    const void* resource = nullptr;
};

/// A compiled graph as the assignment sees it: nodes by their position in the execution
/// order, edges from producer to consumer (an edge against the order, a history read of an
/// earlier frame, orders nothing and is ignored).
struct QueueSegmentProblem {
    std::span<const std::string_view> names;     ///< per node, for errors
    std::span<const std::uint8_t> asyncCompute;  ///< per node: opted in
    std::span<const std::pair<std::uint32_t, std::uint32_t>> edges;
    std::span<const ResourceUse> uses;  ///< in any order
};

/// Puts the opted-in nodes in Compute, their ancestors in BeforeCompute, their descendants
/// in AfterCompute and the rest Beside. Fails (InvalidArgument, naming the nodes) when
/// - the opted-in nodes are not one convex branch: a node depends on one and feeds another,
///   so it would have to run between two parts of the compute queue's work;
/// - a resource is used by a Compute and a Beside node (they run at once on two queues);
/// - a resource's uses, in the order, would run in another order once split (a Beside or
///   Compute node using it before a BeforeCompute one, or an AfterCompute node before a
///   Beside one): the barriers derived in the order would not hold.
[[nodiscard]] Result<std::vector<QueueSegment>> assignQueueSegments(
    const QueueSegmentProblem& problem);

}  // namespace vixen::graph
