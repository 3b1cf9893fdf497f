#include "info.hpp"

#include <fmt/format.h>

#include <string>

#include "vixen/core/units.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/instance.hpp"
#include "vixen/gpu/physical_device.hpp"

namespace vixen::app {
namespace {

std::string yesNo(bool value) {
    return value ? "yes" : "no";
}

std::string queueFlags(VkQueueFlags flags) {
    std::string text;
    const auto add = [&](VkQueueFlags bit, const char* name) {
        if ((flags & bit) != 0) {
            text += fmt::format("{}{}", text.empty() ? "" : " ", name);
        }
    };
    add(VK_QUEUE_GRAPHICS_BIT, "graphics");
    add(VK_QUEUE_COMPUTE_BIT, "compute");
    add(VK_QUEUE_TRANSFER_BIT, "transfer");
    add(VK_QUEUE_SPARSE_BINDING_BIT, "sparse");
    return text;
}

void printDevice(const gpu::PhysicalDeviceInfo& device) {
    const gpu::DeviceFeatures& f = device.features;
    fmt::print("  [{}] {} ({}), Vulkan {}.{}.{}, driver {}\n", device.index, device.name,
               gpu::toString(device.type), VK_API_VERSION_MAJOR(device.apiVersion),
               VK_API_VERSION_MINOR(device.apiVersion), VK_API_VERSION_PATCH(device.apiVersion),
               device.driver);
    const std::string missing = f.missingRequired();
    fmt::print("      required features: {}\n",
               missing.empty() ? "all present" : "lacks " + missing);
    fmt::print(
        "      ray tracing pipeline {}, acceleration structures {}, memory budget {}, "
        "descriptor indexing {}, buffer device address {}, timestamps {} ({} ns per tick)\n",
        yesNo(f.rayTracingPipeline), yesNo(f.accelerationStructure), yesNo(f.memoryBudget),
        yesNo(f.descriptorIndexing), yesNo(f.bufferDeviceAddress), yesNo(f.timestamps),
        f.timestampPeriodNs);
    for (const gpu::QueueFamily& family : device.queueFamilies) {
        fmt::print("      queue family {}: {} queue(s), {}, {} timestamp bits\n", family.index,
                   family.queueCount, queueFlags(family.flags), family.timestampValidBits);
    }
    for (std::size_t h = 0; h < device.heaps.size(); ++h) {
        const gpu::MemoryHeap& heap = device.heaps[h];
        const std::string budget =
            f.memoryBudget ? fmt::format("budget {}, in use {}", core::formatBytes(heap.budget),
                                         core::formatBytes(heap.usage))
                           : "no budget reported (heap size is the limit)";
        fmt::print("      heap {}: {} {}, {}\n", h, core::formatBytes(heap.size),
                   heap.deviceLocal ? "device-local" : "host", budget);
    }
}

}  // namespace

int printInfo(const InfoOptions& options) {
    auto instance = gpu::Instance::create(gpu::InstanceOptions{.validation = options.validation});
    if (!instance) {
        fmt::print(stderr, "error: {}\n", instance.error().message);
        return 1;
    }
    auto devices = gpu::enumeratePhysicalDevices(*instance);
    if (!devices) {
        fmt::print(stderr, "error: {}\n", devices.error().message);
        return 1;
    }
    fmt::print("Vulkan devices ({} found, validation {}):\n", devices->size(),
               instance->validationEnabled() ? "on" : "off");
    for (const gpu::PhysicalDeviceInfo& device : *devices) {
        printDevice(device);
    }
    const std::optional<std::string_view> environment = gpu::deviceFromEnvironment();
    auto chosen = gpu::chooseDevice(*devices, options.device, environment);
    if (!chosen) {
        fmt::print(stderr, "error: {}\n", chosen.error().message);
        return 1;
    }
    const gpu::PhysicalDeviceInfo& physical = (*devices)[*chosen];
    fmt::print("chosen: [{}] {} ({})\n", physical.index, physical.name,
               options.device ? "--device"
               : environment  ? "VIXEN_DEVICE"
                              : "best suitable");
    auto device = gpu::Device::create(physical);
    if (!device) {
        fmt::print(stderr, "error: {}\n", device.error().message);
        return 1;
    }
    fmt::print("device created: queue family {}, ray tracing {}\n", device->queueFamily(),
               device->enabled().rayTracingPipeline ? "enabled" : "not available");
    if (device->computeQueue() != VK_NULL_HANDLE) {
        fmt::print("async compute: compute queue of family {}\n", device->computeQueueFamily());
    } else {
        fmt::print(
            "async compute: no compute-only queue family (opted-in nodes run on the "
            "graphics queue)\n");
    }
    if (instance->validation().errors() != 0) {
        fmt::print(stderr, "error: the validation layer reported {} error(s); last: {}\n",
                   instance->validation().errors(), instance->validation().lastMessage());
        return 1;
    }
    return 0;
}

}  // namespace vixen::app
