#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace vixen::core {

/// Heap activity counted by the replaced global operator new/delete.
struct AllocationCounts {
    std::uint64_t allocations = 0;
    std::uint64_t frees = 0;
    std::uint64_t bytes = 0;    ///< bytes requested by the allocations
    std::uint64_t largest = 0;  ///< largest single allocation, in bytes

    friend bool operator==(const AllocationCounts&, const AllocationCounts&) = default;
};

enum class TrackScope : std::uint8_t {
    ThisThread,  ///< only allocations made by the thread that opened the region
    AllThreads,  ///< allocations made by any thread (worker pools included)
};

/// Process-wide view of the allocation counters. The counters are fed by the
/// operator new/delete replacements in the `vixen_alloc_hooks` library; without
/// that library linked in, `installed()` is false and every count stays zero.
class AllocationTracker {
public:
    [[nodiscard]] static bool installed() noexcept;

    /// Cumulative counts; `largest` is the largest allocation since the process started.
    [[nodiscard]] static AllocationCounts thisThread() noexcept;
    [[nodiscard]] static AllocationCounts allThreads() noexcept;

    /// Debug mode: while a region is open, each allocation records its call stack so a
    /// report can name the offenders. Slow; off by default.
    static void setCallSiteCapture(bool enabled) noexcept;
    [[nodiscard]] static bool callSiteCapture() noexcept;
    /// The call sites seen since the last reset, most allocations first, symbolized.
    [[nodiscard]] static std::string callSiteReport(std::size_t maxSites = 8);
    static void resetCallSites() noexcept;
};

/// Counts the allocations made between construction and `counts()`, including the
/// exact largest one. Regions nest; at most `kMaxOpenRegions` may be open at once
/// (further ones still count allocations but report `largest` as 0).
class AllocationRegion {
public:
    static constexpr std::size_t kMaxOpenRegions = 32;

    explicit AllocationRegion(TrackScope scope = TrackScope::ThisThread) noexcept;
    ~AllocationRegion();
    AllocationRegion(const AllocationRegion&) = delete;
    AllocationRegion& operator=(const AllocationRegion&) = delete;

    /// Counts since construction (or the last `restart()`).
    [[nodiscard]] AllocationCounts counts() const noexcept;
    void restart() noexcept;
    [[nodiscard]] TrackScope scope() const noexcept { return scope_; }

private:
    TrackScope scope_;
    int watcher_ = -1;
    AllocationCounts start_{};
};

/// "This region allocates nothing": a scoped check for tests and debug builds.
/// `ok()` is false once anything was allocated; `describe()` gives the count and
/// the largest size (and the call sites when capture is on).
class NoAllocationGuard {
public:
    explicit NoAllocationGuard(TrackScope scope = TrackScope::ThisThread) noexcept
        : region_(scope) {}

    [[nodiscard]] bool ok() const noexcept { return region_.counts().allocations == 0; }
    [[nodiscard]] AllocationCounts counts() const noexcept { return region_.counts(); }
    [[nodiscard]] std::string describe() const;

private:
    AllocationRegion region_;
};

}  // namespace vixen::core
