#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/gpu/physical_device.hpp"

namespace vixen::gpu {

class Device;

/// Whether a queue family can write timestamps, and how to read them.
struct TimestampSupport {
    bool supported = false;
    std::uint32_t validBits = 0;  ///< of the queue family; 0 = no timestamps
    double periodNs = 0.0;        ///< nanoseconds per tick (VkPhysicalDeviceLimits)
    /// Why timestamps are off ("" when supported), for a log line or `vixen info`.
    std::string_view reason;
};

/// What `device`'s queue family `queueFamily` offers. A family is supported when it has
/// timestampValidBits > 0 and the device a positive timestampPeriod; the spec ties
/// timestamp support to the family's valid bits (timestampComputeAndGraphics only promises
/// it for every graphics and compute family).
[[nodiscard]] TimestampSupport timestampSupport(const PhysicalDeviceInfo& device,
                                                std::uint32_t queueFamily) noexcept;

/// The GPU time of one scope in one frame, in nanoseconds on the GPU's clock (not the
/// CPU's: shift it, e.g. by anchoring the frame's first scope at the CPU submit time).
struct ScopeTiming {
    std::uint64_t beginNs = 0;
    std::uint64_t endNs = 0;  ///< beginNs + durationNs, so never before beginNs
    /// End minus begin, modulo the valid bits (a counter that wrapped still gives the span).
    std::uint64_t durationNs = 0;
    /// Both timestamps were written in the frame and have landed. A scope the frame did not
    /// record (a culled node), or one read before the frame finished, is invalid.
    bool valid = false;
};

enum class TimestampStatus : std::uint8_t {
    Ready,        ///< `scopes` holds the frame's timings
    Unsupported,  ///< the pool is disabled (see TimestampPool::support()); `scopes` is empty
};

/// One frame's timings, as TimestampPool::read returns them.
struct TimestampReadout {
    TimestampStatus status = TimestampStatus::Unsupported;
    /// Scope i's timing at index i, up to the highest scope the frame began; valid until
    /// the next read().
    std::span<const ScopeTiming> scopes;
};

/// GPU timestamps per scope (graph node) per frame in flight: one VkQueryPool of
/// framesInFlight * maxScopes * 2 timestamp queries, created up front. Slot s (the
/// FramePacer's FrameSlot::index) owns queries [s * maxScopes * 2, (s + 1) * maxScopes * 2);
/// scope i of a slot uses its queries 2i (begin) and 2i + 1 (end).
///
/// Per frame, with the pacer:
///   auto slot = pacer.beginFrame(timeout);      // the slot's previous frame is done now
///   auto last = pool.read(slot->index);         // ... so its timings can be read
///   pool.beginFrame(cmd, slot->index);          // resets the slot's queries (outside a
///   pool.begin(cmd, node); ...; pool.end(cmd, node);   // render pass), then scopes
/// Nothing in beginFrame, begin, end or read allocates. On a device whose queue cannot
/// write timestamps the pool is created disabled: every call checks its arguments as usual
/// and then does nothing, and read() reports TimestampStatus::Unsupported.
/// begin and end may run on several threads at once for distinct scopes (each thread its
/// own command buffer); everything else on one thread. The device must outlive the pool.
class TimestampPool {
public:
    /// InvalidArgument for zero frames or scopes or a query count past 2^32; the Vulkan
    /// error of vkCreateQueryPool (nothing is left behind).
    static Result<TimestampPool> create(const Device& device, std::uint32_t framesInFlight,
                                        std::uint32_t maxScopes);

    TimestampPool(TimestampPool&& other) noexcept;
    TimestampPool& operator=(TimestampPool&& other) noexcept;
    TimestampPool(const TimestampPool&) = delete;
    TimestampPool& operator=(const TimestampPool&) = delete;
    /// Destroys the query pool; the caller makes sure the GPU is done with it.
    ~TimestampPool();

    /// Records the reset of `slot`'s queries into `cmd` and forgets the slot's previous
    /// scopes. Must come before the frame's first begin(), outside a render pass.
    /// InvalidArgument for a slot out of range.
    [[nodiscard]] Result<void> beginFrame(VkCommandBuffer cmd, std::uint32_t slot);

    /// Writes scope `scope`'s begin timestamp, once all earlier commands reached `stage`
    /// (by default: finished). Errors, with nothing recorded: CapacityExceeded for a scope
    /// at or past maxScopes; InvalidState before beginFrame or for a scope already begun
    /// in this frame.
    [[nodiscard]] Result<void> begin(
        VkCommandBuffer cmd, std::uint32_t scope,
        VkPipelineStageFlags2 stage = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT);
    /// Writes scope `scope`'s end timestamp. CapacityExceeded as for begin; InvalidState
    /// for a scope not begun (or already ended) in this frame.
    [[nodiscard]] Result<void> end(
        VkCommandBuffer cmd, std::uint32_t scope,
        VkPipelineStageFlags2 stage = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT);

    /// The timings of the frame last recorded in `slot`. Call it once that frame is known
    /// to be finished (the pacer's beginFrame returned the slot again, or its timeline
    /// reached the frame) and before beginFrame records the slot's next frame; queries
    /// that have not landed come back invalid, never as a wait. InvalidArgument for a slot
    /// out of range; a Vulkan error (device lost) from vkGetQueryPoolResults.
    [[nodiscard]] Result<TimestampReadout> read(std::uint32_t slot);

    [[nodiscard]] bool enabled() const noexcept { return pool_ != VK_NULL_HANDLE; }
    [[nodiscard]] const TimestampSupport& support() const noexcept { return support_; }
    [[nodiscard]] std::uint32_t framesInFlight() const noexcept { return framesInFlight_; }
    [[nodiscard]] std::uint32_t maxScopes() const noexcept { return maxScopes_; }
    [[nodiscard]] VkQueryPool handle() const noexcept { return pool_; }

private:
    /// Where a scope of the slot being recorded stands.
    enum class ScopeState : std::uint8_t { Unused, Begun, Ended };

    TimestampPool() = default;
    void destroy() noexcept;
    [[nodiscard]] Result<void> checkScope(std::uint32_t scope, std::string_view call) const;
    [[nodiscard]] std::uint32_t firstQuery(std::uint32_t slot) const noexcept {
        return slot * maxScopes_ * 2;
    }

    VkDevice device_ = VK_NULL_HANDLE;
    VkQueryPool pool_ = VK_NULL_HANDLE;
    TimestampSupport support_{};
    std::uint64_t mask_ = 0;  ///< the valid bits of a timestamp
    std::uint32_t framesInFlight_ = 0;
    std::uint32_t maxScopes_ = 0;
    std::uint32_t recordingSlot_ = 0;
    bool recording_ = false;          ///< beginFrame was called; begin and end go to recordingSlot_
    std::vector<ScopeState> states_;  ///< per slot and scope, slot-major
    std::vector<std::uint32_t> scopesUsed_;  ///< per slot: highest begun scope + 1
    std::vector<std::uint64_t> raw_;         ///< read scratch: value, availability per query
    std::vector<ScopeTiming> timings_;       ///< read result, maxScopes entries
};

}  // namespace vixen::gpu
