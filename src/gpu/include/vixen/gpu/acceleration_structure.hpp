#pragma once

// Acceleration structures over procedural geometry: axis-aligned boxes that an intersection
// shader tests (VK_KHR_acceleration_structure). Built once, at creation, on the device's
// queue; what the build needed (the boxes, the instance, scratch memory) is freed after it.

#include <vulkan/vulkan.h>

#include <cstdint>
#include <span>
#include <string_view>

#include "vixen/core/error.hpp"
#include "vixen/gpu/buffer.hpp"

namespace vixen::gpu {

class Device;
class DeviceMemoryAllocator;

/// What a build took: the structures' memory and the time it ran.
struct AccelerationStructureStats {
    std::uint32_t primitives = 0;
    VkDeviceSize bottomLevelBytes = 0;
    VkDeviceSize topLevelBytes = 0;
    VkDeviceSize scratchBytes = 0;  ///< freed after the build
    /// GPU time of both builds from timestamps; negative where the queue has none.
    double buildGpuMilliseconds = -1.0;
    /// Host wall time from recording to the builds' end, inputs' upload included.
    double buildWallMilliseconds = 0.0;
};

/// A bottom-level structure of one opaque geometry of boxes (primitive i is box i, so an
/// intersection shader finds what box it tests by gl_PrimitiveID) and a top-level structure
/// of one instance of it, untransformed: what a ray-tracing pipeline traces. The device and
/// the allocator must outlive it; destroying it while the GPU still uses it is the caller's
/// error.
class AabbAccelerationStructure {
public:
    AabbAccelerationStructure() = default;
    /// Builds both levels over `boxes` (none: an empty scene, which every ray misses) and
    /// waits for the build. Errors name `name`: Unsupported on a device without acceleration
    /// structures, CapacityExceeded past the device's primitive count, the allocator's and
    /// Vulkan's errors. Nothing is left behind on failure.
    static Result<AabbAccelerationStructure> build(const Device& device,
                                                   DeviceMemoryAllocator& allocator,
                                                   std::span<const VkAabbPositionsKHR> boxes,
                                                   std::string_view name);

    AabbAccelerationStructure(AabbAccelerationStructure&& other) noexcept;
    AabbAccelerationStructure& operator=(AabbAccelerationStructure&& other) noexcept;
    AabbAccelerationStructure(const AabbAccelerationStructure&) = delete;
    AabbAccelerationStructure& operator=(const AabbAccelerationStructure&) = delete;
    ~AabbAccelerationStructure();

    /// Destroys both structures and frees their memory now.
    void reset() noexcept;

    [[nodiscard]] VkAccelerationStructureKHR topLevel() const noexcept { return top_.handle; }
    [[nodiscard]] bool valid() const noexcept { return top_.handle != VK_NULL_HANDLE; }
    [[nodiscard]] const AccelerationStructureStats& stats() const noexcept { return stats_; }

private:
    /// One level: the structure and the buffer it lives in.
    struct Level {
        Buffer buffer;
        VkAccelerationStructureKHR handle = VK_NULL_HANDLE;
    };
    /// Creates `level` of `type` with `bytes` of storage; errors name `what`.
    [[nodiscard]] static Result<void> createLevel(const Device& device,
                                                  DeviceMemoryAllocator& allocator, Level& level,
                                                  VkAccelerationStructureTypeKHR type,
                                                  VkDeviceSize bytes, std::string_view what);
    void destroyLevel(Level& level) noexcept;

    // The handle and the entry point, not the Device: destroying must not need the Device
    // object, which may have moved since.
    VkDevice device_ = VK_NULL_HANDLE;
    PFN_vkDestroyAccelerationStructureKHR destroy_ = nullptr;
    Level bottom_;
    Level top_;
    AccelerationStructureStats stats_;
};

}  // namespace vixen::gpu
