#include "vixen/nodes/pipeline_bindings.hpp"

#include <utility>

#include "vixen/gpu/device.hpp"
#include "vixen/nodes/gpu_runtime.hpp"

namespace vixen::nodes {

Result<void> checkSingleSet(const gpu::Pipeline& pipeline, std::string_view name) {
    if (pipeline.setLayouts().setCount() > 1) {
        return fail(ErrorCode::InvalidArgument,
                    "shader {}: declares {} descriptor sets; a node's pipeline binds set 0 only",
                    name, pipeline.setLayouts().setCount());
    }
    return {};
}

Result<void> PipelineBindings::prepare(GpuRuntime& runtime, const gpu::Pipeline& pipeline,
                                       std::string_view name) {
    VIXEN_TRY(checkSingleSet(pipeline, name));
    writer_.clear();
    set_ = gpu::DescriptorSet{};
    if (pipeline.setLayouts().setCount() == 0) {
        return {};
    }
    if (pool_) {
        runtime.retire(std::move(*pool_));
        pool_.reset();
    }
    auto pool = gpu::DescriptorAllocator::create(
        runtime.device(), gpu::DescriptorPoolSizes{}.add(pipeline.interface()), name);
    if (!pool) {
        return std::unexpected(std::move(pool.error()));
    }
    pool_.emplace(std::move(*pool));
    auto set = pool_->allocate(pipeline.setLayouts(), 0, name);
    if (!set) {
        return std::unexpected(std::move(set.error()));
    }
    set_ = *set;
    return {};
}

Result<void> PipelineBindings::bind(std::uint32_t binding, const GpuBuffer& buffer) {
    return writer_.buffer(set_, binding, buffer.buffer.handle());
}

Result<void> PipelineBindings::bind(std::uint32_t binding, const GpuImage& image,
                                    VkImageLayout layout, VkSampler sampler) {
    return writer_.image(set_, binding, image.image.view(), layout, sampler);
}

Result<void> PipelineBindings::bind(std::uint32_t binding, const gpu::Buffer& buffer) {
    return writer_.buffer(set_, binding, buffer.handle());
}

Result<void> PipelineBindings::bind(std::uint32_t binding, VkAccelerationStructureKHR structure) {
    return writer_.accelerationStructure(set_, binding, structure);
}

void PipelineBindings::commit(const gpu::Device& device) {
    writer_.update(device);
}

void PipelineBindings::bindSet(VkCommandBuffer commandBuffer, VkPipelineBindPoint bindPoint,
                               VkPipelineLayout layout) const noexcept {
    if (set_.handle != VK_NULL_HANDLE) {
        vkCmdBindDescriptorSets(commandBuffer, bindPoint, layout, 0, 1, &set_.handle, 0, nullptr);
    }
}

void PipelineBindings::reset() noexcept {
    writer_.clear();
    set_ = gpu::DescriptorSet{};
    pool_.reset();
}

}  // namespace vixen::nodes
