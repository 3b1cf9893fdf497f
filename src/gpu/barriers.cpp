#include "vixen/gpu/barriers.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

namespace vixen::gpu {
namespace {

constexpr VkAccessFlags2 kWriteAccesses = VK_ACCESS_2_TRANSFER_WRITE_BIT |
                                          VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT |
                                          VK_ACCESS_2_COLOR_ATTACHMENT_WRITE_BIT |
                                          VK_ACCESS_2_MEMORY_WRITE_BIT | VK_ACCESS_2_HOST_WRITE_BIT;
constexpr VkAccessFlags2 kShaderReads = VK_ACCESS_2_SHADER_SAMPLED_READ_BIT |
                                        VK_ACCESS_2_SHADER_STORAGE_READ_BIT |
                                        VK_ACCESS_2_UNIFORM_READ_BIT;
constexpr VkPipelineStageFlags2 kGraphicsShaders =
    VK_PIPELINE_STAGE_2_VERTEX_SHADER_BIT | VK_PIPELINE_STAGE_2_FRAGMENT_SHADER_BIT;

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
        case ResourceUsage::RayTracingRead:
            return "ray tracing read";
        case ResourceUsage::RayTracingWrite:
            return "ray tracing write";
        case ResourceUsage::HostRead:
            return "host read";
        case ResourceUsage::HostWrite:
            return "host write";
    }
    return "?";
}

UsageScope UsageScope::of(ResourceUsage usage, ResourceKind kind) noexcept {
    const bool buffer = kind == ResourceKind::Buffer;
    switch (usage) {
        case ResourceUsage::TransferRead:
            return {VK_PIPELINE_STAGE_2_TRANSFER_BIT, VK_ACCESS_2_TRANSFER_READ_BIT,
                    VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, false};
        case ResourceUsage::TransferWrite:
            return {VK_PIPELINE_STAGE_2_TRANSFER_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT,
                    VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, true};
        case ResourceUsage::ComputeRead:
            // A buffer read by compute may also hold the arguments of an indirect dispatch.
            return {
                buffer
                    ? VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_2_DRAW_INDIRECT_BIT
                    : VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                buffer ? kShaderReads | VK_ACCESS_2_INDIRECT_COMMAND_READ_BIT
                       : VK_ACCESS_2_SHADER_SAMPLED_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_READ_BIT,
                VK_IMAGE_LAYOUT_GENERAL, false};
        case ResourceUsage::ComputeWrite:
            return {VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                    VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                    VK_IMAGE_LAYOUT_GENERAL, true};
        case ResourceUsage::FragmentRead:
            if (buffer) {
                // Vertices, indices, indirect draws, uniforms and storage in graphics shaders.
                return {kGraphicsShaders | VK_PIPELINE_STAGE_2_VERTEX_INPUT_BIT |
                            VK_PIPELINE_STAGE_2_DRAW_INDIRECT_BIT,
                        kShaderReads | VK_ACCESS_2_VERTEX_ATTRIBUTE_READ_BIT |
                            VK_ACCESS_2_INDEX_READ_BIT | VK_ACCESS_2_INDIRECT_COMMAND_READ_BIT,
                        VK_IMAGE_LAYOUT_UNDEFINED, false};
            }
            return {VK_PIPELINE_STAGE_2_FRAGMENT_SHADER_BIT, VK_ACCESS_2_SHADER_SAMPLED_READ_BIT,
                    VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, false};
        case ResourceUsage::ColorAttachment:
            if (buffer) {
                return {kGraphicsShaders,
                        VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                        VK_IMAGE_LAYOUT_UNDEFINED, true};
            }
            return {VK_PIPELINE_STAGE_2_COLOR_ATTACHMENT_OUTPUT_BIT,
                    VK_ACCESS_2_COLOR_ATTACHMENT_READ_BIT | VK_ACCESS_2_COLOR_ATTACHMENT_WRITE_BIT,
                    VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, true};
        case ResourceUsage::RayTracingRead:
            return {VK_PIPELINE_STAGE_2_RAY_TRACING_SHADER_BIT_KHR,
                    buffer
                        ? kShaderReads
                        : VK_ACCESS_2_SHADER_SAMPLED_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_READ_BIT,
                    VK_IMAGE_LAYOUT_GENERAL, false};
        case ResourceUsage::RayTracingWrite:
            return {VK_PIPELINE_STAGE_2_RAY_TRACING_SHADER_BIT_KHR,
                    VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                    VK_IMAGE_LAYOUT_GENERAL, true};
        case ResourceUsage::Present:
            // The presentation engine's access is made visible by the present semaphore.
            return {VK_PIPELINE_STAGE_2_NONE, VK_ACCESS_2_NONE, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR,
                    false};
        case ResourceUsage::HostRead:
            return {VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT,
                    VK_IMAGE_LAYOUT_GENERAL, false};
        case ResourceUsage::HostWrite:
            return {VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_WRITE_BIT,
                    VK_IMAGE_LAYOUT_GENERAL, true};
    }
    return {};
}

