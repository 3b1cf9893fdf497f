#include "vixen/gpu/barriers.hpp"

namespace vixen::gpu {
namespace {

bool conflicts(const ResourceState& from, const ResourceState& to) noexcept {
    return from.layout != to.layout || from.writes || to.writes;
}

}  // namespace

std::string_view toString(ResourceUsage usage) noexcept {
    switch (usage) {
        case ResourceUsage::TransferRead:
            return "transfer read";
        case ResourceUsage::TransferWrite:
            return "transfer write";
        case ResourceUsage::ComputeRead:
            return "compute read";
        case ResourceUsage::ComputeWrite:
            return "compute write";
        case ResourceUsage::FragmentRead:
            return "fragment read";
        case ResourceUsage::ColorAttachment:
            return "colour attachment";
        case ResourceUsage::Present:
            return "present";
        case ResourceUsage::HostRead:
            return "host read";
    }
    return "?";
}

ResourceState ResourceState::of(ResourceUsage usage) noexcept {
    switch (usage) {
        case ResourceUsage::TransferRead:
            return {VK_PIPELINE_STAGE_2_TRANSFER_BIT, VK_ACCESS_2_TRANSFER_READ_BIT,
                    VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, false};
        case ResourceUsage::TransferWrite:
            return {VK_PIPELINE_STAGE_2_TRANSFER_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT,
                    VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, true};
        case ResourceUsage::ComputeRead:
            return {VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                    VK_ACCESS_2_SHADER_SAMPLED_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_READ_BIT,
                    VK_IMAGE_LAYOUT_GENERAL, false};
        case ResourceUsage::ComputeWrite:
            return {VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                    VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                    VK_IMAGE_LAYOUT_GENERAL, true};
        case ResourceUsage::FragmentRead:
            return {VK_PIPELINE_STAGE_2_FRAGMENT_SHADER_BIT, VK_ACCESS_2_SHADER_SAMPLED_READ_BIT,
                    VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, false};
        case ResourceUsage::ColorAttachment:
            return {VK_PIPELINE_STAGE_2_COLOR_ATTACHMENT_OUTPUT_BIT,
                    VK_ACCESS_2_COLOR_ATTACHMENT_READ_BIT | VK_ACCESS_2_COLOR_ATTACHMENT_WRITE_BIT,
                    VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, true};
        case ResourceUsage::Present:
            // The presentation engine's access is made visible by the present semaphore.
            return {VK_PIPELINE_STAGE_2_NONE, VK_ACCESS_2_NONE, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR,
                    false};
        case ResourceUsage::HostRead:
            return {VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT,
                    VK_IMAGE_LAYOUT_GENERAL, false};
    }
    return {};
}

ResourceState ResourceState::discarded() noexcept {
    return {VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, VK_ACCESS_2_MEMORY_WRITE_BIT,
            VK_IMAGE_LAYOUT_UNDEFINED, true};
}

void BarrierBatch::image(VkCommandBuffer commandBuffer, VkImage image, VkImageAspectFlags aspect,
                         ResourceState& state, ResourceUsage usage) noexcept {
    const ResourceState next = ResourceState::of(usage);
    if (!conflicts(state, next)) {
        state.stages |= next.stages;
        state.accesses |= next.accesses;
        return;
    }
    if (images_ == kCapacity) {
        record(commandBuffer);
    }
    VkImageMemoryBarrier2& barrier = imageBarriers_[images_++];
    barrier = VkImageMemoryBarrier2{};
    barrier.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER_2;
    barrier.srcStageMask = state.stages;
    // Only writes need making available; a read-before-write hazard needs the stage wait.
    barrier.srcAccessMask = state.writes ? state.accesses : VK_ACCESS_2_NONE;
    barrier.dstStageMask = next.stages;
    barrier.dstAccessMask = next.accesses;
    barrier.oldLayout = state.layout;
    barrier.newLayout = next.layout;
    barrier.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.image = image;
    barrier.subresourceRange = {aspect, 0, VK_REMAINING_MIP_LEVELS, 0, VK_REMAINING_ARRAY_LAYERS};
    state = next;
}

void BarrierBatch::buffer(VkCommandBuffer commandBuffer, VkBuffer buffer, ResourceState& state,
                          ResourceUsage usage) noexcept {
    ResourceState next = ResourceState::of(usage);
    next.layout = VK_IMAGE_LAYOUT_UNDEFINED;  // buffers have none
    if (!conflicts(state, next)) {
        state.stages |= next.stages;
        state.accesses |= next.accesses;
        return;
    }
    if (buffers_ == kCapacity) {
        record(commandBuffer);
    }
    VkBufferMemoryBarrier2& barrier = bufferBarriers_[buffers_++];
    barrier = VkBufferMemoryBarrier2{};
    barrier.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER_2;
    barrier.srcStageMask = state.stages;
    barrier.srcAccessMask = state.writes ? state.accesses : VK_ACCESS_2_NONE;
    barrier.dstStageMask = next.stages;
    barrier.dstAccessMask = next.accesses;
    barrier.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.buffer = buffer;
    barrier.offset = 0;
    barrier.size = VK_WHOLE_SIZE;
    state = next;
}

void BarrierBatch::record(VkCommandBuffer commandBuffer) noexcept {
    if (images_ + buffers_ == 0) {
        return;
    }
    VkDependencyInfo dependency{};
    dependency.sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO;
    dependency.imageMemoryBarrierCount = images_;
    dependency.pImageMemoryBarriers = imageBarriers_.data();
    dependency.bufferMemoryBarrierCount = buffers_;
    dependency.pBufferMemoryBarriers = bufferBarriers_.data();
    vkCmdPipelineBarrier2(commandBuffer, &dependency);
    recorded_ += images_ + buffers_;
    images_ = 0;
    buffers_ = 0;
}

}  // namespace vixen::gpu
