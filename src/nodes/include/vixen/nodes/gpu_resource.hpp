#pragma once

// The one contract every GPU resource exchanged through slots meets: what it is, how a
// slot's declared access and stage kind become a barrier, and which stage kinds make sense
// for it. The runtime and GpuNode handle barriers, persistence and release through this
// contract, never by naming a concrete type.

#include <vulkan/vulkan.h>

#include <optional>
#include <string_view>

#include "vixen/gpu/barriers.hpp"
#include "vixen/gpu/buffer.hpp"
#include "vixen/gpu/image.hpp"
#include "vixen/graph/slot.hpp"

namespace vixen::nodes {

/// A GPU image exchanged through slots: 2D, 2D array or 3D, any format the device supports
/// for its usage, with mip levels. The producer creates it at compile; the barrier state is
/// bookkeeping every user updates, hence mutable through const inputs.
struct GpuImage {
    static constexpr std::string_view kTypeName = "GpuImage";

    gpu::Image image;
    mutable gpu::ResourceState state{};
    /// Shares memory with other transients: contents do not survive between frames, so
    /// the producer starts each frame from ResourceState::discarded().
    bool aliased = false;
    /// The memory came from GpuRuntime::allocateTransient (shared or not) and goes back there.
    bool transientMemory = false;

    [[nodiscard]] bool valid() const noexcept { return image.valid(); }
    [[nodiscard]] const gpu::ImageDesc& desc() const noexcept { return image.desc(); }
};

/// A GPU buffer exchanged through slots: storage, uniform, indirect, vertex or index data,
/// with a device address where the device has them.
struct GpuBuffer {
    static constexpr std::string_view kTypeName = "GpuBuffer";

    gpu::Buffer buffer;
    mutable gpu::ResourceState state{};

    [[nodiscard]] bool valid() const noexcept { return buffer.valid(); }
    [[nodiscard]] const gpu::BufferDesc& desc() const noexcept { return buffer.desc(); }
};

/// The usage a slot's access and stage kind stand for; none for a combination that means
/// nothing (an unspecified stage, a presentation that writes). Every StageKind has a case:
/// a new one does not compile until it is mapped here.
[[nodiscard]] constexpr std::optional<gpu::ResourceUsage> usageOf(
    const graph::SlotOptions& options) noexcept {
    const bool writes = options.access != graph::Access::Read;
    switch (options.stage) {
        case graph::StageKind::Any:
            return std::nullopt;
        case graph::StageKind::Host:
            return writes ? gpu::ResourceUsage::HostWrite : gpu::ResourceUsage::HostRead;
        case graph::StageKind::Transfer:
            return writes ? gpu::ResourceUsage::TransferWrite : gpu::ResourceUsage::TransferRead;
        case graph::StageKind::Compute:
            return writes ? gpu::ResourceUsage::ComputeWrite : gpu::ResourceUsage::ComputeRead;
        case graph::StageKind::Graphics:
            return writes ? gpu::ResourceUsage::ColorAttachment : gpu::ResourceUsage::FragmentRead;
        case graph::StageKind::RayTracing:
            return writes ? gpu::ResourceUsage::RayTracingWrite
                          : gpu::ResourceUsage::RayTracingRead;
        case graph::StageKind::Present:
            return writes ? std::nullopt : std::optional(gpu::ResourceUsage::Present);
    }
    return std::nullopt;
}

/// What makes a type a GPU resource. Specialise it for a new resource type: its kind (which
/// barrier it needs), the stage kinds its slots may declare, its description type, and how
/// a use of it is added to the barriers the runtime derives at compile.
template <class T>
struct GpuResourceTraits;

template <>
struct GpuResourceTraits<GpuImage> {
    static constexpr gpu::ResourceKind kKind = gpu::ResourceKind::Image;
    using Desc = gpu::ImageDesc;
    /// The CPU never maps an image (no host stage); only images are presented.
    static constexpr bool allows(graph::StageKind stage) noexcept {
        return stage != graph::StageKind::Host;
    }
    static void transition(gpu::BakedBarriers& barriers, const GpuImage& image,
                           gpu::ResourceUsage usage) {
        barriers.image(image.image.handle(), image.image.desc().aspect, image.state, usage);
    }
};

template <>
struct GpuResourceTraits<GpuBuffer> {
    static constexpr gpu::ResourceKind kKind = gpu::ResourceKind::Buffer;
    using Desc = gpu::BufferDesc;
    static constexpr bool allows(graph::StageKind stage) noexcept {
        return stage != graph::StageKind::Present;
    }
    static void transition(gpu::BakedBarriers& barriers, const GpuBuffer& buffer,
                           gpu::ResourceUsage usage) {
        barriers.buffer(buffer.buffer.handle(), buffer.state, usage);
    }
};

template <class T>
concept GpuResource = requires {
    GpuResourceTraits<T>::kKind;
};

/// True when a slot of type T may declare `options`: a GPU resource needs a stage kind that
/// maps to a usage and that the type allows; any other type is not the GPU's business.
template <class T>
[[nodiscard]] constexpr bool gpuSlotDeclarationValid(const graph::SlotOptions& options) noexcept {
    if constexpr (GpuResource<T>) {
        return usageOf(options).has_value() && GpuResourceTraits<T>::allows(options.stage);
    } else {
        return true;
    }
}

}  // namespace vixen::nodes
