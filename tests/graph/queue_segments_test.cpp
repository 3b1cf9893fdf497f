#include "vixen/graph/queue_segments.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace vixen::graph {
namespace {

using Edge = std::pair<std::uint32_t, std::uint32_t>;
using enum QueueSegment;

// Every node names itself after its position, so errors can be checked by name.
constexpr std::array<std::string_view, 8> kNames = {"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7"};

TEST(QueueSegmentsTest, OrdersAncestorsComputeIndependentAndDescendants) {
    // n0 -> n1 (compute) -> n2 (compute) -> n4 -> n5; n3 independent -> n5; n6 alone.
    const std::array<std::uint8_t, 7> optedIn = {0, 1, 1, 0, 0, 0, 0};
    const std::array<Edge, 5> edges = {Edge{0, 1}, Edge{1, 2}, Edge{2, 4}, Edge{4, 5}, Edge{3, 5}};
    int a = 0, b = 0, c = 0, d = 0;
    const std::array<ResourceUse, 7> uses = {
        ResourceUse{0, &a}, ResourceUse{1, &a}, ResourceUse{1, &b}, ResourceUse{2, &b},
        ResourceUse{3, &c}, ResourceUse{5, &c}, ResourceUse{6, &d}};
    auto segments = assignQueueSegments({std::span(kNames).first(7), optedIn, edges, uses});
    ASSERT_TRUE(segments) << segments.error().message;
    const std::vector<QueueSegment> expected = {BeforeCompute, Compute,      Compute, Beside,
                                                AfterCompute,  AfterCompute, Beside};
    EXPECT_EQ(*segments, expected);
}

TEST(QueueSegmentsTest, NothingOptedInLeavesEveryNodeBeside) {
    const std::array<std::uint8_t, 3> optedIn = {0, 0, 0};
    const std::array<Edge, 2> edges = {Edge{0, 1}, Edge{1, 2}};
    auto segments = assignQueueSegments({std::span(kNames).first(3), optedIn, edges, {}});
    ASSERT_TRUE(segments);
    EXPECT_EQ(*segments, (std::vector<QueueSegment>{Beside, Beside, Beside}));
}

TEST(QueueSegmentsTest, AHistoryEdgeAgainstTheOrderOrdersNothing) {
    // n1 reads n0's output of the last frame through an edge from n2 back to n1.
    const std::array<std::uint8_t, 3> optedIn = {0, 1, 0};
    const std::array<Edge, 2> edges = {Edge{0, 1}, Edge{2, 1}};
    auto segments = assignQueueSegments({std::span(kNames).first(3), optedIn, edges, {}});
    ASSERT_TRUE(segments) << segments.error().message;
    EXPECT_EQ(*segments, (std::vector<QueueSegment>{BeforeCompute, Compute, Beside}));
}

TEST(QueueSegmentsTest, APathLeavingTheComputeNodesAndComingBackIsRefusedNamingIt) {
    // n0 (compute) -> n1 -> n2 (compute): n1 would run between two parts of the compute work.
    const std::array<std::uint8_t, 3> optedIn = {1, 0, 1};
    const std::array<Edge, 2> edges = {Edge{0, 1}, Edge{1, 2}};
    auto segments = assignQueueSegments({std::span(kNames).first(3), optedIn, edges, {}});
    ASSERT_FALSE(segments);
    EXPECT_EQ(segments.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(segments.error().message.find("node 'n1' depends on a node that opts into async"),
              std::string::npos)
        << segments.error().message;
}

TEST(QueueSegmentsTest, AResourceOfAComputeAndAnIndependentNodeIsRefusedNamingBoth) {
    // n0 (compute) and n1 (independent) both use resource r, with no edge between them.
    const std::array<std::uint8_t, 2> optedIn = {1, 0};
    int r = 0;
    const std::array<ResourceUse, 2> uses = {ResourceUse{0, &r}, ResourceUse{1, &r}};
    auto segments = assignQueueSegments({std::span(kNames).first(2), optedIn, {}, uses});
    ASSERT_FALSE(segments);
    EXPECT_EQ(segments.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(segments.error().message.find("nodes 'n0' (compute) and 'n1' (beside compute) use "
                                            "the same resource"),
              std::string::npos)
        << segments.error().message;
}

TEST(QueueSegmentsTest, AResourceUsedOutOfSegmentOrderIsRefused) {
    // n0 (independent) reads r, then n2 (an ancestor of the compute node n3) reads it later
    // in the order: split, n2 would run first, against the barriers derived in the order.
    const std::array<std::uint8_t, 4> optedIn = {0, 0, 0, 1};
    const std::array<Edge, 1> edges = {Edge{2, 3}};
    int r = 0;
    const std::array<ResourceUse, 2> uses = {ResourceUse{0, &r}, ResourceUse{2, &r}};
    auto segments = assignQueueSegments({std::span(kNames).first(4), optedIn, edges, uses});
    ASSERT_FALSE(segments);
    EXPECT_NE(segments.error().message.find("node 'n2' (before compute) uses a resource after "
                                            "node 'n0' (beside compute)"),
              std::string::npos)
        << segments.error().message;
}

}  // namespace
}  // namespace vixen::graph
