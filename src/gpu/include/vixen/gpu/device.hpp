#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

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
    /// Where the device has a compute-only queue family (compute, not graphics), also
    /// creates one queue of it, for compute work that overlaps the graphics queue
    /// (GpuRuntime's async compute). Off, or on a device without one, computeQueue() is null.
    bool asyncCompute = true;
};

/// The entry points of VK_KHR_acceleration_structure and VK_KHR_ray_tracing_pipeline, which
/// the loader does not export: loaded from the device when it enables ray tracing, null
/// otherwise.
struct RayTracingFunctions {
    PFN_vkCreateAccelerationStructureKHR createAccelerationStructure = nullptr;
    PFN_vkDestroyAccelerationStructureKHR destroyAccelerationStructure = nullptr;
    PFN_vkGetAccelerationStructureBuildSizesKHR getBuildSizes = nullptr;
    PFN_vkGetAccelerationStructureDeviceAddressKHR getAccelerationStructureAddress = nullptr;
    PFN_vkCmdBuildAccelerationStructuresKHR cmdBuildAccelerationStructures = nullptr;
    PFN_vkCreateRayTracingPipelinesKHR createRayTracingPipelines = nullptr;
    PFN_vkGetRayTracingShaderGroupHandlesKHR getShaderGroupHandles = nullptr;
    PFN_vkCmdTraceRaysKHR cmdTraceRays = nullptr;
};

/// A logical device on one physical device: the required Vulkan 1.3 features on, every
/// optional feature the device has (ray tracing, memory budget, descriptor indexing,
/// buffer device address) on as well, one queue that does graphics and compute (and
/// presents, when DeviceOptions ask for a surface) and, where there is a compute-only family
/// and DeviceOptions::asyncCompute is on, one compute queue beside it. With two queue
/// families, every image and buffer made through gpu/ is shared concurrently by both, so
/// work moves between the queues with semaphores alone (no ownership transfers).
/// `physical` must outlive the device.
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
    static constexpr std::uint32_t kNoQueueFamily = VK_QUEUE_FAMILY_IGNORED;
    /// The queue of the compute-only family: null when there is none (lavapipe, a device
    /// whose families all do graphics) or DeviceOptions::asyncCompute was off.
    [[nodiscard]] VkQueue computeQueue() const noexcept { return computeQueue_; }
    /// computeQueue()'s family, kNoQueueFamily without one.
    [[nodiscard]] std::uint32_t computeQueueFamily() const noexcept { return computeQueueFamily_; }
    /// The families the device has queues of: queueFamily(), then computeQueueFamily() when
    /// there is one. Images and buffers are created concurrent over them when there are two.
    [[nodiscard]] std::span<const std::uint32_t> queueFamilies() const noexcept {
        return std::span<const std::uint32_t>(queueFamilies_.data(), queueFamilyCount_);
    }
    [[nodiscard]] const PhysicalDeviceInfo& physical() const noexcept { return *physical_; }
    /// The features actually turned on (required ones, plus the optional ones present;
    /// `swapchain` only when DeviceOptions asked for it).
    [[nodiscard]] const DeviceFeatures& enabled() const noexcept { return enabled_; }
    /// Ray-tracing entry points; all null unless enabled().rayTracingPipeline.
    [[nodiscard]] const RayTracingFunctions& rayTracing() const noexcept { return rayTracing_; }

    /// The device's pipeline cache, which every pipeline VIXEN creates goes through.
    [[nodiscard]] VkPipelineCache pipelineCache() const noexcept { return pipelineCache_; }
    /// Merges pipeline cache data saved earlier (pipelineCacheData) into the device's: false,
    /// changing nothing, when the data's header is not this device's and driver's.
    [[nodiscard]] Result<bool> mergePipelineCacheData(std::span<const std::byte> data) const;
    /// What the device's pipeline cache holds now, to be saved.
    [[nodiscard]] Result<std::vector<std::byte>> pipelineCacheData() const;
    /// Wall time spent in vkCreate*Pipelines on this device so far (all threads).
    [[nodiscard]] std::uint64_t pipelineCreateNanoseconds() const noexcept {
        return pipelineCreateNs_->load(std::memory_order_relaxed);
    }
    void addPipelineCreateNanoseconds(std::uint64_t nanoseconds) const noexcept {
        pipelineCreateNs_->fetch_add(nanoseconds, std::memory_order_relaxed);
    }

private:
    Device() = default;
    void destroy() noexcept;

    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    VkQueue computeQueue_ = VK_NULL_HANDLE;
    VkPipelineCache pipelineCache_ = VK_NULL_HANDLE;
    std::unique_ptr<std::atomic<std::uint64_t>> pipelineCreateNs_ =
        std::make_unique<std::atomic<std::uint64_t>>(0);
    std::uint32_t queueFamily_ = 0;
    std::uint32_t computeQueueFamily_ = kNoQueueFamily;
    std::array<std::uint32_t, 2> queueFamilies_{};
    std::uint32_t queueFamilyCount_ = 1;
    const PhysicalDeviceInfo* physical_ = nullptr;
    DeviceFeatures enabled_{};
    RayTracingFunctions rayTracing_{};
};

}  // namespace vixen::gpu
