#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "vixen/gpu/swapchain.hpp"
#include "vixen/nodes/gpu_image_nodes.hpp"

namespace vixen::nodes {

struct GpuPresentConfig {
    static constexpr std::string_view kTypeName = "GpuPresent";
    static constexpr graph::Input<"image", GpuImage, kTransferRead> image{};
    static constexpr graph::SlotList slots{image};
};

/// The windowed target: each frame it acquires a swapchain image, scales its input into it
/// (vkCmdBlitImage) and presents it after the submit, which waits on the acquire and
/// signals the image's render-finished semaphore. A SwapchainInvalidated event (which every
/// WindowResized implies) recompiles it, and the compile recreates the swapchain at the new
/// size, in the same batch as every other node the resize invalidates. An out-of-date or
/// suboptimal swapchain marks it dirty, so the next frame boundary recreates it too.
/// The swapchain must outlive the node.
class GpuPresentNode : public GpuNode<GpuPresentConfig>, public FrameParticipant {
public:
    GpuPresentNode(GpuRuntime& runtime, gpu::Swapchain& swapchain);

    [[nodiscard]] gpu::SubmitSemaphores submitSemaphores() const noexcept override;
    [[nodiscard]] Result<void> afterSubmit() noexcept override;
    /// For a frame whose recording failed: clears the acquired image to black and makes it
    /// presentable, so the acquire is still answered by a present.
    void recordSubstitute(VkCommandBuffer commandBuffer) noexcept override;

    /// Frames whose acquire gave no image (out of date), so nothing was presented.
    [[nodiscard]] std::uint64_t skippedFrames() const noexcept { return skipped_; }
    [[nodiscard]] std::uint64_t recreations() const noexcept { return recreations_; }

protected:
    void setup(graph::SetupContext& context) override;
    Result<void> compile(const graph::CompileContext& context) override;
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) override;
    void release(const graph::CleanupContext& context) override;

private:
    gpu::Swapchain& swapchain_;
    std::optional<graph::SetupContext::DirtyMarker> markDirty_;
    std::optional<VkExtent2D> requestedSize_;
    gpu::AcquiredImage acquired_{};
    std::optional<Error> acquireError_;
    bool staleSwapchain_ = false;
    std::array<VkSemaphoreSubmitInfo, 1> wait_{};
    std::array<VkSemaphoreSubmitInfo, 1> signal_{};
    std::uint64_t skipped_ = 0;
    std::uint64_t recreations_ = 0;
};

}  // namespace vixen::nodes
