#pragma once

// Per-frame data in and out of the GPU without allocating: one persistently mapped buffer
// used as a ring, sized once. Each frame takes what it needs at the head; a range is free
// again once the frame that used it has finished on the GPU (its timeline value). When the
// head would run into a range a frame in flight still uses, the ring waits for that frame
// (counted); a frame that asks for more than the whole ring is refused (counted too).

#include <vulkan/vulkan.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/gpu/buffer.hpp"

namespace vixen::gpu {

class Device;
class DeviceMemoryAllocator;
class TimelineSemaphore;

/// Which way the bytes go: CPU to GPU (write-combined upload memory) or GPU to CPU (cached
/// readback memory).
enum class RingDirection : std::uint8_t { Upload, Readback };

/// A range of the ring: `bytes` are its mapped memory, at `offset` in `buffer`. `position`
/// is where it starts in the ring's unbounded byte count, which tells later whether the
/// range has been reused (see StreamRing::read).
struct RingRange {
    VkBuffer buffer = VK_NULL_HANDLE;
    VkDeviceSize offset = 0;
    std::span<std::byte> bytes;
    std::uint64_t position = 0;
    std::uint64_t ring = 0;  ///< which ring it came from (StreamRing::serial)
};

struct StreamRingStats {
    VkDeviceSize capacity = 0;
    std::uint64_t ranges = 0;  ///< taken so far
    std::uint64_t bytes = 0;   ///< taken so far
    std::uint64_t waits = 0;   ///< times the head waited for a frame in flight
    std::uint64_t waitNanoseconds = 0;
    std::uint64_t refused = 0;  ///< requests that could not fit even in an idle ring
};

/// What became of a range read back in an earlier frame.
enum class ReadbackStatus : std::uint8_t {
    Pending,  ///< its frame has not finished on the GPU yet
    Ready,    ///< its bytes hold what the GPU copied
    Reused,   ///< a later frame took the range again: the bytes are gone
};

class StreamRing {
public:
    StreamRing() = default;
    /// `capacity` bytes of ring; frames are numbered by `frames` (the frame pacer's timeline,
    /// which must outlive the ring), at most `framesInFlight` of them in flight. Errors name
    /// `what`.
    static Result<StreamRing> create(const Device& device, DeviceMemoryAllocator& allocator,
                                     const TimelineSemaphore& frames, VkDeviceSize capacity,
                                     std::uint32_t framesInFlight, RingDirection direction,
                                     std::string_view what);

    /// `bytes` for the frame being recorded, aligned to `alignment` (a power of two); waits
    /// up to `timeout` for frames in flight when the ring is full. Nothing when the request
    /// cannot fit, or the wait failed: the frame goes on without it, and `takeError` says
    /// why. Allocates nothing.
    [[nodiscard]] std::optional<RingRange> take(VkDeviceSize bytes, VkDeviceSize alignment,
                                                std::chrono::nanoseconds timeout) noexcept;
    /// Closes the frame being recorded as frame number `frame` of the timeline: what it took
    /// is free again once the timeline reaches `frame`.
    void endFrame(std::uint64_t frame) noexcept;

    /// A range read back by frame `frame`: its bytes once that frame has finished, until a
    /// later frame reuses the range. A range of another ring (one this ring replaced when it
    /// grew) is Reused: its bytes went with that ring.
    [[nodiscard]] ReadbackStatus read(const RingRange& range, std::uint64_t frame) const noexcept;

    /// The first failure of `take` since the last call (a refused request or a failed wait),
    /// as an error naming the ring; empty when none.
    [[nodiscard]] std::optional<Error> takeError();

    [[nodiscard]] const StreamRingStats& stats() const noexcept { return stats_; }
    /// Distinct for every ring made in the process (buffer handles may be reused).
    [[nodiscard]] std::uint64_t serial() const noexcept { return serial_; }

private:
    struct FrameEnd {
        std::uint64_t frame = 0;
        std::uint64_t end = 0;  ///< the head when the frame closed
    };
    /// Frees the oldest closed frame's ranges, waiting for it when `wait`; false when there
    /// is none, or it has not finished and `wait` is off.
    bool releaseOldest(bool wait, std::chrono::nanoseconds timeout) noexcept;

    Buffer buffer_;
    std::uint64_t serial_ = 0;
    const TimelineSemaphore* frames_ = nullptr;
    std::uint64_t head_ = 0;        ///< unbounded byte count: next free byte
    std::uint64_t tail_ = 0;        ///< unbounded byte count: oldest byte a frame may still use
    std::vector<FrameEnd> closed_;  ///< circular, sized at creation
    std::size_t closedFirst_ = 0;
    std::size_t closedCount_ = 0;
    StreamRingStats stats_{};
    VkDeviceSize refusedBytes_ = 0;  ///< the first refused request since takeError
    std::optional<Error> waitError_;
    std::string what_;
};

}  // namespace vixen::gpu
