#include "vixen/nodes/graphics_kernel.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <utility>

#include "vixen/gpu/device.hpp"
#include "vixen/nodes/gpu_runtime.hpp"

namespace vixen::nodes {
namespace {

Result<std::shared_ptr<const gpu::GraphicsPipeline>> makePipeline(
    GpuRuntime& runtime, const gpu::GraphicsPipelineDesc& desc, std::string_view name) {
    if (desc.depthFormat != VK_FORMAT_UNDEFINED) {
        return fail(ErrorCode::InvalidArgument,
                    "graphics pipeline '{}' has a depth format; a graphics node renders to "
                    "colour targets only (yet)",
                    name);
    }
    if (desc.colorFormats.size() > GraphicsKernel::kMaxColorTargets) {
        return fail(ErrorCode::CapacityExceeded,
                    "graphics pipeline '{}' has {} colour formats; a graphics node renders to at "
                    "most {}",
                    name, desc.colorFormats.size(), GraphicsKernel::kMaxColorTargets);
    }
    auto pipeline = runtime.graphicsPipeline(desc, name);
    if (pipeline) {
        VIXEN_TRY(checkSingleSet(**pipeline, name));
    }
    return pipeline;
}

}  // namespace

Result<void> GraphicsKernel::prepare(GpuRuntime& runtime, const gpu::GraphicsPipelineDesc& desc,
                                     std::string_view name) {
    if (!pipeline_) {
        auto pipeline = makePipeline(runtime, desc, name);
        if (!pipeline) {
            return std::unexpected(std::move(pipeline.error()));
        }
        pipeline_ = std::move(*pipeline);
        pipelineKey_ = GpuRuntime::graphicsPipelineKey(desc);
    }
    return bindings_.prepare(runtime, *pipeline_, name);
}

Result<void> GraphicsKernel::replacePipeline(GpuRuntime& runtime,
                                             const gpu::GraphicsPipelineDesc& desc,
                                             std::string_view name) {
    auto pipeline = makePipeline(runtime, desc, name);
    if (!pipeline) {
        return std::unexpected(std::move(pipeline.error()));
    }
    // An unchanged shader gives back the pipeline already running: nothing to replace.
    if (pipeline_ && pipeline_ != *pipeline) {
        runtime.forgetGraphicsPipeline(pipelineKey_);
        runtime.retire(std::move(pipeline_));
    }
    pipeline_ = std::move(*pipeline);
    pipelineKey_ = GpuRuntime::graphicsPipelineKey(desc);
    return {};
}

Result<void> GraphicsKernel::bind(std::uint32_t binding, const GpuBuffer& buffer) {
    return bindings_.bind(binding, buffer);
}

Result<void> GraphicsKernel::bind(std::uint32_t binding, const GpuImage& image, VkSampler sampler) {
    return bindings_.bind(binding, image, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, sampler);
}

void GraphicsKernel::commit(const gpu::Device& device) {
    bindings_.commit(device);
}

void GraphicsKernel::record(VkCommandBuffer commandBuffer, const void* constants,
                            std::uint32_t bytes, std::span<const GpuImage* const> targets,
                            std::uint32_t vertexCount, bool keepContents) const noexcept {
    assert(!targets.empty() && targets.size() == pipeline_->colorFormats().size());
    std::array<VkRenderingAttachmentInfo, kMaxColorTargets> attachments{};
    const std::size_t count = std::min<std::size_t>(targets.size(), kMaxColorTargets);
    for (std::size_t i = 0; i < count; ++i) {
        attachments[i].sType = VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO;
        attachments[i].imageView = targets[i]->image.view();
        attachments[i].imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
        attachments[i].loadOp =
            keepContents ? VK_ATTACHMENT_LOAD_OP_LOAD : VK_ATTACHMENT_LOAD_OP_DONT_CARE;
        attachments[i].storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    }
    const gpu::ImageDesc& size = targets.front()->desc();
    VkRenderingInfo rendering{};
    rendering.sType = VK_STRUCTURE_TYPE_RENDERING_INFO;
    rendering.renderArea.extent = {size.width, size.height};
    rendering.layerCount = 1;
    rendering.colorAttachmentCount = static_cast<std::uint32_t>(count);
    rendering.pColorAttachments = attachments.data();
    vkCmdBeginRendering(commandBuffer, &rendering);
    const VkViewport viewport{
        0.0F, 0.0F, static_cast<float>(size.width), static_cast<float>(size.height), 0.0F, 1.0F};
    vkCmdSetViewport(commandBuffer, 0, 1, &viewport);
    vkCmdSetScissor(commandBuffer, 0, 1, &rendering.renderArea);
    vkCmdBindPipeline(commandBuffer, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline_->handle());
    bindings_.bindSet(commandBuffer, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline_->layout());
    if (bytes > 0) {
        vkCmdPushConstants(commandBuffer, pipeline_->layout(),
                           pipeline_->interface().pushConstantStages, 0, bytes, constants);
    }
    vkCmdDraw(commandBuffer, vertexCount, 1, 0, 0);
    vkCmdEndRendering(commandBuffer);
}

void GraphicsKernel::reset() noexcept {
    bindings_.reset();
    pipeline_.reset();
}

}  // namespace vixen::nodes
