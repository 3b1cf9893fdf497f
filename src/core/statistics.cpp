#include "vixen/core/statistics.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <vector>

namespace vixen::core {
namespace {

/// Two-sided 95 % critical values of Student's t for 1..30 degrees of freedom.
constexpr std::array<double, 30> kStudent95{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                            2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                            2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                            2.060,  2.056, 2.052, 2.048, 2.045, 2.042};

double student95(std::size_t degrees) noexcept {
    return degrees == 0 ? 0.0 : degrees <= kStudent95.size() ? kStudent95[degrees - 1] : 1.96;
}

}  // namespace

double percentileOfSorted(std::span<const double> sorted, double fraction) noexcept {
    if (sorted.empty()) {
        return 0.0;
    }
    const double rank = std::clamp(fraction, 0.0, 1.0) * static_cast<double>(sorted.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(rank));
    const std::size_t above = std::min(below + 1, sorted.size() - 1);
    const double weight = rank - static_cast<double>(below);
    return sorted[below] + (sorted[above] - sorted[below]) * weight;
}

Summary summarize(std::span<const double> samples) {
    Summary summary;
    summary.count = samples.size();
    if (samples.empty()) {
        return summary;
    }
    std::vector<double> sorted(samples.begin(), samples.end());
    std::sort(sorted.begin(), sorted.end());
    const auto n = static_cast<double>(sorted.size());
    summary.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / n;
    if (sorted.size() > 1) {
        double squares = 0.0;
        for (const double value : sorted) {
            squares += (value - summary.mean) * (value - summary.mean);
        }
        summary.stddev = std::sqrt(squares / (n - 1.0));
        summary.ci95 = student95(sorted.size() - 1) * summary.stddev / std::sqrt(n);
    }
    summary.min = sorted.front();
    summary.max = sorted.back();
    summary.p5 = percentileOfSorted(sorted, 0.05);
    summary.median = percentileOfSorted(sorted, 0.5);
    summary.p95 = percentileOfSorted(sorted, 0.95);
    summary.p99 = percentileOfSorted(sorted, 0.99);
    return summary;
}

}  // namespace vixen::core
