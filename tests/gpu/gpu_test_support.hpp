#pragma once

// Recording helpers the GPU tests share: a command buffer begun for one submit, a submit
// that waits for the queue, and the barrier that lets the host read what the GPU wrote.

#include <vulkan/vulkan.h>

namespace vixen::gpu::testing {

/// Begins `commandBuffer` for a single submit (ONE_TIME_SUBMIT).
[[nodiscard]] inline VkResult beginOneTimeSubmit(VkCommandBuffer commandBuffer) {
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    return vkBeginCommandBuffer(commandBuffer, &begin);
}

/// Submits the recorded `commandBuffer` alone to `queue`, with no semaphores or fence, and
/// waits for the queue to go idle. The first result that is not VK_SUCCESS, if any.
[[nodiscard]] inline VkResult submitAndWait(VkQueue queue, VkCommandBuffer commandBuffer) {
    VkCommandBufferSubmitInfo commandInfo{};
    commandInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO;
    commandInfo.commandBuffer = commandBuffer;
    VkSubmitInfo2 submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2;
    submit.commandBufferInfoCount = 1;
    submit.pCommandBufferInfos = &commandInfo;
    if (const VkResult submitted = vkQueueSubmit2(queue, 1, &submit, VK_NULL_HANDLE);
        submitted != VK_SUCCESS) {
        return submitted;
    }
    return vkQueueWaitIdle(queue);
}

/// Records a global sync2 memory barrier that makes what `srcStage` wrote with `srcAccess`
/// visible to host reads once the submit has completed (the host then waits on the queue,
/// a fence or a timeline before it reads mapped memory).
inline void recordHostReadBarrier(VkCommandBuffer commandBuffer, VkPipelineStageFlags2 srcStage,
                                  VkAccessFlags2 srcAccess) {
    VkMemoryBarrier2 toHost{};
    toHost.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER_2;
    toHost.srcStageMask = srcStage;
    toHost.srcAccessMask = srcAccess;
    toHost.dstStageMask = VK_PIPELINE_STAGE_2_HOST_BIT;
    toHost.dstAccessMask = VK_ACCESS_2_HOST_READ_BIT;
    VkDependencyInfo dependency{};
    dependency.sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO;
    dependency.memoryBarrierCount = 1;
    dependency.pMemoryBarriers = &toHost;
    vkCmdPipelineBarrier2(commandBuffer, &dependency);
}

}  // namespace vixen::gpu::testing
