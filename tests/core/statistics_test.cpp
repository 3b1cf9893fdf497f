// Summaries of samples against values worked out by hand.
#include "vixen/core/statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace vixen::core {
namespace {

TEST(StatisticsTest, PercentilesInterpolateBetweenRanks) {
    const std::vector<double> sorted{1.0, 2.0, 3.0, 4.0, 5.0};
    EXPECT_DOUBLE_EQ(percentileOfSorted(sorted, 0.0), 1.0);
    EXPECT_DOUBLE_EQ(percentileOfSorted(sorted, 0.5), 3.0);
    EXPECT_DOUBLE_EQ(percentileOfSorted(sorted, 1.0), 5.0);
    EXPECT_DOUBLE_EQ(percentileOfSorted(sorted, 0.1), 1.4);   // rank 0.4
    EXPECT_DOUBLE_EQ(percentileOfSorted(sorted, 0.95), 4.8);  // rank 3.8
    EXPECT_DOUBLE_EQ(percentileOfSorted({}, 0.5), 0.0);
}

TEST(StatisticsTest, ASummaryHasTheMomentsAndAStudentInterval) {
    const std::vector<double> samples{4.0, 2.0, 6.0, 8.0};  // unsorted on purpose
    const Summary summary = summarize(samples);
    EXPECT_EQ(summary.count, 4U);
    EXPECT_DOUBLE_EQ(summary.mean, 5.0);
    EXPECT_DOUBLE_EQ(summary.min, 2.0);
    EXPECT_DOUBLE_EQ(summary.max, 8.0);
    EXPECT_DOUBLE_EQ(summary.median, 5.0);
    // Sample variance (9 + 1 + 1 + 9) / 3; t(3 dof) = 3.182; half width t * s / sqrt(4).
    EXPECT_NEAR(summary.stddev, std::sqrt(20.0 / 3.0), 1e-12);
    EXPECT_NEAR(summary.ci95, 3.182 * std::sqrt(20.0 / 3.0) / 2.0, 1e-9);
}

TEST(StatisticsTest, OneOrNoSampleHasNoSpread) {
    const Summary one = summarize(std::vector<double>{7.0});
    EXPECT_DOUBLE_EQ(one.median, 7.0);
    EXPECT_DOUBLE_EQ(one.p99, 7.0);
    EXPECT_DOUBLE_EQ(one.stddev, 0.0);
    EXPECT_DOUBLE_EQ(one.ci95, 0.0);
    EXPECT_EQ(summarize({}).count, 0U);
}

}  // namespace
}  // namespace vixen::core
