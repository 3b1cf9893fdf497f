#include "vixen/nodes/pipeline_bindings.hpp"

#include <cassert>
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
                                       std::string_view name, std::uint32_t copies) {
    VIXEN_TRY(checkSingleSet(pipeline, name));
    writer_.clear();
    sets_.clear();
    if (pipeline.setLayouts().setCount() == 0) {
        return {};
    }
    if (pool_) {
        runtime.retire(std::move(*pool_));
        pool_.reset();
    }
    auto pool = gpu::DescriptorAllocator::create(
        runtime.device(), gpu::DescriptorPoolSizes{}.add(pipeline.interface(), copies), name);
    if (!pool) {
        return std::unexpected(std::move(pool.error()));
    }
    pool_.emplace(std::move(*pool));
    for (std::uint32_t copy = 0; copy < copies; ++copy) {
        auto set = pool_->allocate(pipeline.setLayouts(), 0, name);
        if (!set) {
            sets_.clear();
            return std::unexpected(std::move(set.error()));
        }
        sets_.push_back(*set);
    }
    return {};
}

Result<const gpu::DescriptorSet*> PipelineBindings::target(std::uint32_t binding,
                                                           std::uint32_t copy) const {
    // Without a set, the writer reports the binding missing from the pipeline's interface.
    static const gpu::DescriptorSet kNoSet{};
    if (sets_.empty() && copy == 0) {
        return &kNoSet;
    }
    if (copy >= sets_.size()) {
        return fail(ErrorCode::InvalidArgument,
                    "binding {}: copy {} of the descriptor set does not exist ({} prepared)",
                    binding, copy, sets_.size());
    }
    return &sets_[copy];
}

Result<void> PipelineBindings::bind(std::uint32_t binding, const GpuBuffer& buffer,
                                    std::uint32_t copy) {
    auto set = target(binding, copy);
    if (!set) {
        return std::unexpected(std::move(set.error()));
    }
    return writer_.buffer(**set, binding, buffer.buffer.handle());
}

Result<void> PipelineBindings::bind(std::uint32_t binding, const GpuImage& image,
                                    VkImageLayout layout, VkSampler sampler, std::uint32_t copy) {
    auto set = target(binding, copy);
    if (!set) {
        return std::unexpected(std::move(set.error()));
    }
    return writer_.image(**set, binding, image.image.view(), layout, sampler);
}

Result<void> PipelineBindings::bind(std::uint32_t binding, const gpu::Buffer& buffer) {
    return writer_.buffer(**target(binding, 0), binding, buffer.handle());
}

Result<void> PipelineBindings::bind(std::uint32_t binding, VkAccelerationStructureKHR structure) {
    return writer_.accelerationStructure(**target(binding, 0), binding, structure);
}

void PipelineBindings::commit(const gpu::Device& device) {
    writer_.update(device);
}

void PipelineBindings::bindSet(VkCommandBuffer commandBuffer, VkPipelineBindPoint bindPoint,
                               VkPipelineLayout layout, std::uint32_t copy) const noexcept {
    assert((sets_.empty() || copy < sets_.size()) && "bindSet: a copy that was not prepared");
    if (copy < sets_.size()) {
        vkCmdBindDescriptorSets(commandBuffer, bindPoint, layout, 0, 1, &sets_[copy].handle, 0,
                                nullptr);
    }
}

void PipelineBindings::reset() noexcept {
    writer_.clear();
    sets_.clear();
    pool_.reset();
}

}  // namespace vixen::nodes
