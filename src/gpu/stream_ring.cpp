#include "vixen/gpu/stream_ring.hpp"

#include <atomic>
#include <utility>

#include "vixen/core/align.hpp"
#include "vixen/core/units.hpp"
#include "vixen/gpu/timeline.hpp"

namespace vixen::gpu {
namespace {

/// A closed frame's ranges are waited for this long when the list of closed frames is full
/// (the frame pacer has already waited for them, so this only guards a lost device).
constexpr std::chrono::seconds kCloseTimeout{10};

}  // namespace

Result<StreamRing> StreamRing::create(const Device& device, DeviceMemoryAllocator& allocator,
                                      const TimelineSemaphore& frames, VkDeviceSize capacity,
                                      std::uint32_t framesInFlight, RingDirection direction,
                                      std::string_view what) {
    if (capacity == 0 || framesInFlight == 0) {
        return fail(ErrorCode::InvalidArgument,
                    "{}: a ring needs capacity and frames in flight above 0 (got {} bytes, {} "
                    "frames)",
                    what, capacity, framesInFlight);
    }
    const bool upload = direction == RingDirection::Upload;
    // Uploaded data may also be read in place, as uniforms or storage (camera constants).
    const VkBufferUsageFlags usage = upload ? VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                                  VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT |
                                                  VK_BUFFER_USAGE_STORAGE_BUFFER_BIT
                                            : VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    auto buffer = Buffer::create(
        device, allocator,
        BufferDesc{capacity, usage, upload ? MemoryUsage::Upload : MemoryUsage::Readback}, what);
    if (!buffer) {
        return std::unexpected(std::move(buffer.error()));
    }
    static std::atomic<std::uint64_t> lastSerial{0};
    StreamRing ring;
    ring.buffer_ = std::move(*buffer);
    ring.serial_ = ++lastSerial;
    ring.frames_ = &frames;
    // Every frame in flight, and the one being recorded, may hold ranges.
    ring.closed_.resize(std::size_t{framesInFlight} + 1);
    ring.stats_.capacity = capacity;
    ring.what_ = what;
    return ring;
}

std::optional<RingRange> StreamRing::take(VkDeviceSize bytes, VkDeviceSize alignment,
                                          std::chrono::nanoseconds timeout) noexcept {
    const VkDeviceSize capacity = stats_.capacity;
    std::uint64_t start = core::alignUp(head_, std::max<VkDeviceSize>(alignment, 1));
    if (start % capacity + bytes > capacity) {
        start += capacity - start % capacity;  // a range never wraps: start over at 0
    }
    // Nothing live (tail at head): everything before `start` is free.
    const auto fits = [&] { return start + bytes - (tail_ == head_ ? start : tail_) <= capacity; };
    while (bytes <= capacity && !fits()) {
        if (!releaseOldest(true, timeout)) {
            break;
        }
    }
    if (bytes > capacity || !fits()) {
        // What is left is this frame's own: no wait can make room.
        ++stats_.refused;
        if (refusedBytes_ == 0 && !waitError_) {
            refusedBytes_ = bytes;
        }
        return std::nullopt;
    }
    if (tail_ == head_) {
        tail_ = start;
    }
    head_ = start + bytes;
    ++stats_.ranges;
    stats_.bytes += bytes;
    const VkDeviceSize offset = start % capacity;
    return RingRange{
        buffer_.handle(), offset,
        buffer_.mapped().subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(bytes)),
        start, serial_};
}

bool StreamRing::releaseOldest(bool wait, std::chrono::nanoseconds timeout) noexcept {
    if (closedCount_ == 0 || waitError_) {
        return false;
    }
    const FrameEnd oldest = closed_[closedFirst_];
    Result<std::uint64_t> done = frames_->currentValue();
    if (done && *done < oldest.frame) {
        if (!wait) {
            return false;
        }
        const auto started = std::chrono::steady_clock::now();
        Result<void> waited = frames_->wait(oldest.frame, timeout);
        ++stats_.waits;
        stats_.waitNanoseconds +=
            static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                           std::chrono::steady_clock::now() - started)
                                           .count());
        if (!waited) {
            waitError_ = std::move(waited.error());
            return false;
        }
    } else if (!done) {
        waitError_ = std::move(done.error());
        return false;
    }
    tail_ = oldest.end;
    closedFirst_ = (closedFirst_ + 1) % closed_.size();
    --closedCount_;
    return true;
}

void StreamRing::endFrame(std::uint64_t frame) noexcept {
    const std::uint64_t lastEnd =
        closedCount_ > 0 ? closed_[(closedFirst_ + closedCount_ - 1) % closed_.size()].end : tail_;
    if (head_ == lastEnd) {
        return;  // the frame took nothing
    }
    if (closedCount_ == closed_.size() && !releaseOldest(true, kCloseTimeout)) {
        return;  // the device is lost; takeError says so
    }
    closed_[(closedFirst_ + closedCount_) % closed_.size()] = FrameEnd{frame, head_};
    ++closedCount_;
}

ReadbackStatus StreamRing::read(const RingRange& range, std::uint64_t frame) const noexcept {
    if (range.ring != serial_) {
        return ReadbackStatus::Reused;
    }
    const Result<std::uint64_t> done = frames_->currentValue();
    if (!done || *done < frame) {
        return ReadbackStatus::Pending;
    }
    return range.position < tail_ ? ReadbackStatus::Reused : ReadbackStatus::Ready;
}

std::optional<Error> StreamRing::takeError() {
    std::optional<Error> error;
    if (waitError_) {
        error = Error{waitError_->code,
                      fmt::format("{}: waiting for a frame in flight to free ring space: {}", what_,
                                  waitError_->message)};
    } else if (refusedBytes_ != 0) {
        error = Error{ErrorCode::CapacityExceeded,
                      fmt::format("{}: a frame asked for {} that did not fit in the {} ring next "
                                  "to what it had taken already; the nodes' per-frame estimates "
                                  "are too low",
                                  what_, core::formatBytes(refusedBytes_),
                                  core::formatBytes(stats_.capacity))};
    }
    waitError_.reset();
    refusedBytes_ = 0;
    return error;
}

}  // namespace vixen::gpu
