#include "vixen/gpu/device.hpp"

#include <array>
#include <cstring>
#include <utility>
#include <vector>

#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {

namespace {

/// Whether queue family `family` of `physical` can present to `surface` (always true
/// without a surface).
Result<bool> canPresent(const PhysicalDeviceInfo& physical, std::uint32_t family,
                        VkSurfaceKHR surface) {
    if (surface == VK_NULL_HANDLE) {
        return true;
    }
    VkBool32 supported = VK_FALSE;
    VIXEN_TRY_VK(vkGetPhysicalDeviceSurfaceSupportKHR(physical.handle, family, surface, &supported),
                 "asking whether a queue family can present to the window's surface");
    return supported == VK_TRUE;
}

template <class Function>
void load(VkDevice device, const char* name, Function& function) noexcept {
    function = reinterpret_cast<Function>(vkGetDeviceProcAddr(device, name));
}

/// The first queue family that does compute but not graphics (a dedicated compute engine),
/// null when every compute family also does graphics.
const QueueFamily* computeOnlyFamily(const PhysicalDeviceInfo& physical) noexcept {
    for (const QueueFamily& candidate : physical.queueFamilies) {
        if ((candidate.flags & VK_QUEUE_COMPUTE_BIT) != 0 &&
            (candidate.flags & VK_QUEUE_GRAPHICS_BIT) == 0 && candidate.queueCount > 0) {
            return &candidate;
        }
    }
    return nullptr;
}

RayTracingFunctions loadRayTracing(VkDevice device) noexcept {
    RayTracingFunctions f;
    load(device, "vkCreateAccelerationStructureKHR", f.createAccelerationStructure);
    load(device, "vkDestroyAccelerationStructureKHR", f.destroyAccelerationStructure);
    load(device, "vkGetAccelerationStructureBuildSizesKHR", f.getBuildSizes);
    load(device, "vkGetAccelerationStructureDeviceAddressKHR", f.getAccelerationStructureAddress);
    load(device, "vkCmdBuildAccelerationStructuresKHR", f.cmdBuildAccelerationStructures);
    load(device, "vkCreateRayTracingPipelinesKHR", f.createRayTracingPipelines);
    load(device, "vkGetRayTracingShaderGroupHandlesKHR", f.getShaderGroupHandles);
    load(device, "vkCmdTraceRaysKHR", f.cmdTraceRays);
    return f;
}

}  // namespace

