#include "vixen/nodes/compute_kernel.hpp"

#include <utility>

#include "vixen/gpu/device.hpp"
#include "vixen/nodes/gpu_runtime.hpp"

namespace vixen::nodes {
namespace {

Result<std::shared_ptr<const gpu::ComputePipeline>> makePipeline(
    GpuRuntime& runtime, std::span<const std::uint32_t> spirv, std::string_view name) {
    auto pipeline = runtime.computePipeline(spirv, name);
    if (pipeline) {
        VIXEN_TRY(checkSingleSet(**pipeline, name));
    }
    return pipeline;
}

}  // namespace

Result<void> ComputeKernel::prepare(GpuRuntime& runtime, std::span<const std::uint32_t> spirv,
                                    std::string_view name, std::uint32_t copies) {
    if (!pipeline_) {
        auto pipeline = makePipeline(runtime, spirv, name);
        if (!pipeline) {
            return std::unexpected(std::move(pipeline.error()));
        }
        pipeline_ = std::move(*pipeline);
        pipelineKey_ = GpuRuntime::computePipelineKey(spirv);
    }
    return bindings_.prepare(runtime, *pipeline_, name, copies);
}

Result<void> ComputeKernel::replacePipeline(GpuRuntime& runtime,
                                            std::span<const std::uint32_t> spirv,
                                            std::string_view name) {
    auto pipeline = makePipeline(runtime, spirv, name);
    if (!pipeline) {
        return std::unexpected(std::move(pipeline.error()));
    }
    // An unchanged shader gives back the pipeline already running: nothing to replace.
    if (pipeline_ && pipeline_ != *pipeline) {
        runtime.forgetComputePipeline(pipelineKey_);
        runtime.retire(std::move(pipeline_));
    }
    pipeline_ = std::move(*pipeline);
    pipelineKey_ = GpuRuntime::computePipelineKey(spirv);
    return {};
}

Result<void> ComputeKernel::bind(std::uint32_t binding, const GpuBuffer& buffer,
                                 std::uint32_t copy) {
    return bindings_.bind(binding, buffer, copy);
}

Result<void> ComputeKernel::bind(std::uint32_t binding, const GpuImage& image, std::uint32_t copy) {
    return bindings_.bind(binding, image, VK_IMAGE_LAYOUT_GENERAL, VK_NULL_HANDLE, copy);
}

void ComputeKernel::commit(const gpu::Device& device) {
    bindings_.commit(device);
}

void ComputeKernel::bindAndPush(VkCommandBuffer commandBuffer, const void* constants,
                                std::uint32_t bytes, std::uint32_t copy) const noexcept {
    vkCmdBindPipeline(commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_->handle());
    bindings_.bindSet(commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_->layout(), copy);
    if (bytes > 0) {
        vkCmdPushConstants(commandBuffer, pipeline_->layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0,
                           bytes, constants);
    }
}

void ComputeKernel::dispatchGroups(VkCommandBuffer commandBuffer, std::uint32_t x, std::uint32_t y,
                                   std::uint32_t z) const noexcept {
    const std::array<std::uint32_t, 3> groups = pipeline_->groupsFor(x, y, z);
    vkCmdDispatch(commandBuffer, groups[0], groups[1], groups[2]);
}

void ComputeKernel::reset() noexcept {
    bindings_.reset();
    pipeline_.reset();
}

}  // namespace vixen::nodes
