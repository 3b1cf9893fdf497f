#pragma once

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/core/units.hpp"
#include "vixen/graph/resource_estimate.hpp"

namespace vixen::graph::detail {

inline constexpr std::size_t kLargestNodesNamed = 3;

/// Appends an OverBudget error for each memory kind (and staging) of `total` past its
/// limit in `budget`, naming the `candidates` with the largest estimates of that kind.
/// `deviceLocalSaved` is what aliasing saves of the device-local total. `estimateOf(node)`
/// and `nameOf(node)` read a candidate; `what` starts the message ("estimated", ...).
template <class EstimateOf, class NameOf>
void checkBudget(const ResourceEstimate& total, std::uint64_t deviceLocalSaved,
                 const GraphBudget& budget, const std::vector<std::uint32_t>& candidates,
                 EstimateOf estimateOf, NameOf nameOf, std::string_view what,
                 std::vector<Error>& errors) {
    constexpr std::uint32_t kNone = UINT32_MAX;
    for (std::size_t k = 0; k < kMemoryKindCount; ++k) {
        const std::uint64_t limit = budget.memoryBytes[k];
        std::uint64_t need = total.memoryBytes[k];
        if (static_cast<MemoryKind>(k) == MemoryKind::DeviceLocal) {
            need -= std::min(need, deviceLocalSaved);
        }
        if (limit == 0 || need <= limit) {
            continue;
        }
        std::array<std::uint32_t, kLargestNodesNamed> largest{};
        largest.fill(kNone);
        for (const std::uint32_t node : candidates) {
            if (estimateOf(node).memoryBytes[k] == 0) {
                continue;
            }
            std::uint32_t candidate = node;
            for (std::uint32_t& slot : largest) {
                if (slot == kNone ||
                    estimateOf(candidate).memoryBytes[k] > estimateOf(slot).memoryBytes[k]) {
                    std::swap(slot, candidate);
                    if (candidate == kNone) {
                        break;
                    }
                }
            }
        }
        std::string culprits;
        for (const std::uint32_t node : largest) {
            if (node != kNone) {
                culprits += fmt::format("{}'{}' {}", culprits.empty() ? "" : ", ", nameOf(node),
                                        core::formatBytes(estimateOf(node).memoryBytes[k]));
            }
        }
        errors.push_back(
            Error{ErrorCode::OverBudget,
                  fmt::format("{} {} memory {} exceeds the budget of {}; largest: {} "
                              "(lower their needs or raise the budget)",
                              what, toString(static_cast<MemoryKind>(k)), core::formatBytes(need),
                              core::formatBytes(limit), culprits)});
    }
    if (budget.stagingBytes != 0 && total.stagingBytes > budget.stagingBytes) {
        errors.push_back(Error{ErrorCode::OverBudget,
                               fmt::format("{} staging memory {} exceeds the budget of {}", what,
                                           core::formatBytes(total.stagingBytes),
                                           core::formatBytes(budget.stagingBytes))});
    }
}

}  // namespace vixen::graph::detail
