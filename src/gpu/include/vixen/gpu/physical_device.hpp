#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"

namespace vixen::gpu {

class Instance;

/// What a device can do, probed once; the engine falls back where a feature is missing.
struct DeviceFeatures {
    // Required: Vulkan 1.3 core features the engine is built on.
    bool vulkan13 = false;
    bool synchronization2 = false;
    bool timelineSemaphore = false;
    bool maintenance4 = false;
    bool dynamicRendering = false;  ///< graphics pipelines render without render passes
    // Optional.
    bool rayTracingPipeline = false;
    bool accelerationStructure = false;
    bool bufferDeviceAddress = false;
    bool memoryBudget = false;
    bool descriptorIndexing = false;
    bool samplerAnisotropy = false;
    bool timestamps = false;  ///< timestampComputeAndGraphics
    bool swapchain = false;   ///< VK_KHR_swapchain, for presenting to a window
    float timestampPeriodNs = 0.0F;

    /// The required features this device lacks, comma-separated; empty when suitable.
    [[nodiscard]] std::string missingRequired() const;
};

/// What ray-tracing pipelines and acceleration structures are laid out by (zero without
/// rayTracingPipeline).
struct RayTracingProperties {
    std::uint32_t shaderGroupHandleSize = 0;
    std::uint32_t shaderGroupHandleAlignment = 0;
    std::uint32_t shaderGroupBaseAlignment = 0;
    std::uint32_t maxShaderGroupStride = 0;
    std::uint32_t maxRayRecursionDepth = 0;
    std::uint32_t minScratchOffsetAlignment = 0;
    std::uint64_t maxPrimitiveCount = 0;
};

struct QueueFamily {
    std::uint32_t index = 0;
    std::uint32_t queueCount = 0;
    VkQueueFlags flags = 0;
    std::uint32_t timestampValidBits = 0;
};

struct MemoryHeap {
    VkDeviceSize size = 0;
    bool deviceLocal = false;
    VkDeviceSize budget = 0;  ///< from VK_EXT_memory_budget; 0 when the device lacks it
    VkDeviceSize usage = 0;
};

struct PhysicalDeviceInfo {
    std::uint32_t index = 0;
    VkPhysicalDevice handle = VK_NULL_HANDLE;
    std::string name;
    VkPhysicalDeviceType type = VK_PHYSICAL_DEVICE_TYPE_OTHER;
    std::uint32_t apiVersion = 0;
    std::string driver;
    DeviceFeatures features;
    std::vector<QueueFamily> queueFamilies;
    std::vector<MemoryHeap> heaps;
    VkPhysicalDeviceMemoryProperties memory{};
    VkPhysicalDeviceLimits limits{};
    RayTracingProperties rayTracing;
    /// What pipeline cache data is tied to (VkPipelineCacheHeaderVersionOne).
    std::uint32_t vendorId = 0;
    std::uint32_t deviceId = 0;
    std::uint32_t driverVersion = 0;
    std::array<std::uint8_t, VK_UUID_SIZE> pipelineCacheUuid{};
};

[[nodiscard]] std::string_view toString(VkPhysicalDeviceType type) noexcept;

/// Every device the loader reports, with features, queues and heaps probed.
[[nodiscard]] Result<std::vector<PhysicalDeviceInfo>> enumeratePhysicalDevices(
    const Instance& instance);

/// Reads the heaps' current budget and usage again (zero without VK_EXT_memory_budget).
void refreshMemoryBudget(PhysicalDeviceInfo& device);

/// Which device to use: `requested` (a `--device N` option) wins, then the VIXEN_DEVICE
/// value `environment`, else the best suitable device: discrete first (most device-local
/// memory), then integrated, virtual, CPU (lavapipe). An explicit choice that does not exist
/// or lacks required features is an error naming what is missing.
[[nodiscard]] Result<std::uint32_t> chooseDevice(std::span<const PhysicalDeviceInfo> devices,
                                                 std::optional<std::uint32_t> requested,
                                                 std::optional<std::string_view> environment);

/// chooseDevice with the process's VIXEN_DEVICE as `environment`.
[[nodiscard]] Result<std::uint32_t> chooseDevice(std::span<const PhysicalDeviceInfo> devices,
                                                 std::optional<std::uint32_t> requested);

/// The VIXEN_DEVICE variable, when set.
[[nodiscard]] std::optional<std::string_view> deviceFromEnvironment() noexcept;

}  // namespace vixen::gpu
