#pragma once

#include <vulkan/vulkan.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/gpu/timeline.hpp"

namespace vixen::gpu {

class Device;

/// One frame's share of the pacer: the slot it runs in, its number, the command buffers
/// reserved for it (reset, ready to record) and the timeline value its submit signals.
struct FrameSlot {
    std::uint32_t index = 0;                          ///< which frame-in-flight slot
    std::uint64_t frame = 0;                          ///< frame number, from 1
    std::span<const VkCommandBuffer> commandBuffers;  ///< primary, this slot's pool
    std::uint64_t signalValue = 0;                    ///< timeline value submit signals (== frame)
};

/// Binary semaphores one submit waits on and signals besides the pacer's timeline: a
/// swapchain image's acquire semaphore (wait) and its render-finished semaphore (signal).
/// Each entry is a complete VkSemaphoreSubmitInfo (sType, semaphore, stageMask; value 0).
struct SubmitSemaphores {
    std::span<const VkSemaphoreSubmitInfo> wait;
    std::span<const VkSemaphoreSubmitInfo> signal;
};

/// Frames in flight paced by one timeline semaphore whose value is the number of the last
/// frame the GPU finished. Frame N runs in slot (N - 1) % framesInFlight; beginFrame waits
/// until frame N - framesInFlight (the slot's previous user) is done, then resets the
/// slot's command pool. Every pool and command buffer is made at creation; beginFrame and
/// submit allocate nothing. Every begun frame must be submitted (an empty `used` span is
/// fine) before the next one begins. Not thread-safe; the queue is the device's queue.
/// The device must outlive the pacer.
class FramePacer {
public:
    static constexpr std::uint32_t kDefaultFramesInFlight = 2;
    /// How many semaphores a submit may signal besides the timeline.
    static constexpr std::size_t kMaxExtraSignals = 4;

    static Result<FramePacer> create(const Device& device,
                                     std::uint32_t framesInFlight = kDefaultFramesInFlight,
                                     std::uint32_t commandBuffersPerFrame = 1);

    FramePacer(FramePacer&& other) noexcept;
    FramePacer& operator=(FramePacer&& other) noexcept;
    FramePacer(const FramePacer&) = delete;
    FramePacer& operator=(const FramePacer&) = delete;
    /// Waits for every submitted frame, then destroys the pools (and their buffers).
    ~FramePacer();

    /// Waits (up to `timeout`) for the GPU to finish the frame that last used the next
    /// slot, resets that slot's pool and opens the frame. A timeout is InvalidState and
    /// opens nothing; beginning while a frame is open is InvalidState.
    [[nodiscard]] Result<FrameSlot> beginFrame(std::chrono::nanoseconds timeout);
    /// Resets the open frame's command pool again, so its command buffers can be recorded
    /// anew (after a recording that failed). Allocates nothing.
    [[nodiscard]] Result<void> restartRecording(const FrameSlot& slot);

    /// One vkQueueSubmit2 of `used` (in order) signalling the timeline with the frame's
    /// value, which closes the frame. `used` must be the slot's own command buffers:
    /// more than were reserved is CapacityExceeded, a foreign one InvalidArgument, a slot
    /// that is not the open frame InvalidState.
    [[nodiscard]] Result<void> submit(FrameSlot& slot, std::span<const VkCommandBuffer> used);
    /// The same submit, also waiting on `semaphores.wait` and signalling `semaphores.signal`
    /// (at most kMaxExtraSignals, else CapacityExceeded and nothing is submitted).
    [[nodiscard]] Result<void> submit(FrameSlot& slot, std::span<const VkCommandBuffer> used,
                                      const SubmitSemaphores& semaphores);

    /// The number of the last frame the GPU finished (the timeline's value).
    [[nodiscard]] Result<std::uint64_t> completedFrame() const;
    /// Blocks until every submitted frame is finished.
    [[nodiscard]] Result<void> waitIdle(
        std::chrono::nanoseconds timeout = std::chrono::nanoseconds::max()) const;

    [[nodiscard]] std::uint32_t framesInFlight() const noexcept { return framesInFlight_; }
    [[nodiscard]] std::uint32_t commandBuffersPerFrame() const noexcept {
        return commandBuffersPerFrame_;
    }
    /// The last frame number submitted (0 before the first submit).
    [[nodiscard]] std::uint64_t submittedFrame() const noexcept { return submitted_; }
    [[nodiscard]] bool frameOpen() const noexcept { return frameOpen_; }
    [[nodiscard]] const TimelineSemaphore& timeline() const noexcept { return timeline_; }

private:
    explicit FramePacer(TimelineSemaphore timeline) noexcept;
    void destroy() noexcept;

    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    TimelineSemaphore timeline_;
    std::uint32_t framesInFlight_ = 0;
    std::uint32_t commandBuffersPerFrame_ = 0;
    std::vector<VkCommandPool> pools_;                    ///< one per slot
    std::vector<VkCommandBuffer> commandBuffers_;         ///< slot-major
    std::vector<VkCommandBufferSubmitInfo> submitInfos_;  ///< scratch for submit
    std::uint64_t submitted_ = 0;
    bool frameOpen_ = false;
};

}  // namespace vixen::gpu
