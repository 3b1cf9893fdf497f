#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

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

    friend bool operator==(const ResourceState&, const ResourceState&) = default;
};

/// What one barrier must carry to move a resource from one use to the next.
struct BarrierDependency {
    VkPipelineStageFlags2 srcStages = VK_PIPELINE_STAGE_2_NONE;
    VkAccessFlags2 srcAccesses = VK_ACCESS_2_NONE;
    VkPipelineStageFlags2 dstStages = VK_PIPELINE_STAGE_2_NONE;
    VkAccessFlags2 dstAccesses = VK_ACCESS_2_NONE;
    VkImageLayout oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    VkImageLayout newLayout = VK_IMAGE_LAYOUT_UNDEFINED;
};

/// Advances `state` to `next`; the dependency a barrier must carry, if any: before a write
/// (after the last write and every reader since), before a layout change (`hasLayout`:
/// images), and before a read the last write has not been made visible to. A read already
/// covered needs nothing; every read is remembered, so a later write waits for all readers.
[[nodiscard]] std::optional<BarrierDependency> advanceState(ResourceState& state,
                                                            const UsageScope& next,
                                                            bool hasLayout) noexcept;
[[nodiscard]] VkImageMemoryBarrier2 imageBarrier(const BarrierDependency& dependency, VkImage image,
                                                 VkImageAspectFlags aspect) noexcept;
[[nodiscard]] VkBufferMemoryBarrier2 bufferBarrier(const BarrierDependency& dependency,
                                                   VkBuffer buffer) noexcept;

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
    std::array<VkImageMemoryBarrier2, kCapacity> imageBarriers_{};
    std::array<VkBufferMemoryBarrier2, kCapacity> bufferBarriers_{};
    std::uint32_t images_ = 0;
    std::uint32_t buffers_ = 0;
    std::uint64_t recorded_ = 0;
};

/// Barriers derived once, at compile, and replayed every frame: one group per recording step
/// (a GPU node), each recorded with one vkCmdPipelineBarrier2. Derivation moves the states
/// like BarrierBatch; the first state each resource had is remembered, so the runtime can
/// tell what a frame that replays the groups leaves behind. Grows while derived (compile),
/// never while replayed.
class BakedBarriers {
public:
    /// Forgets every group and remembered state; keeps the storage.
    void clear() noexcept;
    /// Starts the next group; the barriers added until the next call belong to it.
    void beginGroup();
    void image(VkImage image, VkImageAspectFlags aspect, ResourceState& state, ResourceUsage usage);
    void buffer(VkBuffer buffer, ResourceState& state, ResourceUsage usage);
    /// Where batches start (1) when consecutive groups of the same `batchOf` value (a wave
    /// of independent nodes, say) are batched: a group joins the open batch unless it uses
    /// an image or buffer that another group of the batch has a barrier for, or has one for
    /// what another uses (those uses must stay in order).
    [[nodiscard]] std::vector<std::uint8_t> batchStarts(
        std::span<const std::uint32_t> batchOf) const;
    /// Fits group `group`'s barriers to a compute-only queue: stages it lacks (graphics ones,
    /// of a use on the graphics queue) become ALL_COMMANDS and accesses only graphics makes are
    /// dropped. Sound where the queue first waited, at all commands, on a semaphore the other
    /// queue signalled after those uses: that wait already ordered them and made their writes
    /// visible; the barrier still orders this queue's work and changes the layout.
    void fitToComputeQueue(std::uint32_t group) noexcept;
    /// Makes the groups replayable (call after the last barrier is added): each batch's
    /// barriers are recorded as one vkCmdPipelineBarrier2 before its first group; `starts`
    /// empty: every group is a batch of its own.
    void seal(std::span<const std::uint8_t> starts = {});

    /// Records what is due before group `group`: its barriers, those of the groups batched
    /// with it, or nothing. Allocates nothing.
    void record(VkCommandBuffer commandBuffer, std::uint32_t group) const noexcept;
    /// vkCmdPipelineBarrier2 calls a replay of every group makes.
    [[nodiscard]] std::size_t recordCalls() const noexcept;

    [[nodiscard]] std::uint32_t groupCount() const noexcept {
        return static_cast<std::uint32_t>(groups_.size());
    }
    [[nodiscard]] std::size_t barrierCount() const noexcept {
        return images_.size() + buffers_.size();
    }
    [[nodiscard]] std::span<const VkImageMemoryBarrier2> images(std::uint32_t group) const noexcept;
    [[nodiscard]] std::span<const VkBufferMemoryBarrier2> buffers(
        std::uint32_t group) const noexcept;
    /// Every state derivation touched, with its value before the first touch.
    [[nodiscard]] std::span<const std::pair<ResourceState*, ResourceState>> touched()
        const noexcept {
        return touched_;
    }

private:
    void remember(ResourceState& state);

    struct Group {
        std::uint32_t firstImage = 0;
        std::uint32_t imageCount = 0;
        std::uint32_t firstBuffer = 0;
        std::uint32_t bufferCount = 0;
        std::uint32_t firstUse = 0;  ///< in uses_
        std::uint32_t useCount = 0;
    };
    /// Every resource a group uses, with or without a barrier: what batching must respect.
    struct Use {
        std::uint64_t handle = 0;
        bool barrier = false;
    };
    void use(std::uint64_t handle, bool barrier);
    std::vector<VkImageMemoryBarrier2> images_;
    std::vector<VkBufferMemoryBarrier2> buffers_;
    std::vector<Group> groups_;
    std::vector<VkDependencyInfo> dependencies_;  // one per group, pointing into the above
    std::vector<std::pair<ResourceState*, ResourceState>> touched_;
    std::vector<Use> uses_;
};

}  // namespace vixen::gpu
