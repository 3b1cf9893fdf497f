#include "vixen/nodes/gpu_present_node.hpp"

#include <chrono>

#include "vixen/events/engine_events.hpp"

namespace vixen::nodes {
namespace {

// Long enough for FIFO presentation to free an image, short of looking like a hang.
constexpr std::chrono::seconds kAcquireTimeout{5};

}  // namespace

GpuPresentNode::GpuPresentNode(GpuRuntime& runtime, gpu::Swapchain& swapchain)
    : GpuNode(runtime), swapchain_(swapchain) {}

void GpuPresentNode::setup(graph::SetupContext& context) {
    markDirty_.emplace(context.dirtyMarker());
    context.estimate().eventsPerFrame = 1;
    context.subscribe<events::SwapchainInvalidated>(
        [this](const events::SwapchainInvalidated& invalidated) {
            requestedSize_ = VkExtent2D{invalidated.width, invalidated.height};
            (*markDirty_)();
        });
}

Result<void> GpuPresentNode::compile(const graph::CompileContext& /*context*/) {
    if (requestedSize_ || swapchain_.needsRecreate()) {
        const VkExtent2D size = requestedSize_.value_or(swapchain_.extent());
        auto recreated = swapchain_.recreate(size);
        if (!recreated) {
            return std::unexpected(std::move(recreated.error()));
        }
        requestedSize_.reset();
        ++recreations_;
    }
    runtime().setFrameParticipant(this);
    return {};
}

void GpuPresentNode::recordSubstitute(VkCommandBuffer commandBuffer) noexcept {
    if (!acquired_.usable()) {
        return;
    }
    // As record(): the acquire's wait ends at the transfer stage; the old contents go.
    gpu::ResourceState state;
    state.writeStages = VK_PIPELINE_STAGE_2_TRANSFER_BIT;
    gpu::BarrierBatch barriers;
    barriers.image(commandBuffer, acquired_.image, VK_IMAGE_ASPECT_COLOR_BIT, state,
                   gpu::ResourceUsage::TransferWrite);
    barriers.record(commandBuffer);
    const VkClearColorValue black{};
    const VkImageSubresourceRange range{VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    vkCmdClearColorImage(commandBuffer, acquired_.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                         &black, 1, &range);
    barriers.image(commandBuffer, acquired_.image, VK_IMAGE_ASPECT_COLOR_BIT, state,
                   gpu::ResourceUsage::Present);
    barriers.record(commandBuffer);
}

void GpuPresentNode::record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) {
    auto acquired =
        swapchain_.acquire(runtime().frameSlot(), std::chrono::nanoseconds(kAcquireTimeout));
    if (!acquired) {
        acquireError_ = std::move(acquired.error());
        acquired_ = gpu::AcquiredImage{};
        return;
    }
    acquired_ = *acquired;
    if (!acquired_.usable()) {
        ++skipped_;
        staleSwapchain_ = true;  // marked dirty after the submit, on the graph's thread
        return;
    }
    wait_[0] = acquired_.waitInfo(VK_PIPELINE_STAGE_2_TRANSFER_BIT);
    signal_[0] = acquired_.signalInfo();

    // The acquire semaphore's wait ends at the transfer stage; the old contents go.
    gpu::ResourceState state;
    state.writeStages = VK_PIPELINE_STAGE_2_TRANSFER_BIT;
    gpu::BarrierBatch& barriers = runtime().barriers(context.workerIndex);
    barriers.image(commandBuffer, acquired_.image, VK_IMAGE_ASPECT_COLOR_BIT, state,
                   gpu::ResourceUsage::TransferWrite);
    barriers.record(commandBuffer);

    const gpu::ImageDesc& source = In(GpuPresentConfig::image).image.desc();
    const VkExtent2D extent = swapchain_.extent();
    VkImageBlit region{};
    region.srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.srcOffsets[1] = {static_cast<std::int32_t>(source.width),
                            static_cast<std::int32_t>(source.height), 1};
    region.dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.dstOffsets[1] = {static_cast<std::int32_t>(extent.width),
                            static_cast<std::int32_t>(extent.height), 1};
    vkCmdBlitImage(commandBuffer, In(GpuPresentConfig::image).image.handle(),
                   VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, acquired_.image,
                   VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region, VK_FILTER_LINEAR);

    barriers.image(commandBuffer, acquired_.image, VK_IMAGE_ASPECT_COLOR_BIT, state,
                   gpu::ResourceUsage::Present);
    barriers.record(commandBuffer);
}

gpu::SubmitSemaphores GpuPresentNode::submitSemaphores() const noexcept {
    if (!acquired_.usable()) {
        return {};
    }
    return gpu::SubmitSemaphores{wait_, signal_};
}

Result<void> GpuPresentNode::afterSubmit() noexcept {
    if (staleSwapchain_) {
        staleSwapchain_ = false;
        (*markDirty_)();
    }
    if (acquireError_) {
        Error error = std::move(*acquireError_);
        acquireError_.reset();
        return std::unexpected(std::move(error));
    }
    if (!acquired_.usable()) {
        return {};
    }
    const std::uint32_t index = acquired_.index;
    acquired_ = gpu::AcquiredImage{};
    auto presented = swapchain_.present(index);
    if (!presented) {
        return std::unexpected(std::move(presented.error()));
    }
    if (*presented != gpu::SwapchainStatus::Ok) {
        (*markDirty_)();
    }
    return {};
}

void GpuPresentNode::release(const graph::CleanupContext& context) {
    if (!context.forRecompile) {
        runtime().setFrameParticipant(nullptr);
    }
}

}  // namespace vixen::nodes
