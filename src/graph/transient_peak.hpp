#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

#include "vixen/graph/render_graph.hpp"

namespace vixen::graph::detail {

// The most transient bytes alive in any wave, by a sweep over per-wave deltas: each
// transient adds its bytes at its first wave and takes them back after its last. `deltas`
// holds one entry per wave plus one.

inline void addTransient(std::span<std::int64_t> deltas, TransientLifetime lifetime,
                         std::uint64_t bytes) noexcept {
    deltas[lifetime.firstWave] += static_cast<std::int64_t>(bytes);
    deltas[lifetime.lastWave + 1] -= static_cast<std::int64_t>(bytes);
}

[[nodiscard]] inline std::uint64_t transientPeak(std::span<const std::int64_t> deltas) noexcept {
    std::int64_t alive = 0;
    std::int64_t peak = 0;
    for (const std::int64_t delta : deltas) {
        alive += delta;
        peak = std::max(peak, alive);
    }
    return static_cast<std::uint64_t>(peak);
}

}  // namespace vixen::graph::detail
