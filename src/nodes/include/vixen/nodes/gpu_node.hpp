#pragma once

#include <vulkan/vulkan.h>

#include <string_view>

#include "vixen/gpu/barriers.hpp"
#include "vixen/graph/node.hpp"
#include "vixen/nodes/gpu_runtime.hpp"

namespace vixen::nodes {

/// The GPU usage a slot's declared access and stage kind stand for.
[[nodiscard]] constexpr gpu::ResourceUsage usageOf(const graph::SlotOptions& options) noexcept {
    const bool writes = options.access != graph::Access::Read;
    switch (options.stage) {
        case graph::StageKind::Transfer:
            return writes ? gpu::ResourceUsage::TransferWrite : gpu::ResourceUsage::TransferRead;
        case graph::StageKind::Compute:
            return writes ? gpu::ResourceUsage::ComputeWrite : gpu::ResourceUsage::ComputeRead;
        case graph::StageKind::Graphics:
            return writes ? gpu::ResourceUsage::ColorAttachment : gpu::ResourceUsage::FragmentRead;
        default:
            return gpu::ResourceUsage::Present;
    }
}

namespace detail {

template <class Config>
constexpr bool gpuSlotsDeclareTheirStage() {
    const graph::NodeTypeInfo& info = *graph::nodeTypeInfoOf<Config>();
    const auto concrete = [](const graph::SlotDesc& slot) {
        if (slot.type != graph::typeInfoOf<GpuImage>()) {
            return true;
        }
        const graph::StageKind stage = slot.options.stage;
        return stage == graph::StageKind::Transfer || stage == graph::StageKind::Compute ||
               stage == graph::StageKind::Graphics || stage == graph::StageKind::Present;
    };
    for (const graph::SlotDesc& slot : info.inputs) {
        if (!concrete(slot)) {
            return false;
        }
    }
    for (const graph::SlotDesc& slot : info.outputs) {
        if (!concrete(slot)) {
            return false;
        }
    }
    return true;
}

}  // namespace detail

/// Base of every node that records GPU work. Before `record` runs, every GpuImage slot is
/// brought to the usage the slot declares (one batch of sync2 barriers, layout transitions
/// included); no node records a barrier for its slots by hand. In a sequential graph the
/// node records into the frame's command buffer; in a parallel one into a secondary command
/// buffer of its own, whose slot barriers the runtime records beforehand, in order.
template <class Config>
class GpuNode : public graph::TypedNode<Config>, public GpuNodeBase {
    static_assert(detail::gpuSlotsDeclareTheirStage<Config>(),
                  "every GpuImage slot must declare its stage: Transfer, Compute, Graphics or "
                  "Present (SlotOptions::stage)");

public:
    [[nodiscard]] graph::NodeId gpuNodeId() const noexcept final { return this->id(); }

    void recordSlotBarriers(VkCommandBuffer commandBuffer,
                            gpu::BarrierBatch& barriers) const noexcept final {
        const graph::NodeTypeInfo& info = this->type();
        for (std::uint32_t i = 0; i < info.inputs.size(); ++i) {
            if (info.inputs[i].type != graph::typeInfoOf<GpuImage>()) {
                continue;
            }
            const graph::InputBinding& binding = this->inputBinding(i);
            for (std::uint32_t k = 0; k < binding.count; ++k) {
                transition(barriers, commandBuffer,
                           *static_cast<const GpuImage*>(binding.resources[k]),
                           usageOf(info.inputs[i].options), false);
            }
        }
        for (std::uint32_t i = 0; writesOutputsEachFrame() && i < info.outputs.size(); ++i) {
            if (info.outputs[i].type == graph::typeInfoOf<GpuImage>()) {
                transition(barriers, commandBuffer,
                           *static_cast<const GpuImage*>(this->outputResource(i)),
                           usageOf(info.outputs[i].options), true);
            }
        }
        barriers.record(commandBuffer);
    }

protected:
    explicit GpuNode(GpuRuntime& runtime) noexcept : runtime_(runtime) {}

    /// Records the node's work; the slots' barriers are already in place. Barriers of the
    /// node's own resources go through `runtime().barriers(context.workerIndex)`.
    virtual void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) = 0;

    void execute(const graph::ExecuteContext& context) final {
        if (runtime_.recordsInParallel()) {
            // The runtime began this node's command buffer and recorded its slot barriers.
            const VkCommandBuffer commandBuffer = runtime_.nodeCommandBuffer(this->id());
            if (commandBuffer != VK_NULL_HANDLE) {
                record(commandBuffer, context);
                runtime_.endNodeCommandBuffer(this->id());
            }
            return;
        }
        const VkCommandBuffer commandBuffer = runtime_.commandBuffer();
        recordSlotBarriers(commandBuffer, runtime_.barriers(0));
        runtime_.beginNodeScope(commandBuffer, this->id());
        record(commandBuffer, context);
        runtime_.endNodeScope(commandBuffer, this->id());
    }

    [[nodiscard]] GpuRuntime& runtime() const noexcept { return runtime_; }

    /// False for a node whose outputs are made at compile (uploaded data, say) and only read
    /// afterwards: its outputs keep the state compile left them in, and `record` must not
    /// write them.
    [[nodiscard]] virtual bool writesOutputsEachFrame() const noexcept { return true; }

    /// Creates `target`'s image: in memory shared with other transients when `transient`
    /// (the graph plans lifetimes from the node's `transientBytes` estimate).
    Result<void> createImage(GpuImage& target, const gpu::ImageDesc& desc, std::string_view what,
                             bool transient) {
        releaseImage(target);
        Result<gpu::Image> image = [&] {
            if (!transient) {
                return gpu::Image::create(runtime_.device(), runtime_.allocator(), desc, what);
            }
            return gpu::Image::createInMemory(
                runtime_.device(), desc, what,
                [&](const VkMemoryRequirements& requirements) {
                    return runtime_.allocateTransient(this->id(), requirements, what,
                                                      target.aliased);
                },
                [&](const gpu::MemoryAllocation& memory) { runtime_.freeTransient(memory); });
        }();
        if (!image) {
            target.aliased = false;
            return std::unexpected(std::move(image.error()));
        }
        target.image = std::move(*image);
        target.transientMemory = transient;
        // Its memory may have served something else in a frame still in flight.
        target.state = gpu::ResourceState::discarded();
        return {};
    }

    /// Destroys `target`'s image and returns its memory (the GPU must be done with it).
    void releaseImage(GpuImage& target) noexcept {
        const gpu::MemoryAllocation memory = target.image.allocation();
        target.image.reset();
        if (target.transientMemory) {
            runtime_.freeTransient(memory);
        }
        target.transientMemory = false;
        target.aliased = false;
        target.state = gpu::ResourceState{};
    }

private:
    static void transition(gpu::BarrierBatch& barriers, VkCommandBuffer commandBuffer,
                           const GpuImage& image, gpu::ResourceUsage usage, bool producer) {
        if (producer && image.aliased) {
            image.state = gpu::ResourceState::discarded();
        }
        barriers.image(commandBuffer, image.image.handle(), image.image.desc().aspect, image.state,
                       usage);
    }
    GpuRuntime& runtime_;
};

}  // namespace vixen::nodes
