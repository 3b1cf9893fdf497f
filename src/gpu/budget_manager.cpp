#include "vixen/gpu/budget_manager.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "vixen/core/units.hpp"

namespace vixen::gpu {
namespace {

VkDeviceSize fraction(VkDeviceSize bytes, double share) {
    return static_cast<VkDeviceSize>(std::floor(static_cast<double>(bytes) * share));
}

}  // namespace

BudgetManager::BudgetManager(const PhysicalDeviceInfo& device, const BudgetOptions& options)
    : heaps_(std::make_unique<Heap[]>(device.heaps.size())), heapCount_(device.heaps.size()) {
    for (std::size_t i = 0; i < heapCount_; ++i) {
        const MemoryHeap& source = device.heaps[i];
        Heap& heap = heaps_[i];
        heap.deviceLocal = source.deviceLocal;
        if (i < options.heaps.size() && options.heaps[i]) {
            heap.limits = *options.heaps[i];
        } else {
            const VkDeviceSize hard =
                device.features.memoryBudget && source.budget != 0 ? source.budget : source.size;
            heap.limits = HeapLimits{fraction(hard, options.softFraction), hard};
        }
        heap.throttleThreshold = fraction(heap.limits.soft, options.throttleFraction);
    }
}

Result<void> BudgetManager::reserve(std::uint32_t index, VkDeviceSize bytes,
                                    std::string_view what) {
    assert(index < heapCount_);
    Heap& heap = heaps_[index];
    VkDeviceSize used = heap.used.load(std::memory_order_relaxed);
    do {
        if (bytes > heap.limits.hard || used > heap.limits.hard - bytes) {
            heap.refusals.fetch_add(1, std::memory_order_relaxed);
            return fail(ErrorCode::OverBudget,
                        "{} needs {} of heap {} ({}), which has {} of its {} hard limit in use; "
                        "free memory or raise the limit",
                        what, core::formatBytes(bytes), index,
                        heap.deviceLocal ? "device-local" : "host", core::formatBytes(used),
                        core::formatBytes(heap.limits.hard));
        }
    } while (!heap.used.compare_exchange_weak(used, used + bytes, std::memory_order_acq_rel));
    VkDeviceSize peak = heap.peak.load(std::memory_order_relaxed);
    while (used + bytes > peak &&
           !heap.peak.compare_exchange_weak(peak, used + bytes, std::memory_order_relaxed)) {
    }
    return {};
}

void BudgetManager::release(std::uint32_t index, VkDeviceSize bytes) noexcept {
    assert(index < heapCount_);
    [[maybe_unused]] const VkDeviceSize before =
        heaps_[index].used.fetch_sub(bytes, std::memory_order_acq_rel);
    assert(before >= bytes && "released more than was reserved");
}

HeapBudget BudgetManager::heap(std::uint32_t index) const noexcept {
    assert(index < heapCount_);
    const Heap& heap = heaps_[index];
    return HeapBudget{heap.used.load(std::memory_order_relaxed),
                      heap.peak.load(std::memory_order_relaxed), heap.limits,
                      heap.throttleThreshold, heap.refusals.load(std::memory_order_relaxed)};
}

bool BudgetManager::shouldThrottle(std::uint32_t index) const noexcept {
    return heaps_[index].used.load(std::memory_order_relaxed) >= heaps_[index].throttleThreshold;
}

bool BudgetManager::overSoftLimit(std::uint32_t index) const noexcept {
    return heaps_[index].used.load(std::memory_order_relaxed) > heaps_[index].limits.soft;
}

}  // namespace vixen::gpu
