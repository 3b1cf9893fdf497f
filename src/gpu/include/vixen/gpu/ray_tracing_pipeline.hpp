#pragma once

// Ray-tracing pipelines (VK_KHR_ray_tracing_pipeline): a ray generation shader, miss shaders
// and hit groups, with the shader binding table that vkCmdTraceRaysKHR reads, made with the
// pipeline.

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "vixen/core/error.hpp"
#include "vixen/gpu/buffer.hpp"
#include "vixen/gpu/graphics_pipeline.hpp"
#include "vixen/gpu/physical_device.hpp"
#include "vixen/gpu/pipeline.hpp"

namespace vixen::gpu {

class DeviceMemoryAllocator;

/// A hit group: a closest-hit shader, and an intersection shader for procedural geometry
/// (either may be empty; a group with an intersection shader is a procedural group).
struct RayTracingHitGroup {
    ShaderStageCode closestHit;
    ShaderStageCode intersection;
};

struct RayTracingPipelineDesc {
    ShaderStageCode rayGeneration;
    std::span<const ShaderStageCode> misses;  ///< miss index i is traceRayEXT's missIndex
    std::span<const RayTracingHitGroup> hitGroups;
    /// How deep traceRayEXT calls nest (1: only the ray generation shader traces).
    std::uint32_t maxRecursionDepth = 1;
};

/// Where the records of a shader binding table lie: the ray generation record, then the miss
/// records, then the hit records, each region starting on the device's base alignment and
/// each record a handle rounded up to the handle alignment.
struct ShaderBindingTableLayout {
    VkDeviceSize recordStride = 0;
    VkDeviceSize rayGenerationSize = 0;  ///< a region of one record, its stride its size
    VkDeviceSize missOffset = 0;
    VkDeviceSize missSize = 0;
    VkDeviceSize hitOffset = 0;
    VkDeviceSize hitSize = 0;
    VkDeviceSize totalSize = 0;
};
/// The layout of a table of one ray generation record, `misses` and `hitGroups` records.
[[nodiscard]] ShaderBindingTableLayout layoutShaderBindingTable(
    const RayTracingProperties& properties, std::uint32_t misses, std::uint32_t hitGroups) noexcept;

/// A ray-tracing pipeline made from SPIR-V and what reflection reads from every stage
/// (Pipeline: set layouts, pipeline layout, pipeline), and its shader binding table in
/// host-visible memory. The device and the allocator must outlive it.
class RayTracingPipeline : public Pipeline {
public:
    /// Errors name `name`: Unsupported on a device without ray-tracing pipelines;
    /// InvalidArgument for a stage of the wrong kind (a miss shader that is not one), no
    /// miss shader, a hit group with no shader; CapacityExceeded for a recursion depth past
    /// the device's; reflection's, the allocator's and Vulkan's errors. Nothing is left
    /// behind on failure.
    static Result<RayTracingPipeline> create(const Device& device, DeviceMemoryAllocator& allocator,
                                             const RayTracingPipelineDesc& desc,
                                             std::string_view name,
                                             const PipelineOptions& options = {});

    /// Traces `width` x `height` x `depth` rays with this pipeline's table (the pipeline and
    /// its descriptor sets must be bound).
    void traceRays(VkCommandBuffer commandBuffer, std::uint32_t width, std::uint32_t height,
                   std::uint32_t depth = 1) const noexcept;

    [[nodiscard]] const ShaderBindingTableLayout& tableLayout() const noexcept { return layout_; }

private:
    Buffer table_;
    ShaderBindingTableLayout layout_;
    /// Ray generation, miss, hit and (empty) callable regions, as vkCmdTraceRaysKHR takes them.
    std::array<VkStridedDeviceAddressRegionKHR, 4> regions_{};
    PFN_vkCmdTraceRaysKHR cmdTraceRays_ = nullptr;
};

}  // namespace vixen::gpu
