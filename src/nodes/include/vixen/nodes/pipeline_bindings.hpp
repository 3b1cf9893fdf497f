#pragma once

// The one descriptor set a node's pipeline declares (set 0, laid out from its reflection),
// bound to slot resources: taken again at each compile from a fresh pool, so resized
// resources are bound anew while frames in flight still use the old set (its pool is
// retired through the runtime). A node that binds history elements takes one copy of the
// set per ring position and binds the copy of this frame's position; nothing is written
// during a frame. ComputeKernel and GraphicsKernel hold one.

#include <vulkan/vulkan.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/gpu/descriptor_allocator.hpp"
#include "vixen/gpu/descriptor_writer.hpp"
#include "vixen/gpu/pipeline.hpp"
#include "vixen/nodes/gpu_resource.hpp"

namespace vixen::gpu {
class Device;
}

namespace vixen::nodes {

class GpuRuntime;

class PipelineBindings {
public:
    /// `copies` of set 0 of `pipeline` from a new pool, the previous pool retired. Errors
    /// name `name`; a pipeline with descriptor sets past set 0 is InvalidArgument.
    [[nodiscard]] Result<void> prepare(GpuRuntime& runtime, const gpu::Pipeline& pipeline,
                                       std::string_view name, std::uint32_t copies = 1);
    /// Queues `binding` of copy `copy`: a storage or uniform buffer, or an image in `layout`
    /// (with `sampler`, a combined image sampler). Errors name the binding.
    [[nodiscard]] Result<void> bind(std::uint32_t binding, const GpuBuffer& buffer,
                                    std::uint32_t copy = 0);
    [[nodiscard]] Result<void> bind(std::uint32_t binding, const GpuImage& image,
                                    VkImageLayout layout, VkSampler sampler = VK_NULL_HANDLE,
                                    std::uint32_t copy = 0);
    /// Queues `binding`: a buffer the node owns (not a slot's), or an acceleration structure.
    [[nodiscard]] Result<void> bind(std::uint32_t binding, const gpu::Buffer& buffer);
    [[nodiscard]] Result<void> bind(std::uint32_t binding, VkAccelerationStructureKHR structure);
    /// Writes the queued bindings into the set.
    void commit(const gpu::Device& device);
    /// Binds copy `copy` of the set (if the pipeline has one) at `bindPoint`.
    void bindSet(VkCommandBuffer commandBuffer, VkPipelineBindPoint bindPoint,
                 VkPipelineLayout layout, std::uint32_t copy = 0) const noexcept;
    [[nodiscard]] std::uint32_t copies() const noexcept {
        return static_cast<std::uint32_t>(sets_.size());
    }
    /// Lets the set and its pool go now (the node leaves the graph, after the GPU finished).
    void reset() noexcept;

private:
    /// The set copy `copy` writes go to.
    [[nodiscard]] Result<const gpu::DescriptorSet*> target(std::uint32_t binding,
                                                           std::uint32_t copy) const;

    std::optional<gpu::DescriptorAllocator> pool_;
    std::vector<gpu::DescriptorSet> sets_;
    gpu::DescriptorWriter writer_;
};

/// Whether `pipeline` declares only set 0 (or none), as PipelineBindings binds; errors name
/// `name`.
[[nodiscard]] Result<void> checkSingleSet(const gpu::Pipeline& pipeline, std::string_view name);

}  // namespace vixen::nodes
