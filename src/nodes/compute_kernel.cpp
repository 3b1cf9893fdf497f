#include "vixen/nodes/compute_kernel.hpp"

#include <utility>

#include "vixen/gpu/device.hpp"
#include "vixen/nodes/gpu_runtime.hpp"

namespace vixen::nodes {
namespace {

Result<std::shared_ptr<const gpu::ComputePipeline>> makePipeline(
    GpuRuntime& runtime, std::span<const std::uint32_t> spirv, std::string_view name) {
    auto pipeline = runtime.computePipeline(spirv, name);
    if (pipeline && (*pipeline)->setLayouts().setCount() > 1) {
        return fail(ErrorCode::InvalidArgument,
                    "shader {}: declares {} descriptor sets; a compute kernel binds set 0 only",
                    name, (*pipeline)->setLayouts().setCount());
    }
    return pipeline;
}

}  // namespace

Result<void> ComputeKernel::prepare(GpuRuntime& runtime, std::span<const std::uint32_t> spirv,
                                    std::string_view name) {
    const gpu::Device& device = runtime.device();
    if (!pipeline_) {
        auto pipeline = makePipeline(runtime, spirv, name);
        if (!pipeline) {
            return std::unexpected(std::move(pipeline.error()));
        }
        pipeline_ = std::move(*pipeline);
        pipelineKey_ = GpuRuntime::computePipelineKey(spirv);
    }
    writer_.clear();
    set_ = gpu::DescriptorSet{};
    if (pipeline_->setLayouts().setCount() == 0) {
        return {};
    }
    if (pool_) {
        runtime.retire(std::move(*pool_));
        pool_.reset();
    }
    auto pool = gpu::DescriptorAllocator::create(
        device, gpu::DescriptorPoolSizes{}.add(pipeline_->interface()), name);
    if (!pool) {
        return std::unexpected(std::move(pool.error()));
    }
    pool_.emplace(std::move(*pool));
    auto set = pool_->allocate(pipeline_->setLayouts(), 0, name);
    if (!set) {
        return std::unexpected(std::move(set.error()));
    }
    set_ = *set;
    return {};
}

Result<void> ComputeKernel::replacePipeline(GpuRuntime& runtime,
                                            std::span<const std::uint32_t> spirv,
                                            std::string_view name) {
    auto pipeline = makePipeline(runtime, spirv, name);
    if (!pipeline) {
        return std::unexpected(std::move(pipeline.error()));
    }
    if (pipeline_) {
        runtime.forgetComputePipeline(pipelineKey_);
        runtime.retire(std::move(pipeline_));
    }
    pipeline_ = std::move(*pipeline);
    pipelineKey_ = GpuRuntime::computePipelineKey(spirv);
    return {};
}

Result<void> ComputeKernel::bind(std::uint32_t binding, const GpuBuffer& buffer) {
    return writer_.buffer(set_, binding, buffer.buffer.handle());
}

Result<void> ComputeKernel::bind(std::uint32_t binding, const GpuImage& image) {
    return writer_.image(set_, binding, image.image.view(), VK_IMAGE_LAYOUT_GENERAL);
}

void ComputeKernel::commit(const gpu::Device& device) {
    writer_.update(device);
}

void ComputeKernel::bindAndPush(VkCommandBuffer commandBuffer, const void* constants,
                                std::uint32_t bytes) const noexcept {
    vkCmdBindPipeline(commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_->handle());
    if (set_.handle != VK_NULL_HANDLE) {
        vkCmdBindDescriptorSets(commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_->layout(),
                                0, 1, &set_.handle, 0, nullptr);
    }
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
    writer_.clear();
    set_ = gpu::DescriptorSet{};
    pool_.reset();
    pipeline_.reset();
}

}  // namespace vixen::nodes
