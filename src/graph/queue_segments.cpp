#include "vixen/graph/queue_segments.hpp"

#include <algorithm>
#include <unordered_map>

namespace vixen::graph {

std::string_view toString(QueueSegment segment) noexcept {
    switch (segment) {
        case QueueSegment::BeforeCompute:
            return "before compute";
        case QueueSegment::Compute:
            return "compute";
        case QueueSegment::Beside:
            return "beside compute";
        case QueueSegment::AfterCompute:
            return "after compute";
    }
    return "?";
}

namespace {

/// When a segment's work runs, as far as one resource can tell: Compute and Beside run at
/// once (so they may share no resource), between the other two.
int runsAt(QueueSegment segment) noexcept {
    switch (segment) {
        case QueueSegment::BeforeCompute:
            return 0;
        case QueueSegment::Compute:
        case QueueSegment::Beside:
            return 1;
        case QueueSegment::AfterCompute:
            return 2;
    }
    return 0;
}

}  // namespace

Result<std::vector<QueueSegment>> assignQueueSegments(const QueueSegmentProblem& problem) {
    const std::size_t count = problem.asyncCompute.size();
    std::vector<std::vector<std::uint32_t>> consumers(count);
    std::vector<std::vector<std::uint32_t>> producers(count);
    for (const auto& [from, to] : problem.edges) {
        if (from < to && to < count) {
            consumers[from].push_back(to);
            producers[to].push_back(from);
        }
    }
    // Edges go forward in the order: one pass backwards finds what feeds an opted-in node,
    // one forwards what an opted-in node feeds.
    std::vector<std::uint8_t> feedsCompute(count, 0);
    for (std::size_t n = count; n-- > 0;) {
        for (const std::uint32_t consumer : consumers[n]) {
            if (problem.asyncCompute[consumer] != 0 || feedsCompute[consumer] != 0) {
                feedsCompute[n] = 1;
            }
        }
    }
    std::vector<std::uint8_t> fedByCompute(count, 0);
    for (std::size_t n = 0; n < count; ++n) {
        for (const std::uint32_t producer : producers[n]) {
            if (problem.asyncCompute[producer] != 0 || fedByCompute[producer] != 0) {
                fedByCompute[n] = 1;
            }
        }
    }
    std::vector<QueueSegment> segments(count, QueueSegment::Beside);
    for (std::size_t n = 0; n < count; ++n) {
        if (problem.asyncCompute[n] != 0) {
            segments[n] = QueueSegment::Compute;
        } else if (feedsCompute[n] != 0 && fedByCompute[n] != 0) {
            return fail(ErrorCode::InvalidArgument,
                        "async compute: node '{}' depends on a node that opts into async compute "
                        "and feeds another, so the opted-in nodes are not one branch the compute "
                        "queue can run at once; opt '{}' in too, or opt out the nodes on one side "
                        "of it",
                        problem.names[n], problem.names[n]);
        } else if (feedsCompute[n] != 0) {
            segments[n] = QueueSegment::BeforeCompute;
        } else if (fedByCompute[n] != 0) {
            segments[n] = QueueSegment::AfterCompute;
        }
    }

    // Each resource's uses, in the order, must keep their order once split.
    struct LastUse {
        std::uint32_t node = 0;
        std::uint8_t computeOrBeside = 0;  // bit 0: a Compute node used it, bit 1: a Beside one
        std::uint32_t computeUser = 0;
        std::uint32_t besideUser = 0;
    };
    std::vector<ResourceUse> uses(problem.uses.begin(), problem.uses.end());
    std::stable_sort(uses.begin(), uses.end(),
                     [](const ResourceUse& a, const ResourceUse& b) { return a.node < b.node; });
    std::unordered_map<const void*, LastUse> last;
    for (const ResourceUse& use : uses) {
        const auto [at, first] = last.try_emplace(use.resource, LastUse{use.node});
        LastUse& previous = at->second;
        const QueueSegment segment = segments[use.node];
        if (!first && runsAt(segments[previous.node]) > runsAt(segment)) {
            return fail(ErrorCode::InvalidArgument,
                        "async compute: node '{}' ({}) uses a resource after node '{}' ({}) in "
                        "the compiled order, but would run before it once the frame is split; "
                        "connect '{}' to '{}' or opt out of async compute",
                        problem.names[use.node], toString(segment), problem.names[previous.node],
                        toString(segments[previous.node]), problem.names[previous.node],
                        problem.names[use.node]);
        }
        if (segment == QueueSegment::Compute) {
            previous.computeOrBeside |= 1U;
            previous.computeUser = use.node;
        } else if (segment == QueueSegment::Beside) {
            previous.computeOrBeside |= 2U;
            previous.besideUser = use.node;
        }
        if (previous.computeOrBeside == 3U) {
            return fail(ErrorCode::InvalidArgument,
                        "async compute: nodes '{}' (compute) and '{}' (beside compute) use the "
                        "same resource, and would run at once on two queues; make one depend on "
                        "the other or opt '{}' out",
                        problem.names[previous.computeUser], problem.names[previous.besideUser],
                        problem.names[previous.computeUser]);
        }
        previous.node = use.node;
    }
    return segments;
}

}  // namespace vixen::graph
