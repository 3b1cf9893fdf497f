#include "vixen/graph/execution_budget.hpp"

#include <cmath>

namespace vixen::graph {

void ExecutionBudget::configure(std::uint64_t limitBytes, double throttleFraction) noexcept {
    limit_ = limitBytes;
    threshold_ = limitBytes == 0 ? 0
                                 : static_cast<std::uint64_t>(std::floor(
                                       static_cast<double>(limitBytes) * throttleFraction));
}

void ExecutionBudget::acquireTask(std::uint64_t bytes) noexcept {
    if (threshold_ == 0) {
        return;  // unlimited: no bookkeeping on the hot path
    }
    std::unique_lock lock(mutex_);
    const auto admits = [&] {
        return tasksInFlight_ == 0 || usage_.load(std::memory_order_relaxed) + bytes <= threshold_;
    };
    if (!admits()) {
        throttledWaits_.fetch_add(1, std::memory_order_relaxed);
        drained_.wait(lock, admits);
    }
    usage_.fetch_add(bytes, std::memory_order_relaxed);
    ++tasksInFlight_;
    peakUsage_ = std::max(peakUsage_, usage_.load(std::memory_order_relaxed));
}

void ExecutionBudget::releaseTask(std::uint64_t bytes) noexcept {
    if (threshold_ == 0) {
        return;
    }
    {
        const std::lock_guard lock(mutex_);
        usage_.fetch_sub(bytes, std::memory_order_relaxed);
        --tasksInFlight_;
    }
    drained_.notify_all();
}

std::uint64_t ExecutionBudget::peakUsage() const noexcept {
    const std::lock_guard lock(mutex_);
    return peakUsage_;
}

}  // namespace vixen::graph
