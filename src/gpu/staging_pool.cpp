#include "vixen/gpu/staging_pool.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include "vixen/core/resource_takes.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/memory_allocator.hpp"
#include "vixen/gpu/timeline.hpp"

namespace vixen::gpu {
namespace {

// Any alignment, not only powers of two: image copies align on texel sizes such as 12.
[[nodiscard]] constexpr std::uint64_t alignUp(std::uint64_t value,
                                              std::uint64_t alignment) noexcept {
    return (value + alignment - 1) / alignment * alignment;
}

}  // namespace

StagingPool::StagingPool(Buffer buffer) noexcept : buffer_(std::move(buffer)) {}

Result<StagingPool> StagingPool::create(const Device& device, DeviceMemoryAllocator& allocator,
                                        const StagingPoolOptions& options) {
    if (options.capacity == 0) {
        return fail(ErrorCode::InvalidArgument,
                    "a staging pool needs a capacity above 0 bytes (sum the nodes' stagingBytes)");
    }
    if (options.maxBatchesInFlight == 0) {
        return fail(ErrorCode::InvalidArgument,
                    "a staging pool needs at least one batch in flight");
    }
    auto buffer = Buffer::create(device, allocator,
                                 BufferDesc{.size = options.capacity,
                                            .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                                            .memory = options.memory},
                                 "staging pool");
    if (!buffer) {
        return std::unexpected(std::move(buffer.error()));
    }
    const std::span<std::byte> mapped = buffer->mapped();
    if (mapped.size() < options.capacity) {
        return fail(ErrorCode::InvalidState,
                    "the staging pool's {} bytes are not mapped: its memory type is not "
                    "host-visible",
                    options.capacity);
    }
    StagingPool pool(std::move(*buffer));
    pool.mapped_ = mapped.data();
    pool.capacity_ = options.capacity;
    pool.batches_.resize(options.maxBatchesInFlight);
    return pool;
}

StagingPool::StagingPool(StagingPool&& other) noexcept
    : buffer_(std::move(other.buffer_)),
      mapped_(std::exchange(other.mapped_, nullptr)),
      capacity_(std::exchange(other.capacity_, 0)),
      head_(std::exchange(other.head_, 0)),
      closedEnd_(std::exchange(other.closedEnd_, 0)),
      tail_(std::exchange(other.tail_, 0)),
      batches_(std::move(other.batches_)),
      firstBatch_(std::exchange(other.firstBatch_, 0U)),
      batchCount_(std::exchange(other.batchCount_, 0U)),
      lastClosedValue_(std::exchange(other.lastClosedValue_, 0)),
      peakUsed_(std::exchange(other.peakUsed_, 0)),
      bytesStaged_(std::exchange(other.bytesStaged_, 0)),
      acquisitions_(std::exchange(other.acquisitions_, 0)),
      closedBatches_(std::exchange(other.closedBatches_, 0)),
      waits_(std::exchange(other.waits_, 0)) {
    other.batches_.clear();
}

StagingPool& StagingPool::operator=(StagingPool&& other) noexcept {
    if (this != &other) {
        buffer_ = std::move(other.buffer_);
        mapped_ = std::exchange(other.mapped_, nullptr);
        capacity_ = std::exchange(other.capacity_, 0);
        head_ = std::exchange(other.head_, 0);
        closedEnd_ = std::exchange(other.closedEnd_, 0);
        tail_ = std::exchange(other.tail_, 0);
        batches_ = std::move(other.batches_);
        other.batches_.clear();
        firstBatch_ = std::exchange(other.firstBatch_, 0U);
        batchCount_ = std::exchange(other.batchCount_, 0U);
        lastClosedValue_ = std::exchange(other.lastClosedValue_, 0);
        peakUsed_ = std::exchange(other.peakUsed_, 0);
        bytesStaged_ = std::exchange(other.bytesStaged_, 0);
        acquisitions_ = std::exchange(other.acquisitions_, 0);
        closedBatches_ = std::exchange(other.closedBatches_, 0);
        waits_ = std::exchange(other.waits_, 0);
    }
    return *this;
}

std::optional<StagingRange> StagingPool::tryAcquire(VkDeviceSize minSize, VkDeviceSize maxSize,
                                                    VkDeviceSize alignment) noexcept {
    if (minSize == 0 || minSize > maxSize || minSize > capacity_ || alignment == 0) {
        return std::nullopt;
    }
    if (head_ == tail_) {
        // Empty: restart at offset 0, where the whole buffer is contiguous.
        head_ = alignUp(head_, capacity_);
        tail_ = head_;
        closedEnd_ = head_;
    }
    const std::uint64_t free = capacity_ - (head_ - tail_);
    const VkDeviceSize offset = head_ % capacity_;
    // The free space from the head runs to the end of the buffer, or to the tail when the
    // tail lies ahead of it in the buffer; either way it is min(capacity - offset, free).
    const VkDeviceSize aligned = alignUp(offset, alignment);
    if (aligned < capacity_ && free >= aligned - offset) {
        const VkDeviceSize available = std::min(capacity_ - aligned, free - (aligned - offset));
        if (available >= minSize) {
            return take(aligned - offset, aligned, std::min(available, maxSize));
        }
    }
    // Too little before the end of the buffer: skip the rest and start again at offset 0.
    const VkDeviceSize skip = capacity_ - offset;
    if (offset != 0 && free >= skip) {
        const VkDeviceSize available = free - skip;
        if (available >= minSize) {
            return take(skip, 0, std::min(available, maxSize));
        }
    }
    return std::nullopt;
}

StagingRange StagingPool::take(std::uint64_t skip, VkDeviceSize offset,
                               VkDeviceSize size) noexcept {
    head_ += skip + size;
    peakUsed_ = std::max<VkDeviceSize>(peakUsed_, head_ - tail_);
    bytesStaged_ += size;
    ++acquisitions_;
    core::ResourceTakes::note(core::ResourceTake::StagingBuffer, size, "staging pool range");
    return StagingRange{
        .buffer = buffer_.handle(),
        .offset = offset,
        .bytes = std::span<std::byte>(mapped_ + offset, static_cast<std::size_t>(size)),
    };
}

Result<StagingRange> StagingPool::acquire(VkDeviceSize size, VkDeviceSize alignment,
                                          const TimelineSemaphore& timeline,
                                          std::chrono::nanoseconds timeout) {
    if (size == 0) {
        return fail(ErrorCode::InvalidArgument, "staging request of 0 bytes");
    }
    if (alignment == 0) {
        return fail(ErrorCode::InvalidArgument,
                    "staging request of {} bytes with alignment 0 (use 1 for none)", size);
    }
    if (size > capacity_) {
        return fail(ErrorCode::InvalidArgument,
                    "staging request of {} bytes is larger than the staging pool ({} bytes): "
                    "split it into pieces of at most {} bytes or size the pool from the nodes' "
                    "stagingBytes estimates",
                    size, capacity_, capacity_);
    }
    for (;;) {
        if (auto range = tryAcquire(size, size, alignment)) {
            return *range;
        }
        auto freed = waitOldest(timeline, timeout);
        if (!freed) {
            return std::unexpected(std::move(freed.error()));
        }
        if (!*freed) {
            return fail(ErrorCode::CapacityExceeded,
                        "staging request of {} bytes: the open batch holds {} of the pool's {} "
                        "bytes and nothing is in flight; close and submit the open batch first",
                        size, openBytes(), capacity_);
        }
    }
}

Result<void> StagingPool::closeBatch(std::uint64_t timelineValue) {
    if (timelineValue <= lastClosedValue_) {
        return fail(ErrorCode::InvalidArgument,
                    "staging batch closed with timeline value {}, but value {} was closed "
                    "already; values must increase",
                    timelineValue, lastClosedValue_);
    }
    if (head_ == closedEnd_) {
        lastClosedValue_ = timelineValue;
        return {};
    }
    const auto ring = static_cast<std::uint32_t>(batches_.size());
    if (batchCount_ == ring) {
        return fail(ErrorCode::CapacityExceeded,
                    "staging batch {} cannot close: {} batches are in flight already, the most "
                    "the pool was made for; recycle or wait for the oldest first",
                    timelineValue, ring);
    }
    batches_[(firstBatch_ + batchCount_) % ring] = Batch{.end = head_, .value = timelineValue};
    ++batchCount_;
    closedEnd_ = head_;
    lastClosedValue_ = timelineValue;
    ++closedBatches_;
    return {};
}

void StagingPool::trimLast(VkDeviceSize unused) noexcept {
    assert(unused <= head_ - closedEnd_ && "trimLast gives back more than the open batch holds");
    head_ -= unused;
    bytesStaged_ -= unused;
}

void StagingPool::discardOpen() noexcept {
    head_ = closedEnd_;
}

std::uint32_t StagingPool::recycle(std::uint64_t completedValue) noexcept {
    std::uint32_t recycled = 0;
    const auto ring = static_cast<std::uint32_t>(batches_.size());
    while (batchCount_ > 0 && batches_[firstBatch_].value <= completedValue) {
        tail_ = batches_[firstBatch_].end;
        firstBatch_ = (firstBatch_ + 1) % ring;
        --batchCount_;
        ++recycled;
    }
    return recycled;
}

Result<bool> StagingPool::waitOldest(const TimelineSemaphore& timeline,
                                     std::chrono::nanoseconds timeout) {
    if (batchCount_ == 0) {
        return false;
    }
    auto current = timeline.currentValue();
    if (!current) {
        return std::unexpected(std::move(current.error()));
    }
    if (recycle(*current) > 0) {
        return true;
    }
    const std::uint64_t oldest = batches_[firstBatch_].value;
    ++waits_;
    if (auto waited = timeline.wait(oldest, timeout); !waited) {
        return std::unexpected(std::move(waited.error()));
    }
    recycle(oldest);
    return true;
}

std::uint64_t StagingPool::newestInFlight() const noexcept {
    if (batchCount_ == 0) {
        return 0;
    }
    const auto ring = static_cast<std::uint32_t>(batches_.size());
    return batches_[(firstBatch_ + batchCount_ - 1) % ring].value;
}

StagingPoolStats StagingPool::stats() const noexcept {
    return StagingPoolStats{
        .capacity = capacity_,
        .used = head_ - tail_,
        .peakUsed = peakUsed_,
        .bytesStaged = bytesStaged_,
        .acquisitions = acquisitions_,
        .batches = closedBatches_,
        .waits = waits_,
        .inFlightBatches = batchCount_,
    };
}

}  // namespace vixen::gpu
