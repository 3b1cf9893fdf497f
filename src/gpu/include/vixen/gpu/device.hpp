#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>

#include "vixen/core/error.hpp"
#include "vixen/gpu/physical_device.hpp"

namespace vixen::gpu {

/// What a device is created for beyond compute and offscreen rendering.
struct DeviceOptions {
    /// Enables VK_KHR_swapchain; a device without it is a NotFound error naming the device.
    bool swapchain = false;
    /// When set, the device's queue must also be able to present to this surface (a
    /// Window's), and VK_KHR_swapchain is enabled as if `swapchain` were set. A device with
    /// no such queue family is a NotFound error naming the device.
    VkSurfaceKHR presentSurface = VK_NULL_HANDLE;
};

/// A logical device on one physical device: the required Vulkan 1.3 features on, every
/// optional feature the device has (ray tracing, memory budget, descriptor indexing,
/// buffer device address) on as well, and one queue that does graphics and compute (and
/// presents, when DeviceOptions ask for a surface). `physical` must outlive the device.
class Device {
public:
    static Result<Device> create(const PhysicalDeviceInfo& physical,
                                 const DeviceOptions& options = {});

    Device(Device&& other) noexcept;
    Device& operator=(Device&& other) noexcept;
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;
    ~Device();

    [[nodiscard]] VkDevice handle() const noexcept { return device_; }
    [[nodiscard]] VkQueue queue() const noexcept { return queue_; }
    [[nodiscard]] std::uint32_t queueFamily() const noexcept { return queueFamily_; }
    [[nodiscard]] const PhysicalDeviceInfo& physical() const noexcept { return *physical_; }
    /// The features actually turned on (required ones, plus the optional ones present;
    /// `swapchain` only when DeviceOptions asked for it).
    [[nodiscard]] const DeviceFeatures& enabled() const noexcept { return enabled_; }

private:
    Device() = default;

    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    std::uint32_t queueFamily_ = 0;
    const PhysicalDeviceInfo* physical_ = nullptr;
    DeviceFeatures enabled_{};
};

}  // namespace vixen::gpu
