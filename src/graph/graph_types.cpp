#include "vixen/graph/resource_estimate.hpp"
#include "vixen/graph/slot.hpp"
#include "vixen/graph/types.hpp"

namespace vixen::graph {

std::string_view toString(Access access) noexcept {
    switch (access) {
        case Access::Read:
            return "read";
        case Access::Write:
            return "write";
        case Access::ReadWrite:
            return "read-write";
    }
    return "?";
}

std::string_view toString(StageKind stage) noexcept {
    switch (stage) {
        case StageKind::Any:
            return "any";
        case StageKind::Host:
            return "host";
        case StageKind::Transfer:
            return "transfer";
        case StageKind::Compute:
            return "compute";
        case StageKind::Graphics:
            return "graphics";
        case StageKind::RayTracing:
            return "ray-tracing";
        case StageKind::Present:
            return "present";
    }
    return "?";
}

std::string_view toString(SlotRole role) noexcept {
    switch (role) {
        case SlotRole::Dependency:
            return "dependency";
        case SlotRole::Execute:
            return "execute";
        case SlotRole::CleanupOnly:
            return "cleanup-only";
    }
    return "?";
}

std::string_view toString(MemoryKind kind) noexcept {
    switch (kind) {
        case MemoryKind::DeviceLocal:
            return "device-local";
        case MemoryKind::HostVisible:
            return "host-visible";
        case MemoryKind::HostHeap:
            return "host-heap";
    }
    return "?";
}

std::string_view toString(DescriptorKind kind) noexcept {
    switch (kind) {
        case DescriptorKind::UniformBuffer:
            return "uniform-buffer";
        case DescriptorKind::StorageBuffer:
            return "storage-buffer";
        case DescriptorKind::SampledImage:
            return "sampled-image";
        case DescriptorKind::StorageImage:
            return "storage-image";
        case DescriptorKind::Sampler:
            return "sampler";
        case DescriptorKind::CombinedImageSampler:
            return "combined-image-sampler";
        case DescriptorKind::AccelerationStructure:
            return "acceleration-structure";
    }
    return "?";
}

ResourceEstimate& ResourceEstimate::operator+=(const ResourceEstimate& other) noexcept {
    for (std::size_t k = 0; k < kMemoryKindCount; ++k) {
        memoryBytes[k] += other.memoryBytes[k];
    }
    for (std::size_t k = 0; k < kDescriptorKindCount; ++k) {
        descriptors[k] += other.descriptors[k];
    }
    commandBuffers += other.commandBuffers;
    stagingBytes += other.stagingBytes;
    streamBytesPerFrame += other.streamBytesPerFrame;
    readbackBytesPerFrame += other.readbackBytesPerFrame;
    eventsPerFrame += other.eventsPerFrame;
    executeBytes += other.executeBytes;
    frameScratchBytes += other.frameScratchBytes;
    transientBytes += other.transientBytes;
    return *this;
}

const SlotDesc* NodeTypeInfo::findInput(std::string_view slot) const noexcept {
    for (const SlotDesc& desc : inputs) {
        if (desc.name == slot) {
            return &desc;
        }
    }
    return nullptr;
}

const SlotDesc* NodeTypeInfo::findOutput(std::string_view slot) const noexcept {
    for (const SlotDesc& desc : outputs) {
        if (desc.name == slot) {
            return &desc;
        }
    }
    return nullptr;
}

}  // namespace vixen::graph
