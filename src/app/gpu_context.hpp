#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/gpu/budget_manager.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/instance.hpp"
#include "vixen/gpu/memory_allocator.hpp"
#include "vixen/gpu/physical_device.hpp"
#include "vixen/gpu/window.hpp"

namespace vixen::app {

/// The Vulkan device a command works on: the instance (with the validation layer when
/// asked), the chosen device (`device`, else VIXEN_DEVICE, else the best), its budget and
/// its memory allocator; for a `window`, also the window's surface, which the device's
/// queue can present to. The window must outlive the context.
class GpuContext {
public:
    static Result<std::unique_ptr<GpuContext>> open(bool validation,
                                                    std::optional<std::uint32_t> device,
                                                    const gpu::Window* window = nullptr);

    [[nodiscard]] gpu::Instance& instance() noexcept { return instance_; }
    [[nodiscard]] const gpu::PhysicalDeviceInfo& physical() const noexcept {
        return devices_[chosen_];
    }
    [[nodiscard]] const gpu::Device& device() const noexcept { return *device_; }
    [[nodiscard]] gpu::BudgetManager& budget() noexcept { return *budget_; }
    [[nodiscard]] gpu::DeviceMemoryAllocator& allocator() noexcept { return *allocator_; }
    /// The window's surface (null without a window).
    [[nodiscard]] VkSurfaceKHR surface() const noexcept {
        return surface_ ? surface_->handle() : VK_NULL_HANDLE;
    }
    /// Prints which device a command runs on: "device: NAME (TYPE), validation on|off".
    void printDevice() const;
    /// `exitCode`, or 1 after printing (as `command`) how many validation errors the run
    /// caused and the last one.
    [[nodiscard]] int exitCodeAfterValidation(std::string_view command, int exitCode);

private:
    explicit GpuContext(gpu::Instance instance) : instance_(std::move(instance)) {}

    gpu::Instance instance_;
    std::vector<gpu::PhysicalDeviceInfo> devices_;
    std::optional<gpu::Surface> surface_;
    std::size_t chosen_ = 0;
    std::optional<gpu::Device> device_;
    std::optional<gpu::BudgetManager> budget_;
    std::optional<gpu::DeviceMemoryAllocator> allocator_;
};

}  // namespace vixen::app
