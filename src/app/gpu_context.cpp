#include "gpu_context.hpp"

#include <fmt/format.h>

#include <utility>

namespace vixen::app {

Result<std::unique_ptr<GpuContext>> GpuContext::open(bool validation,
                                                     std::optional<std::uint32_t> device,
                                                     const gpu::Window* window) {
    std::span<const char* const> extensions;
    if (window != nullptr) {
        auto required = window->requiredInstanceExtensions();
        if (!required) {
            return std::unexpected(std::move(required.error()));
        }
        extensions = *required;
    }
    auto instance = gpu::Instance::create(
        gpu::InstanceOptions{.validation = validation, .extensions = extensions});
    if (!instance) {
        return std::unexpected(std::move(instance.error()));
    }
    std::unique_ptr<GpuContext> context(new GpuContext(std::move(*instance)));
    auto devices = gpu::enumeratePhysicalDevices(context->instance_);
    if (!devices) {
        return std::unexpected(std::move(devices.error()));
    }
    context->devices_ = std::move(*devices);
    auto chosen = gpu::chooseDevice(context->devices_, device);
    if (!chosen) {
        return std::unexpected(std::move(chosen.error()));
    }
    context->chosen_ = *chosen;
    if (window != nullptr) {
        auto surface = window->createSurface(context->instance_);
        if (!surface) {
            return std::unexpected(std::move(surface.error()));
        }
        context->surface_.emplace(std::move(*surface));
    }
    auto logical = gpu::Device::create(context->physical(),
                                       gpu::DeviceOptions{.presentSurface = context->surface()});
    if (!logical) {
        return std::unexpected(std::move(logical.error()));
    }
    context->device_.emplace(std::move(*logical));
    context->budget_.emplace(context->physical());
    context->allocator_.emplace(*context->device_, *context->budget_);
    return context;
}

void GpuContext::printDevice() const {
    fmt::print("device: {} ({}), validation {}\n", physical().name, gpu::toString(physical().type),
               instance_.validationEnabled() ? "on" : "off");
}

int GpuContext::exitCodeAfterValidation(std::string_view command, int exitCode) {
    if (instance_.validationEnabled() && instance_.validation().errors() > 0) {
        fmt::print(stderr, "{}: {} validation error(s); last: {}\n", command,
                   instance_.validation().errors(), instance_.validation().lastMessage());
        return 1;
    }
    return exitCode;
}

}  // namespace vixen::app
