#pragma once

// The Vulkan device the GPU benchmarks share: made on first use (no validation layer, which
// allocates on every submit; VIXEN_DEVICE, else the best device), destroyed at exit.

#include <optional>
#include <string>
#include <vector>

#include "vixen/gpu/budget_manager.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/instance.hpp"
#include "vixen/gpu/memory_allocator.hpp"
#include "vixen/gpu/physical_device.hpp"

namespace vixen::bench {

class GpuContext {
public:
    GpuContext();
    GpuContext(const GpuContext&) = delete;
    GpuContext& operator=(const GpuContext&) = delete;
    ~GpuContext();

    /// Null with the reason in `error()` when no device could be made.
    [[nodiscard]] const gpu::Device* device() const { return device_ ? &*device_ : nullptr; }
    [[nodiscard]] gpu::DeviceMemoryAllocator& allocator() { return *allocator_; }
    [[nodiscard]] const std::string& error() const { return error_; }

private:
    std::optional<gpu::Instance> instance_;
    std::vector<gpu::PhysicalDeviceInfo> devices_;
    std::optional<gpu::Device> device_;
    std::optional<gpu::BudgetManager> budget_;
    std::optional<gpu::DeviceMemoryAllocator> allocator_;
    std::string error_;
};

/// The shared context, made on first use.
GpuContext& context();

}  // namespace vixen::bench
