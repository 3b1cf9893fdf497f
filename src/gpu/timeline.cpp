#include "vixen/gpu/timeline.hpp"

#include <algorithm>
#include <utility>

#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {

Result<TimelineSemaphore> TimelineSemaphore::create(const Device& device,
                                                    std::uint64_t initialValue) {
    VkSemaphoreTypeCreateInfo typeInfo{};
    typeInfo.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO;
    typeInfo.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
    typeInfo.initialValue = initialValue;
    VkSemaphoreCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO;
    info.pNext = &typeInfo;

    TimelineSemaphore semaphore;
    semaphore.device_ = device.handle();
    VIXEN_TRY_VK_CREATE(vkCreateSemaphore(device.handle(), &info, nullptr, &semaphore.semaphore_),
                        "creating a timeline semaphore");
    return semaphore;
}

TimelineSemaphore::TimelineSemaphore(TimelineSemaphore&& other) noexcept
    : device_(std::exchange(other.device_, VK_NULL_HANDLE)),
      semaphore_(std::exchange(other.semaphore_, VK_NULL_HANDLE)) {}

TimelineSemaphore& TimelineSemaphore::operator=(TimelineSemaphore&& other) noexcept {
    if (this != &other) {
        if (semaphore_ != VK_NULL_HANDLE) {
            vkDestroySemaphore(device_, semaphore_, nullptr);
        }
        device_ = std::exchange(other.device_, VK_NULL_HANDLE);
        semaphore_ = std::exchange(other.semaphore_, VK_NULL_HANDLE);
    }
    return *this;
}

TimelineSemaphore::~TimelineSemaphore() {
    if (semaphore_ != VK_NULL_HANDLE) {
        vkDestroySemaphore(device_, semaphore_, nullptr);
    }
}

Result<std::uint64_t> TimelineSemaphore::currentValue() const {
    std::uint64_t value = 0;
    VIXEN_TRY_VK(vkGetSemaphoreCounterValue(device_, semaphore_, &value),
                 "reading a timeline semaphore's value");
    return value;
}

Result<void> TimelineSemaphore::wait(std::uint64_t value, std::chrono::nanoseconds timeout) const {
    const auto timeoutNs = static_cast<std::uint64_t>(std::max<std::int64_t>(timeout.count(), 0));
    VkSemaphoreWaitInfo info{};
    info.sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO;
    info.semaphoreCount = 1;
    info.pSemaphores = &semaphore_;
    info.pValues = &value;
    const VkResult result = vkWaitSemaphores(device_, &info, timeoutNs);
    if (result == VK_SUCCESS) {
        return {};
    }
    if (result == VK_TIMEOUT) {
        std::uint64_t reached = 0;
        const bool known = vkGetSemaphoreCounterValue(device_, semaphore_, &reached) == VK_SUCCESS;
        return fail(ErrorCode::InvalidState,
                    "timed out after {} ns waiting for timeline semaphore value {} (it is at {})",
                    timeoutNs, value, known ? std::to_string(reached) : std::string{"unknown"});
    }
    return std::unexpected(vulkanError(
        result, "vkWaitSemaphores", fmt::format("waiting for timeline semaphore value {}", value)));
}

Result<void> TimelineSemaphore::signalFromHost(std::uint64_t value) {
    auto current = currentValue();
    if (!current) {
        return std::unexpected(std::move(current.error()));
    }
    if (value <= *current) {
        return fail(ErrorCode::InvalidArgument,
                    "cannot signal timeline semaphore to {}: it is already at {} and a timeline "
                    "only moves forward",
                    value, *current);
    }
    VkSemaphoreSignalInfo info{};
    info.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO;
    info.semaphore = semaphore_;
    info.value = value;
    VIXEN_TRY_VK(vkSignalSemaphore(device_, &info),
                 "signalling a timeline semaphore from the host");
    return {};
}

}  // namespace vixen::gpu
