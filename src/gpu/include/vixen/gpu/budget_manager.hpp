#pragma once

#include <vulkan/vulkan.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/gpu/physical_device.hpp"

namespace vixen::gpu {

/// Limits of one memory heap. The hard limit refuses; the soft limit is where the engine
/// should stop growing; throttling starts at a fraction of the soft limit.
struct HeapLimits {
    VkDeviceSize soft = 0;
    VkDeviceSize hard = 0;
};

struct BudgetOptions {
    /// Per-heap overrides, by heap index; a heap left out gets the defaults: hard = the
    /// driver's budget (VK_EXT_memory_budget) or else the heap size, soft = softFraction of it.
    std::vector<std::optional<HeapLimits>> heaps;
    double softFraction = 0.9;
    double throttleFraction = 0.85;  ///< of the soft limit
};

struct HeapBudget {
    VkDeviceSize used = 0;
    VkDeviceSize peak = 0;
    HeapLimits limits;
    VkDeviceSize throttleThreshold = 0;
    std::uint64_t refusals = 0;
};

/// Book-keeping of device memory per heap, checked before Vulkan is called: a request that
/// would pass the hard limit is refused with an error naming the heap, the usage, the limit
/// and what asked. Thread-safe; reserving and releasing allocate nothing.
class BudgetManager {
public:
    explicit BudgetManager(const PhysicalDeviceInfo& device, const BudgetOptions& options = {});

    /// Takes `bytes` of heap `heap` for `what`, or refuses (OverBudget) and changes nothing.
    Result<void> reserve(std::uint32_t heap, VkDeviceSize bytes, std::string_view what);
    void release(std::uint32_t heap, VkDeviceSize bytes) noexcept;

    [[nodiscard]] std::size_t heapCount() const noexcept { return heapCount_; }
    [[nodiscard]] HeapBudget heap(std::uint32_t heap) const noexcept;
    /// True once usage passed the throttle threshold: the scheduler should let work drain.
    [[nodiscard]] bool shouldThrottle(std::uint32_t heap) const noexcept;
    [[nodiscard]] bool overSoftLimit(std::uint32_t heap) const noexcept;

private:
    struct Heap {
        std::atomic<VkDeviceSize> used{0};
        std::atomic<VkDeviceSize> peak{0};
        std::atomic<std::uint64_t> refusals{0};
        HeapLimits limits;
        VkDeviceSize throttleThreshold = 0;
        bool deviceLocal = false;
    };
    std::unique_ptr<Heap[]> heaps_;  // atomics do not move, so not a vector
    std::size_t heapCount_ = 0;
};

}  // namespace vixen::gpu
