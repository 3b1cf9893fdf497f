#pragma once

// Summaries of measured samples (frame times, rates): what every figure VIXEN reports is
// made of. Percentiles interpolate linearly between the closest ranks; the confidence
// interval is Student's t on the mean (95 %), so a handful of runs gives an honest width.

#include <cstddef>
#include <span>

namespace vixen::core {

struct Summary {
    std::size_t count = 0;
    double mean = 0.0;
    double stddev = 0.0;  ///< sample standard deviation (n - 1)
    double min = 0.0;
    double p5 = 0.0;
    double median = 0.0;
    double p95 = 0.0;
    double p99 = 0.0;
    double max = 0.0;
    double ci95 = 0.0;  ///< half width of the 95 % confidence interval of the mean
};

/// The `fraction` (0..1) percentile of `sorted` (ascending), 0 for no samples.
[[nodiscard]] double percentileOfSorted(std::span<const double> sorted, double fraction) noexcept;

/// Summarises `samples` (any order; copied and sorted).
[[nodiscard]] Summary summarize(std::span<const double> samples);

}  // namespace vixen::core
