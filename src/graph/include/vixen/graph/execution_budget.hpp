#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace vixen::graph {

/// The budget the parallel scheduler reads. Usage is what running tasks hold. A task that
/// would push usage past the throttle threshold waits until usage drains, unless no task is
/// running: one always runs.
class ExecutionBudget {
public:
    /// limitBytes 0 means unlimited (no throttling, no locking).
    void configure(std::uint64_t limitBytes, double throttleFraction = 0.85) noexcept;
    [[nodiscard]] std::uint64_t limit() const noexcept { return limit_; }
    [[nodiscard]] std::uint64_t throttleThreshold() const noexcept { return threshold_; }
    [[nodiscard]] std::uint64_t usage() const noexcept {
        return usage_.load(std::memory_order_relaxed);
    }

    /// Scheduler side, around each task.
    void acquireTask(std::uint64_t bytes) noexcept;
    void releaseTask(std::uint64_t bytes) noexcept;

    /// How many tasks had to wait, and the highest usage tasks reached; for reports and tests.
    [[nodiscard]] std::uint64_t throttledWaits() const noexcept {
        return throttledWaits_.load(std::memory_order_relaxed);
    }
    [[nodiscard]] std::uint64_t peakUsage() const noexcept;

private:
    std::uint64_t limit_ = 0;
    std::uint64_t threshold_ = 0;
    std::atomic<std::uint64_t> usage_{0};
    std::atomic<std::uint64_t> throttledWaits_{0};
    mutable std::mutex mutex_;
    std::condition_variable drained_;
    std::uint32_t tasksInFlight_ = 0;  // guarded by mutex_
    std::uint64_t peakUsage_ = 0;      // guarded by mutex_
};

}  // namespace vixen::graph