Result<Device> Device::create(const PhysicalDeviceInfo& physical, const DeviceOptions& options) {
    if (const std::string missing = physical.features.missingRequired(); !missing.empty()) {
        return fail(ErrorCode::NotFound, "device {} ({}) lacks {}", physical.index, physical.name,
                    missing);
    }
    const bool swapchain = options.swapchain || options.presentSurface != VK_NULL_HANDLE;
    if (swapchain && !physical.features.swapchain) {
        return fail(ErrorCode::NotFound,
                    "device {} ({}) lacks {}, so it cannot present to a window; choose another "
                    "device with --device or VIXEN_DEVICE",
                    physical.index, physical.name, VK_KHR_SWAPCHAIN_EXTENSION_NAME);
    }
    const VkQueueFlags wanted = VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT;
    const QueueFamily* family = nullptr;
    bool graphicsAndCompute = false;
    for (const QueueFamily& candidate : physical.queueFamilies) {
        if ((candidate.flags & wanted) != wanted) {
            continue;
        }
        graphicsAndCompute = true;
        auto presents = canPresent(physical, candidate.index, options.presentSurface);
        if (!presents) {
            return std::unexpected(std::move(presents.error()));
        }
        if (*presents) {
            family = &candidate;
            break;
        }
    }
    if (family == nullptr && graphicsAndCompute) {
        return fail(ErrorCode::NotFound,
                    "device {} ({}) has no queue family that does graphics and compute and can "
                    "present to the window's surface; choose another device with --device or "
                    "VIXEN_DEVICE",
                    physical.index, physical.name);
    }
    if (family == nullptr) {
        return fail(ErrorCode::NotFound,
                    "device {} ({}) has no queue family for graphics and "
                    "compute",
                    physical.index, physical.name);
    }

    const DeviceFeatures& has = physical.features;
    Device result;
    result.physical_ = &physical;
    result.queueFamily_ = family->index;
    result.enabled_ = has;  // every probed feature is turned on below when present
    result.enabled_.swapchain = swapchain;

    std::vector<const char*> extensions;
    if (swapchain) {
        extensions.push_back(VK_KHR_SWAPCHAIN_EXTENSION_NAME);
    }
    if (has.memoryBudget) {
        extensions.push_back(VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
    }
    const bool rayTracing =
        has.rayTracingPipeline && has.accelerationStructure && has.bufferDeviceAddress;
    result.enabled_.rayTracingPipeline = rayTracing;
    result.enabled_.accelerationStructure = rayTracing;
    if (rayTracing) {
        extensions.push_back(VK_KHR_RAY_TRACING_PIPELINE_EXTENSION_NAME);
        extensions.push_back(VK_KHR_ACCELERATION_STRUCTURE_EXTENSION_NAME);
        extensions.push_back(VK_KHR_DEFERRED_HOST_OPERATIONS_EXTENSION_NAME);
    }

    VkPhysicalDeviceRayTracingPipelineFeaturesKHR rayTracingFeatures{};
    rayTracingFeatures.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_RAY_TRACING_PIPELINE_FEATURES_KHR;
    rayTracingFeatures.rayTracingPipeline = VK_TRUE;
    VkPhysicalDeviceAccelerationStructureFeaturesKHR accelerationFeatures{};
    accelerationFeatures.sType =
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ACCELERATION_STRUCTURE_FEATURES_KHR;
    accelerationFeatures.accelerationStructure = VK_TRUE;
    accelerationFeatures.pNext = &rayTracingFeatures;

    VkPhysicalDeviceVulkan13Features v13{};
    v13.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES;
    v13.synchronization2 = VK_TRUE;
    v13.maintenance4 = VK_TRUE;  // SPIR-V 1.6 (--target-env vulkan1.3) needs it
    v13.dynamicRendering = VK_TRUE;
    v13.pNext = rayTracing ? &accelerationFeatures : nullptr;
    VkPhysicalDeviceVulkan12Features v12{};
    v12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
    v12.timelineSemaphore = VK_TRUE;
    v12.bufferDeviceAddress = has.bufferDeviceAddress ? VK_TRUE : VK_FALSE;
    v12.descriptorIndexing = has.descriptorIndexing ? VK_TRUE : VK_FALSE;
    v12.runtimeDescriptorArray = has.descriptorIndexing ? VK_TRUE : VK_FALSE;
    v12.descriptorBindingPartiallyBound = has.descriptorIndexing ? VK_TRUE : VK_FALSE;
    v12.pNext = &v13;
    VkPhysicalDeviceFeatures2 features{};
    features.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
    features.pNext = &v12;
    features.features.samplerAnisotropy = has.samplerAnisotropy ? VK_TRUE : VK_FALSE;

    const float priority = 1.0F;
    std::array<VkDeviceQueueCreateInfo, 2> queueInfos{};
    std::uint32_t queueInfoCount = 0;
    const auto addQueue = [&](std::uint32_t familyIndex) {
        VkDeviceQueueCreateInfo& queueInfo = queueInfos[queueInfoCount++];
        queueInfo.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
        queueInfo.queueFamilyIndex = familyIndex;
        queueInfo.queueCount = 1;
        queueInfo.pQueuePriorities = &priority;
    };
    addQueue(family->index);
    result.queueFamilies_[0] = family->index;
    if (const QueueFamily* compute = computeOnlyFamily(physical);
        compute != nullptr && options.asyncCompute) {
        addQueue(compute->index);
        result.computeQueueFamily_ = compute->index;
        result.queueFamilies_[1] = compute->index;
        result.queueFamilyCount_ = 2;
    }

    VkDeviceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    info.pNext = &features;
    info.queueCreateInfoCount = queueInfoCount;
    info.pQueueCreateInfos = queueInfos.data();
    info.enabledExtensionCount = static_cast<std::uint32_t>(extensions.size());
    info.ppEnabledExtensionNames = extensions.data();
    VIXEN_TRY_VK_CREATE(vkCreateDevice(physical.handle, &info, nullptr, &result.device_),
                        "creating the logical device");
    vkGetDeviceQueue(result.device_, family->index, 0, &result.queue_);
    if (result.computeQueueFamily_ != kNoQueueFamily) {
        vkGetDeviceQueue(result.device_, result.computeQueueFamily_, 0, &result.computeQueue_);
    }
    if (rayTracing) {
        result.rayTracing_ = loadRayTracing(result.device_);
    }
    VkPipelineCacheCreateInfo cacheInfo{};
    cacheInfo.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO;
    VIXEN_TRY_VK_CREATE(
        vkCreatePipelineCache(result.device_, &cacheInfo, nullptr, &result.pipelineCache_),
        "creating the device's pipeline cache");
    return result;
}

Result<bool> Device::mergePipelineCacheData(std::span<const std::byte> data) const {
    // VkPipelineCacheHeaderVersionOne: this device's and driver's data only.
    VkPipelineCacheHeaderVersionOne header{};
    if (data.size() < sizeof header) {
        return false;
    }
    std::memcpy(&header, data.data(), sizeof header);
    if (header.headerSize < sizeof header || header.headerSize > data.size() ||
        header.headerVersion != VK_PIPELINE_CACHE_HEADER_VERSION_ONE ||
        header.vendorID != physical_->vendorId || header.deviceID != physical_->deviceId ||
        std::memcmp(header.pipelineCacheUUID, physical_->pipelineCacheUuid.data(), VK_UUID_SIZE) !=
            0) {
        return false;
    }
    VkPipelineCacheCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO;
    info.initialDataSize = data.size();
    info.pInitialData = data.data();
    VkPipelineCache loaded = VK_NULL_HANDLE;
    VIXEN_TRY_VK_CREATE(vkCreatePipelineCache(device_, &info, nullptr, &loaded),
                        "creating a pipeline cache from saved data");
    const VkResult merged = vkMergePipelineCaches(device_, pipelineCache_, 1, &loaded);
    vkDestroyPipelineCache(device_, loaded, nullptr);
    if (merged != VK_SUCCESS) {
        return std::unexpected(
            vulkanError(merged, "vkMergePipelineCaches", "merging saved pipeline cache data"));
    }
    return true;
}

Result<std::vector<std::byte>> Device::pipelineCacheData() const {
    std::size_t size = 0;
    VIXEN_TRY_VK(vkGetPipelineCacheData(device_, pipelineCache_, &size, nullptr),
                 "sizing the pipeline cache's data");
    std::vector<std::byte> data(size);
    VIXEN_TRY_VK(vkGetPipelineCacheData(device_, pipelineCache_, &size, data.data()),
                 "reading the pipeline cache's data");
    data.resize(size);
    return data;
}

Device::Device(Device&& other) noexcept
    : device_(std::exchange(other.device_, VK_NULL_HANDLE)),
      queue_(std::exchange(other.queue_, VK_NULL_HANDLE)),
      computeQueue_(std::exchange(other.computeQueue_, VK_NULL_HANDLE)),
      pipelineCache_(std::exchange(other.pipelineCache_, VK_NULL_HANDLE)),
      pipelineCreateNs_(std::move(other.pipelineCreateNs_)),
      queueFamily_(other.queueFamily_),
      computeQueueFamily_(other.computeQueueFamily_),
      queueFamilies_(other.queueFamilies_),
      queueFamilyCount_(other.queueFamilyCount_),
      physical_(other.physical_),
      enabled_(other.enabled_),
      rayTracing_(other.rayTracing_) {}

Device& Device::operator=(Device&& other) noexcept {
    if (this != &other) {
        destroy();
        device_ = std::exchange(other.device_, VK_NULL_HANDLE);
        queue_ = std::exchange(other.queue_, VK_NULL_HANDLE);
        computeQueue_ = std::exchange(other.computeQueue_, VK_NULL_HANDLE);
        pipelineCache_ = std::exchange(other.pipelineCache_, VK_NULL_HANDLE);
        pipelineCreateNs_ = std::move(other.pipelineCreateNs_);
        queueFamily_ = other.queueFamily_;
        computeQueueFamily_ = other.computeQueueFamily_;
        queueFamilies_ = other.queueFamilies_;
        queueFamilyCount_ = other.queueFamilyCount_;
        physical_ = other.physical_;
        enabled_ = other.enabled_;
        rayTracing_ = other.rayTracing_;
    }
    return *this;
}

Device::~Device() {
    destroy();
}

void Device::destroy() noexcept {
    if (device_ != VK_NULL_HANDLE) {
        vkDestroyPipelineCache(device_, pipelineCache_, nullptr);
        vkDestroyDevice(device_, nullptr);
    }
    device_ = VK_NULL_HANDLE;
    pipelineCache_ = VK_NULL_HANDLE;
}

}  // namespace vixen::gpu