ResourceState ResourceState::discarded() noexcept {
    ResourceState state;
    state.writeStages = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    state.writeAccesses = VK_ACCESS_2_MEMORY_WRITE_BIT;
    return state;
}

ResourceState ResourceState::settled(VkImageLayout layout) noexcept {
    ResourceState state;
    state.writeStages = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    state.layout = layout;
    return state;
}

std::optional<BarrierDependency> advanceState(ResourceState& state, const UsageScope& next,
                                              bool hasLayout) noexcept {
    const bool layoutChange = hasLayout && state.layout != next.layout;
    if (next.writes || layoutChange) {
        // A write (or a transition, which writes) waits for the last write and every reader
        // since; only the write's accesses need making available.
        const BarrierDependency dependency{state.writeStages | state.readStages,
                                           state.writeAccesses,
                                           next.stages,
                                           next.accesses,
                                           state.layout,
                                           hasLayout ? next.layout : state.layout};
        state.writeStages = next.stages;
        state.writeAccesses = next.writes ? (next.accesses & kWriteAccesses) : VK_ACCESS_2_NONE;
        state.readStages = next.writes ? VK_PIPELINE_STAGE_2_NONE : next.stages;
        // A transition for a read: the reader sees the data the barrier made visible to it.
        state.visibleStages = next.writes ? VK_PIPELINE_STAGE_2_NONE : next.stages;
        state.visibleAccesses = next.writes ? VK_ACCESS_2_NONE : next.accesses;
        state.layout = hasLayout ? next.layout : state.layout;
        return dependency;
    }
    state.readStages |= next.stages;
    const bool seen =
        (next.stages & ~state.visibleStages) == 0 && (next.accesses & ~state.visibleAccesses) == 0;
    if (seen || state.writeStages == VK_PIPELINE_STAGE_2_NONE) {
        return std::nullopt;  // already visible, or nothing was ever written
    }
    state.visibleStages |= next.stages;
    state.visibleAccesses |= next.accesses;
    return BarrierDependency{state.writeStages, state.writeAccesses, next.stages,
                             next.accesses,     state.layout,        state.layout};
}

VkImageMemoryBarrier2 imageBarrier(const BarrierDependency& dependency, VkImage image,
                                   VkImageAspectFlags aspect) noexcept {
    VkImageMemoryBarrier2 barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER_2;
    barrier.srcStageMask = dependency.srcStages;
    barrier.srcAccessMask = dependency.srcAccesses;
    barrier.dstStageMask = dependency.dstStages;
    barrier.dstAccessMask = dependency.dstAccesses;
    barrier.oldLayout = dependency.oldLayout;
    barrier.newLayout = dependency.newLayout;
    barrier.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.image = image;
    barrier.subresourceRange = {aspect, 0, VK_REMAINING_MIP_LEVELS, 0, VK_REMAINING_ARRAY_LAYERS};
    return barrier;
}

VkBufferMemoryBarrier2 bufferBarrier(const BarrierDependency& dependency,
                                     VkBuffer buffer) noexcept {
    VkBufferMemoryBarrier2 barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER_2;
    barrier.srcStageMask = dependency.srcStages;
    barrier.srcAccessMask = dependency.srcAccesses;
    barrier.dstStageMask = dependency.dstStages;
    barrier.dstAccessMask = dependency.dstAccesses;
    barrier.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.buffer = buffer;
    barrier.offset = 0;
    barrier.size = VK_WHOLE_SIZE;
    return barrier;
}

