#pragma once

#include <vulkan/vulkan.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/gpu/buffer.hpp"

namespace vixen::gpu {

class Device;
class DeviceMemoryAllocator;
class TimelineSemaphore;

struct StagingPoolOptions {
    /// Bytes of the one staging buffer, taken at creation (the graph sums the nodes'
    /// stagingBytes estimates).
    VkDeviceSize capacity = 0;
    /// Closed batches whose ranges may be in flight at once; sizes the batch ring.
    std::uint32_t maxBatchesInFlight = 4;
    /// Which host-visible memory holds the staging buffer: the default kind (often
    /// write-combined), host-cached, or device-local where the device maps its memory.
    MemoryUsage memory = MemoryUsage::Upload;
};

/// A range of the staging buffer: write `bytes`, then copy from `buffer` at `offset`.
struct StagingRange {
    VkBuffer buffer = VK_NULL_HANDLE;
    VkDeviceSize offset = 0;
    std::span<std::byte> bytes;
};

struct StagingPoolStats {
    VkDeviceSize capacity = 0;
    VkDeviceSize used = 0;  ///< open and in-flight bytes now, alignment and wrap padding included
    VkDeviceSize peakUsed = 0;          ///< the most `used` ever was
    std::uint64_t bytesStaged = 0;      ///< bytes handed out in total (padding excluded)
    std::uint64_t acquisitions = 0;     ///< ranges handed out
    std::uint64_t batches = 0;          ///< non-empty batches closed
    std::uint64_t waits = 0;            ///< times the pool blocked on the timeline for space
    std::uint32_t inFlightBatches = 0;  ///< closed batches not yet recycled
};

/// Staging memory for uploads: one host-visible, coherent, persistently mapped buffer made
/// at creation and handed out ring-style, so nothing is allocated afterwards. Ranges taken
/// since the last `closeBatch` form the open batch; `closeBatch(value)` tags them with the
/// timeline value whose signal means the GPU is done reading them, and they come back when
/// the timeline reaches it (`recycle`, or `waitOldest`, which blocks and is counted). Batches
/// must complete in the order they were closed (one queue). Not thread-safe. The device, the
/// allocator and the timeline passed to the waiting calls must outlive the pool.
class StagingPool {
public:
    /// Errors: InvalidArgument for a zero capacity or zero batches in flight; the buffer's
    /// errors (allocator, budget, Vulkan) otherwise, with nothing left behind.
    static Result<StagingPool> create(const Device& device, DeviceMemoryAllocator& allocator,
                                      const StagingPoolOptions& options);

    StagingPool(StagingPool&& other) noexcept;
    StagingPool& operator=(StagingPool&& other) noexcept;
    StagingPool(const StagingPool&) = delete;
    StagingPool& operator=(const StagingPool&) = delete;
    /// Frees the buffer; the caller must have waited for every closed batch.
    ~StagingPool() = default;

    /// A range of at least `minSize` and at most `maxSize` bytes, as large as the free space
    /// contiguous to the ring's head allows, starting at a multiple of `alignment` (any
    /// non-zero value). Wraps to the start of the buffer when the end has less than
    /// `minSize` left. Never waits; nullopt when the free space is too small (or
    /// `minSize` is 0, larger than `maxSize` or than the capacity).
    [[nodiscard]] std::optional<StagingRange> tryAcquire(VkDeviceSize minSize, VkDeviceSize maxSize,
                                                         VkDeviceSize alignment) noexcept;

    /// Exactly `size` bytes, waiting on `timeline` for in-flight batches to finish while the
    /// pool is too full. Errors: InvalidArgument for a zero size, or a size larger than the
    /// pool (naming both); CapacityExceeded when only the open batch holds the space that is
    /// missing (close and submit it first); the timeline's errors (timeout, device loss).
    [[nodiscard]] Result<StagingRange> acquire(VkDeviceSize size, VkDeviceSize alignment,
                                               const TimelineSemaphore& timeline,
                                               std::chrono::nanoseconds timeout);

    /// Closes the open batch: every range taken since the last close is tagged with
    /// `timelineValue` and comes back once the timeline reaches it. An empty batch records
    /// nothing. Errors: InvalidArgument when the value is not above the last one closed;
    /// CapacityExceeded when maxBatchesInFlight batches are already in flight (recycle or
    /// waitOldest first). On error the open batch stays open.
    [[nodiscard]] Result<void> closeBatch(std::uint64_t timelineValue);

    /// Gives back the last `unused` bytes of the range acquired last (they must not have
    /// been handed to the GPU); at most its size.
    void trimLast(VkDeviceSize unused) noexcept;

    /// Gives back the ranges of the open batch without closing it (its submit failed).
    void discardOpen() noexcept;

    /// Recycles every closed batch whose value is <= `completedValue`. Returns how many.
    std::uint32_t recycle(std::uint64_t completedValue) noexcept;

    /// Frees the oldest in-flight batch: recycles what `timeline` already reached and, when
    /// that freed nothing, blocks until the oldest batch's value (counted in stats().waits).
    /// Returns false, waiting for nothing, when no batch is in flight.
    [[nodiscard]] Result<bool> waitOldest(const TimelineSemaphore& timeline,
                                          std::chrono::nanoseconds timeout);

    [[nodiscard]] VkBuffer buffer() const noexcept { return buffer_.handle(); }
    [[nodiscard]] VkDeviceSize capacity() const noexcept { return capacity_; }
    /// Bytes the open batch holds, padding included.
    [[nodiscard]] VkDeviceSize openBytes() const noexcept { return head_ - closedEnd_; }
    /// Bytes free now (not all of them contiguous).
    [[nodiscard]] VkDeviceSize freeBytes() const noexcept { return capacity_ - (head_ - tail_); }
    [[nodiscard]] std::uint32_t inFlightBatches() const noexcept { return batchCount_; }
    [[nodiscard]] std::uint32_t maxBatchesInFlight() const noexcept {
        return static_cast<std::uint32_t>(batches_.size());
    }
    /// The value of the newest closed batch still in flight; 0 when none is.
    [[nodiscard]] std::uint64_t newestInFlight() const noexcept;
    [[nodiscard]] StagingPoolStats stats() const noexcept;

private:
    /// A closed batch: its ranges end at ring position `end`.
    struct Batch {
        std::uint64_t end = 0;
        std::uint64_t value = 0;
    };

    explicit StagingPool(Buffer buffer) noexcept;
    [[nodiscard]] StagingRange take(std::uint64_t skip, VkDeviceSize offset,
                                    VkDeviceSize size) noexcept;

    Buffer buffer_;
    std::byte* mapped_ = nullptr;
    VkDeviceSize capacity_ = 0;
    // Ring positions count bytes since creation and never wrap; the offset in the buffer is
    // position % capacity. [tail_, closedEnd_) is in flight, [closedEnd_, head_) is open.
    std::uint64_t head_ = 0;
    std::uint64_t closedEnd_ = 0;
    std::uint64_t tail_ = 0;
    std::vector<Batch> batches_;  ///< ring of in-flight batches, sized at creation
    std::uint32_t firstBatch_ = 0;
    std::uint32_t batchCount_ = 0;
    std::uint64_t lastClosedValue_ = 0;
    VkDeviceSize peakUsed_ = 0;
    std::uint64_t bytesStaged_ = 0;
    std::uint64_t acquisitions_ = 0;
    std::uint64_t closedBatches_ = 0;
    std::uint64_t waits_ = 0;
};

}  // namespace vixen::gpu
