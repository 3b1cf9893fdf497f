#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace vixen::gpu {

/// How one piece of GPU work uses an image or a buffer. Nodes declare it through their
/// slots; the barriers between uses are derived from it, never written by hand.
enum class ResourceUsage : std::uint8_t {
    TransferRead,
    TransferWrite,
    ComputeRead,      ///< sampled, storage or uniform reads in a compute shader (and indirect)
    ComputeWrite,     ///< storage writes (and reads) in a compute shader
    FragmentRead,     ///< images: sampled in graphics shaders; buffers: any graphics read
    ColorAttachment,  ///< images: a colour attachment; buffers: storage writes in graphics
    RayTracingRead,   ///< sampled, storage or uniform reads in ray-tracing shaders
    RayTracingWrite,  ///< storage writes (and reads) in ray-tracing shaders
    Present,          ///< handed to the presentation engine
    HostRead,         ///< read by the CPU after the GPU is done (readback buffers)
    HostWrite,        ///< written by the CPU before the GPU reads it (mapped buffers)
};
[[nodiscard]] std::string_view toString(ResourceUsage usage) noexcept;

/// Which kind of resource a barrier is for: the same usage touches images and buffers
/// through different accesses (a buffer is read as vertices or indices, an image sampled).
enum class ResourceKind : std::uint8_t { Image, Buffer };

/// What one usage does: its stages, accesses and image layout, and whether it writes.
struct UsageScope {
    VkPipelineStageFlags2 stages = VK_PIPELINE_STAGE_2_NONE;
    VkAccessFlags2 accesses = VK_ACCESS_2_NONE;
    VkImageLayout layout = VK_IMAGE_LAYOUT_UNDEFINED;
    bool writes = false;

    [[nodiscard]] static UsageScope of(ResourceUsage usage,
                                       ResourceKind kind = ResourceKind::Image) noexcept;
};

/// A resource's synchronization state as the barrier logic tracks it: the last write (or
/// layout transition), the readers since, and which readers have already been made to see
/// that write. Default: never written, layout undefined.
struct ResourceState {
    VkPipelineStageFlags2 writeStages = VK_PIPELINE_STAGE_2_NONE;
    VkAccessFlags2 writeAccesses = VK_ACCESS_2_NONE;
    VkPipelineStageFlags2 readStages = VK_PIPELINE_STAGE_2_NONE;     ///< since the last write
    VkPipelineStageFlags2 visibleStages = VK_PIPELINE_STAGE_2_NONE;  ///< see the last write
    VkAccessFlags2 visibleAccesses = VK_ACCESS_2_NONE;
    VkImageLayout layout = VK_IMAGE_LAYOUT_UNDEFINED;

    /// "Anything may have touched it, contents are not needed": what a resource starts from
    /// when its memory may have been used by something else (aliased transients, memory
    /// given back and taken again).
    [[nodiscard]] static ResourceState discarded() noexcept;
    /// The state work outside the graph left behind: `layout`, every earlier command
    /// finished with it and its writes visible (an upload batch ends with such a barrier).
    [[nodiscard]] static ResourceState settled(VkImageLayout layout) noexcept;
};

/// Collects the sync2 barriers one node needs before it records, then records them in one
/// vkCmdPipelineBarrier2. Fixed capacity, no allocation: past it, `record` flushes early.
class BarrierBatch {
public:
    static constexpr std::size_t kCapacity = 32;

    /// The barriers collected and not yet recorded (for tests and reports).
    [[nodiscard]] std::span<const VkImageMemoryBarrier2> pendingImages() const noexcept {
        return {imageBarriers_.data(), images_};
    }
    [[nodiscard]] std::span<const VkBufferMemoryBarrier2> pendingBuffers() const noexcept {
        return {bufferBarriers_.data(), buffers_};
    }

    /// Moves `state` to `usage`, adding a barrier when needed: before a write (after the
    /// last write and every reader since), before a layout change, and before a read the
    /// last write has not been made visible to. A read already covered adds nothing; every
    /// read is remembered, so a later write waits for all readers.
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
    struct Dependency {
        VkPipelineStageFlags2 srcStages = VK_PIPELINE_STAGE_2_NONE;
        VkAccessFlags2 srcAccesses = VK_ACCESS_2_NONE;
        VkPipelineStageFlags2 dstStages = VK_PIPELINE_STAGE_2_NONE;
        VkAccessFlags2 dstAccesses = VK_ACCESS_2_NONE;
        VkImageLayout oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
        VkImageLayout newLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    };
    /// Advances `state` to `next`; the dependency a barrier must carry, if any.
    static std::optional<Dependency> advance(ResourceState& state, const UsageScope& next,
                                             bool hasLayout) noexcept;

    std::array<VkImageMemoryBarrier2, kCapacity> imageBarriers_{};
    std::array<VkBufferMemoryBarrier2, kCapacity> bufferBarriers_{};
    std::uint32_t images_ = 0;
    std::uint32_t buffers_ = 0;
    std::uint64_t recorded_ = 0;
};

}  // namespace vixen::gpu
