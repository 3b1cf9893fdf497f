#include "vixen/gpu/physical_device.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include "vixen/gpu/instance.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {
namespace {

bool hasExtension(const std::vector<VkExtensionProperties>& extensions, const char* name) {
    return std::any_of(
        extensions.begin(), extensions.end(),
        [name](const VkExtensionProperties& e) { return std::strcmp(e.extensionName, name) == 0; });
}

DeviceFeatures probeFeatures(VkPhysicalDevice device, const VkPhysicalDeviceProperties& properties,
                             const std::vector<VkExtensionProperties>& extensions) {
    DeviceFeatures features;
    features.vulkan13 = properties.apiVersion >= VK_API_VERSION_1_3;
    features.memoryBudget = hasExtension(extensions, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
    features.swapchain = hasExtension(extensions, VK_KHR_SWAPCHAIN_EXTENSION_NAME);
    features.timestamps = properties.limits.timestampComputeAndGraphics == VK_TRUE;
    features.timestampPeriodNs = properties.limits.timestampPeriod;
    if (!features.vulkan13) {
        return features;  // the 1.3 feature structs below would be invalid to query
    }
    const bool rtExtensions =
        hasExtension(extensions, VK_KHR_RAY_TRACING_PIPELINE_EXTENSION_NAME) &&
        hasExtension(extensions, VK_KHR_ACCELERATION_STRUCTURE_EXTENSION_NAME) &&
        hasExtension(extensions, VK_KHR_DEFERRED_HOST_OPERATIONS_EXTENSION_NAME);

    VkPhysicalDeviceRayTracingPipelineFeaturesKHR rayTracing{};
    rayTracing.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_RAY_TRACING_PIPELINE_FEATURES_KHR;
    VkPhysicalDeviceAccelerationStructureFeaturesKHR acceleration{};
    acceleration.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ACCELERATION_STRUCTURE_FEATURES_KHR;
    acceleration.pNext = &rayTracing;
    VkPhysicalDeviceVulkan13Features v13{};
    v13.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES;
    v13.pNext = rtExtensions ? &acceleration : nullptr;
    VkPhysicalDeviceVulkan12Features v12{};
    v12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
    v12.pNext = &v13;
    VkPhysicalDeviceFeatures2 all{};
    all.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
    all.pNext = &v12;
    vkGetPhysicalDeviceFeatures2(device, &all);

    features.synchronization2 = v13.synchronization2 == VK_TRUE;
    features.maintenance4 = v13.maintenance4 == VK_TRUE;
    features.dynamicRendering = v13.dynamicRendering == VK_TRUE;
    features.samplerAnisotropy = all.features.samplerAnisotropy == VK_TRUE;
    features.timelineSemaphore = v12.timelineSemaphore == VK_TRUE;
    features.bufferDeviceAddress = v12.bufferDeviceAddress == VK_TRUE;
    // What bindless descriptor use needs, not every indexing bit.
    features.descriptorIndexing = v12.descriptorIndexing == VK_TRUE &&
                                  v12.runtimeDescriptorArray == VK_TRUE &&
                                  v12.descriptorBindingPartiallyBound == VK_TRUE;
    features.rayTracingPipeline = rtExtensions && rayTracing.rayTracingPipeline == VK_TRUE;
    features.accelerationStructure = rtExtensions && acceleration.accelerationStructure == VK_TRUE;
    return features;
}

RayTracingProperties probeRayTracing(VkPhysicalDevice device) {
    VkPhysicalDeviceAccelerationStructurePropertiesKHR acceleration{};
    acceleration.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ACCELERATION_STRUCTURE_PROPERTIES_KHR;
    VkPhysicalDeviceRayTracingPipelinePropertiesKHR pipeline{};
    pipeline.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_RAY_TRACING_PIPELINE_PROPERTIES_KHR;
    pipeline.pNext = &acceleration;
    VkPhysicalDeviceProperties2 properties{};
    properties.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
    properties.pNext = &pipeline;
    vkGetPhysicalDeviceProperties2(device, &properties);
    return RayTracingProperties{
        .shaderGroupHandleSize = pipeline.shaderGroupHandleSize,
        .shaderGroupHandleAlignment = pipeline.shaderGroupHandleAlignment,
        .shaderGroupBaseAlignment = pipeline.shaderGroupBaseAlignment,
        .maxShaderGroupStride = pipeline.maxShaderGroupStride,
        .maxRayRecursionDepth = pipeline.maxRayRecursionDepth,
        .minScratchOffsetAlignment = acceleration.minAccelerationStructureScratchOffsetAlignment,
        .maxPrimitiveCount = acceleration.maxPrimitiveCount};
}

int typeRank(VkPhysicalDeviceType type) {
    switch (type) {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
            return 4;
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
            return 3;
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
            return 2;
        case VK_PHYSICAL_DEVICE_TYPE_CPU:
            return 1;
        default:
            return 0;
    }
}

VkDeviceSize deviceLocalBytes(const PhysicalDeviceInfo& device) {
    VkDeviceSize total = 0;
    for (const MemoryHeap& heap : device.heaps) {
        total += heap.deviceLocal ? heap.size : 0;
    }
    return total;
}

Result<std::uint32_t> checkExplicit(std::span<const PhysicalDeviceInfo> devices,
                                    std::uint32_t index, std::string_view source) {
    if (index >= devices.size()) {
        return fail(ErrorCode::NotFound,
                    "{} asks for device {}, but there are {} (0 to {}); run "
                    "'vixen info' to list them",
                    source, index, devices.size(), devices.empty() ? 0 : devices.size() - 1);
    }
    if (const std::string missing = devices[index].features.missingRequired(); !missing.empty()) {
        return fail(ErrorCode::NotFound, "{} asks for device {} ({}), which lacks {}", source,
                    index, devices[index].name, missing);
    }
    return index;
}

}  // namespace

std::string DeviceFeatures::missingRequired() const {
    std::string missing;
    const auto need = [&missing](bool present, std::string_view name) {
        if (!present) {
            missing += fmt::format("{}{}", missing.empty() ? "" : ", ", name);
        }
    };
    need(vulkan13, "Vulkan 1.3");
    need(synchronization2, "synchronization2");
    need(timelineSemaphore, "timeline semaphores");
    need(maintenance4, "maintenance4");
    need(dynamicRendering, "dynamicRendering");
    return missing;
}

std::string_view toString(VkPhysicalDeviceType type) noexcept {
    switch (type) {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
            return "discrete GPU";
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
            return "integrated GPU";
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
            return "virtual GPU";
        case VK_PHYSICAL_DEVICE_TYPE_CPU:
            return "CPU";
        default:
            return "other";
    }
}

void refreshMemoryBudget(PhysicalDeviceInfo& device) {
    if (!device.features.memoryBudget) {
        return;
    }
    VkPhysicalDeviceMemoryBudgetPropertiesEXT budget{};
    budget.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT;
    VkPhysicalDeviceMemoryProperties2 memory{};
    memory.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2;
    memory.pNext = &budget;
    vkGetPhysicalDeviceMemoryProperties2(device.handle, &memory);
    for (std::size_t i = 0; i < device.heaps.size(); ++i) {
        device.heaps[i].budget = budget.heapBudget[i];
        device.heaps[i].usage = budget.heapUsage[i];
    }
}

Result<std::vector<PhysicalDeviceInfo>> enumeratePhysicalDevices(const Instance& instance) {
    std::uint32_t count = 0;
    VIXEN_TRY_VK(vkEnumeratePhysicalDevices(instance.handle(), &count, nullptr),
                 "counting physical devices");
    std::vector<VkPhysicalDevice> handles(count);
    VIXEN_TRY_VK(vkEnumeratePhysicalDevices(instance.handle(), &count, handles.data()),
                 "listing physical devices");
    std::vector<PhysicalDeviceInfo> devices;
    for (std::uint32_t i = 0; i < count; ++i) {
        PhysicalDeviceInfo info;
        info.index = i;
        info.handle = handles[i];
        VkPhysicalDeviceDriverProperties driver{};
        driver.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES;
        VkPhysicalDeviceProperties2 properties{};
        properties.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
        properties.pNext = &driver;
        vkGetPhysicalDeviceProperties2(handles[i], &properties);
        info.name = properties.properties.deviceName;
        info.type = properties.properties.deviceType;
        info.apiVersion = properties.properties.apiVersion;
        info.limits = properties.properties.limits;
        info.vendorId = properties.properties.vendorID;
        info.deviceId = properties.properties.deviceID;
        info.driverVersion = properties.properties.driverVersion;
        std::copy_n(properties.properties.pipelineCacheUUID, VK_UUID_SIZE,
                    info.pipelineCacheUuid.begin());
        info.driver = fmt::format("{} {}", driver.driverName, driver.driverInfo);

        std::uint32_t extensionCount = 0;
        vkEnumerateDeviceExtensionProperties(handles[i], nullptr, &extensionCount, nullptr);
        std::vector<VkExtensionProperties> extensions(extensionCount);
        vkEnumerateDeviceExtensionProperties(handles[i], nullptr, &extensionCount,
                                             extensions.data());
        info.features = probeFeatures(handles[i], properties.properties, extensions);
        if (info.features.rayTracingPipeline && info.features.accelerationStructure) {
            info.rayTracing = probeRayTracing(handles[i]);
        }

        std::uint32_t familyCount = 0;
        vkGetPhysicalDeviceQueueFamilyProperties(handles[i], &familyCount, nullptr);
        std::vector<VkQueueFamilyProperties> families(familyCount);
        vkGetPhysicalDeviceQueueFamilyProperties(handles[i], &familyCount, families.data());
        for (std::uint32_t f = 0; f < familyCount; ++f) {
            info.queueFamilies.push_back(QueueFamily{
                f, families[f].queueCount, families[f].queueFlags, families[f].timestampValidBits});
        }
        vkGetPhysicalDeviceMemoryProperties(handles[i], &info.memory);
        for (std::uint32_t h = 0; h < info.memory.memoryHeapCount; ++h) {
            const VkMemoryHeap& heap = info.memory.memoryHeaps[h];
            info.heaps.push_back(
                MemoryHeap{heap.size, (heap.flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) != 0, 0, 0});
        }
        refreshMemoryBudget(info);
        devices.push_back(std::move(info));
    }
    return devices;
}

Result<std::uint32_t> chooseDevice(std::span<const PhysicalDeviceInfo> devices,
                                   std::optional<std::uint32_t> requested,
                                   std::optional<std::string_view> environment) {
    if (requested) {
        return checkExplicit(devices, *requested, "--device");
    }
    if (environment && !environment->empty()) {
        std::uint32_t index = 0;
        const auto [end, error] =
            std::from_chars(environment->data(), environment->data() + environment->size(), index);
        if (error != std::errc{} || end != environment->data() + environment->size()) {
            return fail(ErrorCode::InvalidArgument,
                        "VIXEN_DEVICE='{}' is not a device index (a number from 'vixen info')",
                        *environment);
        }
        return checkExplicit(devices, index, "VIXEN_DEVICE");
    }
    const PhysicalDeviceInfo* best = nullptr;
    for (const PhysicalDeviceInfo& device : devices) {
        if (!device.features.missingRequired().empty()) {
            continue;
        }
        if (best == nullptr || typeRank(device.type) > typeRank(best->type) ||
            (typeRank(device.type) == typeRank(best->type) &&
             deviceLocalBytes(device) > deviceLocalBytes(*best))) {
            best = &device;
        }
    }
    if (best == nullptr) {
        std::string found;
        for (const PhysicalDeviceInfo& device : devices) {
            found += fmt::format("\n  {}: {} lacks {}", device.index, device.name,
                                 device.features.missingRequired());
        }
        return fail(ErrorCode::NotFound,
                    "no Vulkan device has what VIXEN needs (Vulkan 1.3 with synchronization2, "
                    "timeline semaphores, maintenance4, dynamicRendering){}",
                    devices.empty() ? std::string(" and none was found: install a driver, e.g. "
                                                  "mesa-vulkan-drivers for lavapipe")
                                    : found);
    }
    return best->index;
}

std::optional<std::string_view> deviceFromEnvironment() noexcept {
    const char* value = std::getenv("VIXEN_DEVICE");
    return value != nullptr ? std::optional<std::string_view>(value) : std::nullopt;
}

Result<std::uint32_t> chooseDevice(std::span<const PhysicalDeviceInfo> devices,
                                   std::optional<std::uint32_t> requested) {
    return chooseDevice(devices, requested, deviceFromEnvironment());
}

}  // namespace vixen::gpu
