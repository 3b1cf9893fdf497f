#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <string_view>

namespace vixen::gpu {

/// How one piece of GPU work uses an image or a buffer. Nodes declare it through their
/// slots; the barriers between uses are derived from it, never written by hand.
enum class ResourceUsage : std::uint8_t {
    TransferRead,
    TransferWrite,
    ComputeRead,      ///< sampled or storage reads in a compute shader
    ComputeWrite,     ///< storage writes (and reads) in a compute shader
    FragmentRead,     ///< sampled reads in a fragment shader
    ColorAttachment,  ///< written as a colour attachment
    Present,          ///< handed to the presentation engine
    HostRead,         ///< read by the CPU after the GPU is done (readback buffers)
};
[[nodiscard]] std::string_view toString(ResourceUsage usage) noexcept;

/// The last use of a resource as the barrier logic tracks it: the stages and accesses that
/// must finish (or be made visible) before the next conflicting use, and the image layout.
struct ResourceState {
    VkPipelineStageFlags2 stages = VK_PIPELINE_STAGE_2_NONE;
    VkAccessFlags2 accesses = VK_ACCESS_2_NONE;
    VkImageLayout layout = VK_IMAGE_LAYOUT_UNDEFINED;
    bool writes = false;

    /// The state a usage leaves behind.
    [[nodiscard]] static ResourceState of(ResourceUsage usage) noexcept;
    /// "Anything may have touched it, contents are not needed": what a transient that shares
    /// memory with others starts each frame from.
    [[nodiscard]] static ResourceState discarded() noexcept;
};

/// Collects the sync2 barriers one node needs before it records, then records them in one
/// vkCmdPipelineBarrier2. Fixed capacity, no allocation: past it, `record` flushes early.
class BarrierBatch {
public:
    static constexpr std::size_t kCapacity = 32;

    /// Moves `state` to `usage`, adding a barrier when the two conflict: a layout change,
    /// or a write on either side. Reads after reads in one layout only widen the state,
    /// so a later write waits for every reader.
    void image(VkCommandBuffer commandBuffer, VkImage image, VkImageAspectFlags aspect,
               ResourceState& state, ResourceUsage usage) noexcept;
    void buffer(VkCommandBuffer commandBuffer, VkBuffer buffer, ResourceState& state,
                ResourceUsage usage) noexcept;

    /// Records what was collected (if anything) and empties the batch.
    void record(VkCommandBuffer commandBuffer) noexcept;

    [[nodiscard]] std::size_t pending() const noexcept { return images_ + buffers_; }
    /// Barriers recorded since construction, for tests and reports.
    [[nodiscard]] std::uint64_t recorded() const noexcept { return recorded_; }

private:
    std::array<VkImageMemoryBarrier2, kCapacity> imageBarriers_{};
    std::array<VkBufferMemoryBarrier2, kCapacity> bufferBarriers_{};
    std::uint32_t images_ = 0;
    std::uint32_t buffers_ = 0;
    std::uint64_t recorded_ = 0;
};

}  // namespace vixen::gpu
