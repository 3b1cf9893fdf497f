#pragma once

// What a graphics node needs besides its slots: its pipeline (from the runtime, shared with
// every node of the same shaders and state, kept by recompiles), the one descriptor set its
// shaders declare bound to slot resources (PipelineBindings), and the draw: dynamic
// rendering into the node's colour outputs, viewport and scissor covering them.

#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "vixen/cache/cache_key.hpp"
#include "vixen/core/error.hpp"
#include "vixen/gpu/graphics_pipeline.hpp"
#include "vixen/nodes/gpu_resource.hpp"
#include "vixen/nodes/pipeline_bindings.hpp"

namespace vixen::gpu {
class Device;
}

namespace vixen::nodes {

class GpuRuntime;

class GraphicsKernel {
public:
    /// The most colour targets one draw renders to (every device allows at least 4, most 8).
    static constexpr std::uint32_t kMaxColorTargets = 8;

    /// At compile: the pipeline the first time, then set 0 from a new pool. Errors name
    /// `name`; more colour formats than kMaxColorTargets is CapacityExceeded, a depth format
    /// InvalidArgument (depth targets are not drawn to yet).
    [[nodiscard]] Result<void> prepare(GpuRuntime& runtime, const gpu::GraphicsPipelineDesc& desc,
                                       std::string_view name);
    /// Builds a pipeline from a new `desc` (a shader reloaded) and, when that succeeds,
    /// retires the old one and stops the runtime sharing it; the next prepare() lays set 0
    /// out for the new one. On failure the old pipeline stays.
    [[nodiscard]] Result<void> replacePipeline(GpuRuntime& runtime,
                                               const gpu::GraphicsPipelineDesc& desc,
                                               std::string_view name);
    /// Queues `binding` of set 0: a storage or uniform buffer, or an image sampled by the
    /// graphics shaders (SHADER_READ_ONLY_OPTIMAL, with `sampler` if combined).
    [[nodiscard]] Result<void> bind(std::uint32_t binding, const GpuBuffer& buffer);
    [[nodiscard]] Result<void> bind(std::uint32_t binding, const GpuImage& image,
                                    VkSampler sampler = VK_NULL_HANDLE);
    void commit(const gpu::Device& device);

    /// Renders `vertexCount` vertices into `targets` (the pipeline's colour formats, in
    /// order, all of the first one's size, in COLOR_ATTACHMENT_OPTIMAL as a Graphics write
    /// slot leaves them), pushing `constants`. The targets' earlier contents are not kept
    /// unless `keepContents`: a full-screen pass overwrites every pixel.
    template <class PushConstants>
    void draw(VkCommandBuffer commandBuffer, const PushConstants& constants,
              std::span<const GpuImage* const> targets, std::uint32_t vertexCount,
              bool keepContents = false) const noexcept {
        record(commandBuffer, &constants, sizeof constants, targets, vertexCount, keepContents);
    }

    void reset() noexcept;
    [[nodiscard]] bool hasPipeline() const noexcept { return pipeline_ != nullptr; }

private:
    void record(VkCommandBuffer commandBuffer, const void* constants, std::uint32_t bytes,
                std::span<const GpuImage* const> targets, std::uint32_t vertexCount,
                bool keepContents) const noexcept;

    std::shared_ptr<const gpu::GraphicsPipeline> pipeline_;  // shared through the runtime
    cache::CacheKey pipelineKey_;
    PipelineBindings bindings_;
};

}  // namespace vixen::nodes