void BarrierBatch::image(VkCommandBuffer commandBuffer, VkImage image, VkImageAspectFlags aspect,
                         ResourceState& state, ResourceUsage usage) noexcept {
    const std::optional<BarrierDependency> dependency =
        advanceState(state, UsageScope::of(usage), true);
    if (!dependency) {
        return;
    }
    if (images_ == kCapacity) {
        record(commandBuffer);
    }
    imageBarriers_[images_++] = imageBarrier(*dependency, image, aspect);
}

void BarrierBatch::buffer(VkCommandBuffer commandBuffer, VkBuffer buffer, ResourceState& state,
                          ResourceUsage usage) noexcept {
    const std::optional<BarrierDependency> dependency =
        advanceState(state, UsageScope::of(usage, ResourceKind::Buffer), false);
    if (!dependency) {
        return;
    }
    if (buffers_ == kCapacity) {
        record(commandBuffer);
    }
    bufferBarriers_[buffers_++] = bufferBarrier(*dependency, buffer);
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

// ---- BakedBarriers ----------------------------------------------------------------------

void BakedBarriers::clear() noexcept {
    uses_.clear();
    images_.clear();
    buffers_.clear();
    groups_.clear();
    dependencies_.clear();
    touched_.clear();
}

void BakedBarriers::beginGroup() {
    groups_.push_back(Group{static_cast<std::uint32_t>(images_.size()), 0,
                            static_cast<std::uint32_t>(buffers_.size()), 0,
                            static_cast<std::uint32_t>(uses_.size()), 0});
}

void BakedBarriers::remember(ResourceState& state) {
    for (const auto& [known, before] : touched_) {
        if (known == &state) {
            return;
        }
    }
    touched_.emplace_back(&state, state);
}

void BakedBarriers::use(std::uint64_t handle, bool barrier) {
    uses_.push_back(Use{handle, barrier});
    ++groups_.back().useCount;
}

void BakedBarriers::image(VkImage image, VkImageAspectFlags aspect, ResourceState& state,
                          ResourceUsage usage) {
    assert(!groups_.empty());
    remember(state);
    const auto dependency = advanceState(state, UsageScope::of(usage), true);
    if (dependency) {
        images_.push_back(imageBarrier(*dependency, image, aspect));
        ++groups_.back().imageCount;
    }
    use(reinterpret_cast<std::uint64_t>(image), dependency.has_value());
}

void BakedBarriers::buffer(VkBuffer buffer, ResourceState& state, ResourceUsage usage) {
    assert(!groups_.empty());
    remember(state);
    const auto dependency = advanceState(state, UsageScope::of(usage, ResourceKind::Buffer), false);
    if (dependency) {
        buffers_.push_back(bufferBarrier(*dependency, buffer));
        ++groups_.back().bufferCount;
    }
    use(reinterpret_cast<std::uint64_t>(buffer), dependency.has_value());
}

std::vector<std::uint8_t> BakedBarriers::batchStarts(std::span<const std::uint32_t> batchOf) const {
    assert(batchOf.size() == groups_.size());
    std::vector<std::uint8_t> starts(groups_.size(), 1);
    std::vector<Use> batchUses;  // what the open batch uses, and whether with a barrier
    for (std::size_t g = 0; g < groups_.size(); ++g) {
        const Group& group = groups_[g];
        const std::span<const Use> uses(uses_.data() + group.firstUse, group.useCount);
        bool joins = g > 0 && batchOf[g] == batchOf[g - 1];
        for (const Use& next : uses) {
            for (const Use& earlier : batchUses) {
                joins =
                    joins && !(earlier.handle == next.handle && (earlier.barrier || next.barrier));
            }
        }
        if (joins) {
            starts[g] = 0;
        } else {
            batchUses.clear();
        }
        batchUses.insert(batchUses.end(), uses.begin(), uses.end());
    }
    return starts;
}

void BakedBarriers::seal(std::span<const std::uint8_t> starts) {
    assert(starts.empty() || starts.size() == groups_.size());
    dependencies_.assign(groups_.size(), VkDependencyInfo{});
    std::size_t batchStart = 0;
    for (std::size_t g = 0; g < groups_.size(); ++g) {
        if (starts.empty() || starts[g] != 0) {
            batchStart = g;
        }
        // A batch's barriers are contiguous: it records from its first group to this one.
        const Group& first = groups_[batchStart];
        const Group& group = groups_[g];
        VkDependencyInfo& dependency = dependencies_[batchStart];
        dependency.sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO;
        dependency.imageMemoryBarrierCount = group.firstImage + group.imageCount - first.firstImage;
        dependency.pImageMemoryBarriers = images_.data() + first.firstImage;
        dependency.bufferMemoryBarrierCount =
            group.firstBuffer + group.bufferCount - first.firstBuffer;
        dependency.pBufferMemoryBarriers = buffers_.data() + first.firstBuffer;
    }
}

std::size_t BakedBarriers::recordCalls() const noexcept {
    return static_cast<std::size_t>(
        std::count_if(dependencies_.begin(), dependencies_.end(), [](const VkDependencyInfo& d) {
            return d.imageMemoryBarrierCount + d.bufferMemoryBarrierCount > 0;
        }));
}

namespace {

constexpr VkPipelineStageFlags2 kGraphicsOnlyStages =
    VK_PIPELINE_STAGE_2_VERTEX_INPUT_BIT | VK_PIPELINE_STAGE_2_VERTEX_SHADER_BIT |
    VK_PIPELINE_STAGE_2_TESSELLATION_CONTROL_SHADER_BIT |
    VK_PIPELINE_STAGE_2_TESSELLATION_EVALUATION_SHADER_BIT |
    VK_PIPELINE_STAGE_2_GEOMETRY_SHADER_BIT | VK_PIPELINE_STAGE_2_FRAGMENT_SHADER_BIT |
    VK_PIPELINE_STAGE_2_EARLY_FRAGMENT_TESTS_BIT | VK_PIPELINE_STAGE_2_LATE_FRAGMENT_TESTS_BIT |
    VK_PIPELINE_STAGE_2_COLOR_ATTACHMENT_OUTPUT_BIT | VK_PIPELINE_STAGE_2_ALL_GRAPHICS_BIT |
    VK_PIPELINE_STAGE_2_INDEX_INPUT_BIT | VK_PIPELINE_STAGE_2_VERTEX_ATTRIBUTE_INPUT_BIT |
    VK_PIPELINE_STAGE_2_PRE_RASTERIZATION_SHADERS_BIT;
constexpr VkAccessFlags2 kGraphicsOnlyAccesses =
    VK_ACCESS_2_INDEX_READ_BIT | VK_ACCESS_2_VERTEX_ATTRIBUTE_READ_BIT |
    VK_ACCESS_2_INPUT_ATTACHMENT_READ_BIT | VK_ACCESS_2_COLOR_ATTACHMENT_READ_BIT |
    VK_ACCESS_2_COLOR_ATTACHMENT_WRITE_BIT | VK_ACCESS_2_DEPTH_STENCIL_ATTACHMENT_READ_BIT |
    VK_ACCESS_2_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT;

template <class Barrier>
void fitToCompute(Barrier& barrier) noexcept {
    for (auto [stages, accesses] : {std::pair{&barrier.srcStageMask, &barrier.srcAccessMask},
                                    std::pair{&barrier.dstStageMask, &barrier.dstAccessMask}}) {
        if ((*stages & kGraphicsOnlyStages) != 0) {
            *stages = (*stages & ~kGraphicsOnlyStages) | VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
        }
        *accesses &= ~kGraphicsOnlyAccesses;
    }
}

}  // namespace

void BakedBarriers::fitToComputeQueue(std::uint32_t group) noexcept {
    const Group& at = groups_[group];
    for (std::uint32_t i = 0; i < at.imageCount; ++i) {
        fitToCompute(images_[at.firstImage + i]);
    }
    for (std::uint32_t i = 0; i < at.bufferCount; ++i) {
        fitToCompute(buffers_[at.firstBuffer + i]);
    }
}

void BakedBarriers::record(VkCommandBuffer commandBuffer, std::uint32_t group) const noexcept {
    const VkDependencyInfo& dependency = dependencies_[group];
    if (dependency.imageMemoryBarrierCount + dependency.bufferMemoryBarrierCount > 0) {
        vkCmdPipelineBarrier2(commandBuffer, &dependency);
    }
}

std::span<const VkImageMemoryBarrier2> BakedBarriers::images(std::uint32_t group) const noexcept {
    return {images_.data() + groups_[group].firstImage, groups_[group].imageCount};
}

std::span<const VkBufferMemoryBarrier2> BakedBarriers::buffers(std::uint32_t group) const noexcept {
    return {buffers_.data() + groups_[group].firstBuffer, groups_[group].bufferCount};
}

}  // namespace vixen::gpu
