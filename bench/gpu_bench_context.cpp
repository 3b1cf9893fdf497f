#include "gpu_bench_context.hpp"

namespace vixen::bench {

using namespace vixen::gpu;

GpuContext::GpuContext() {
    auto instance = Instance::create(InstanceOptions{.validation = false});
    if (!instance) {
        error_ = instance.error().message;
        return;
    }
    instance_.emplace(std::move(*instance));
    auto devices = enumeratePhysicalDevices(*instance_);
    if (!devices) {
        error_ = devices.error().message;
        return;
    }
    devices_ = std::move(*devices);
    auto chosen = chooseDevice(devices_, std::nullopt);
    if (!chosen) {
        error_ = chosen.error().message;
        return;
    }
    auto device = Device::create(devices_[*chosen]);
    if (!device) {
        error_ = device.error().message;
        return;
    }
    device_.emplace(std::move(*device));
    budget_.emplace(devices_[*chosen]);
    allocator_.emplace(*device_, *budget_);
}

GpuContext::~GpuContext() {
    if (device_) {
        static_cast<void>(vkDeviceWaitIdle(device_->handle()));
    }
}

GpuContext& context() {
    static GpuContext shared;
    return shared;
}

}  // namespace vixen::bench
