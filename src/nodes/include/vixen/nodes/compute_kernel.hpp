#pragma once

// What a compute node needs besides its slots: its shader's pipeline, the one descriptor set
// the shader declares bound to slot resources (PipelineBindings), and the dispatch. The
// pipeline comes from the runtime (shared with every node of the same shader) once and is
// kept by recompiles; the set is taken again at each compile.

#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "vixen/cache/cache_key.hpp"
#include "vixen/core/error.hpp"
#include "vixen/gpu/compute_pipeline.hpp"
#include "vixen/nodes/gpu_resource.hpp"
#include "vixen/nodes/pipeline_bindings.hpp"

namespace vixen::gpu {
class Device;
}

namespace vixen::nodes {

class GpuRuntime;

class ComputeKernel {
public:
    /// At compile: the pipeline the first time, then `copies` of set 0 from a new pool (the
    /// previous pool goes to `runtime.retire`, since frames in flight may still bind its
    /// set): one per ring position for a node that binds history elements. Errors name
    /// `name` (the shader); a shader with descriptor sets past set 0 is InvalidArgument.
    [[nodiscard]] Result<void> prepare(GpuRuntime& runtime, std::span<const std::uint32_t> spirv,
                                       std::string_view name, std::uint32_t copies = 1);
    /// Builds a pipeline from new `spirv` (a shader reloaded) and, when that succeeds,
    /// retires the old one through `runtime` (frames in flight still use it) and stops the
    /// runtime sharing it; the next prepare() lays set 0 out for the new one. On failure the
    /// old pipeline stays.
    [[nodiscard]] Result<void> replacePipeline(GpuRuntime& runtime,
                                               std::span<const std::uint32_t> spirv,
                                               std::string_view name);
    /// Queues `binding` of set 0: a storage or uniform buffer, or a storage or sampled image
    /// in the layout its slot's compute use puts it (GENERAL). Errors name the binding.
    [[nodiscard]] Result<void> bind(std::uint32_t binding, const GpuBuffer& buffer,
                                    std::uint32_t copy = 0);
    [[nodiscard]] Result<void> bind(std::uint32_t binding, const GpuImage& image,
                                    std::uint32_t copy = 0);
    /// Writes the queued bindings into the set.
    void commit(const gpu::Device& device);

    /// Binds the pipeline and the set, pushes `constants` (if any) and dispatches enough
    /// workgroups to cover x by y by z invocations.
    template <class PushConstants>
    void dispatch(VkCommandBuffer commandBuffer, const PushConstants& constants, std::uint32_t x,
                  std::uint32_t y = 1, std::uint32_t z = 1) const noexcept {
        bindAndPush(commandBuffer, &constants, sizeof constants, 0);
        dispatchGroups(commandBuffer, x, y, z);
    }
    void dispatch(VkCommandBuffer commandBuffer, std::uint32_t x, std::uint32_t y = 1,
                  std::uint32_t z = 1) const noexcept {
        bindAndPush(commandBuffer, nullptr, 0, 0);
        dispatchGroups(commandBuffer, x, y, z);
    }
    /// The same with copy `copy` of the set (this frame's ring position).
    template <class PushConstants>
    void dispatchWithSet(std::uint32_t copy, VkCommandBuffer commandBuffer,
                         const PushConstants& constants, std::uint32_t x, std::uint32_t y = 1,
                         std::uint32_t z = 1) const noexcept {
        bindAndPush(commandBuffer, &constants, sizeof constants, copy);
        dispatchGroups(commandBuffer, x, y, z);
    }

    /// Destroys the pipeline and the pool now (the node leaves the graph, after the GPU
    /// finished with it).
    void reset() noexcept;
    [[nodiscard]] bool hasPipeline() const noexcept { return pipeline_ != nullptr; }

private:
    void bindAndPush(VkCommandBuffer commandBuffer, const void* constants, std::uint32_t bytes,
                     std::uint32_t copy) const noexcept;
    void dispatchGroups(VkCommandBuffer commandBuffer, std::uint32_t x, std::uint32_t y,
                        std::uint32_t z) const noexcept;

    std::shared_ptr<const gpu::ComputePipeline> pipeline_;  // shared through the runtime
    cache::CacheKey pipelineKey_;                           // the runtime shares it by
    PipelineBindings bindings_;
};

}  // namespace vixen::nodes
