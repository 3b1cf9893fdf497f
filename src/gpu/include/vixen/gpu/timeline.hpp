#pragma once

#include <vulkan/vulkan.h>

#include <chrono>
#include <cstdint>

#include "vixen/core/error.hpp"

namespace vixen::gpu {

class Device;

/// A Vulkan 1.3 timeline semaphore, owned: a 64-bit counter the GPU (or the host) raises
/// and anyone can wait on. The device must outlive it.
class TimelineSemaphore {
public:
    static Result<TimelineSemaphore> create(const Device& device, std::uint64_t initialValue = 0);

    TimelineSemaphore(TimelineSemaphore&& other) noexcept;
    TimelineSemaphore& operator=(TimelineSemaphore&& other) noexcept;
    TimelineSemaphore(const TimelineSemaphore&) = delete;
    TimelineSemaphore& operator=(const TimelineSemaphore&) = delete;
    ~TimelineSemaphore();

    [[nodiscard]] VkSemaphore handle() const noexcept { return semaphore_; }

    /// The counter now (vkGetSemaphoreCounterValue).
    [[nodiscard]] Result<std::uint64_t> currentValue() const;

    /// Blocks until the counter reaches `value` or `timeout` passes. A timeout is an
    /// InvalidState error naming the value waited for and the value reached; device loss
    /// is ErrorCode::DeviceLost.
    [[nodiscard]] Result<void> wait(std::uint64_t value, std::chrono::nanoseconds timeout) const;

    /// Raises the counter to `value` from the host (vkSignalSemaphore). `value` must be
    /// greater than the current value: otherwise InvalidArgument, and nothing is signalled.
    [[nodiscard]] Result<void> signalFromHost(std::uint64_t value);

private:
    TimelineSemaphore() = default;

    VkDevice device_ = VK_NULL_HANDLE;
    VkSemaphore semaphore_ = VK_NULL_HANDLE;
};

}  // namespace vixen::gpu
