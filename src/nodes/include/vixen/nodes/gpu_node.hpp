#pragma once

#include <fmt/format.h>
#include <vulkan/vulkan.h>

#include <array>
#include <concepts>
#include <string>
#include <string_view>
#include <vector>

#include "vixen/gpu/barriers.hpp"
#include "vixen/graph/node.hpp"
#include "vixen/nodes/gpu_resource.hpp"
#include "vixen/nodes/gpu_runtime.hpp"

namespace vixen::nodes {

/// What a producer's `createOutput` did: made the resource, or kept a persistent one whose
/// description did not change (its contents and barrier state are as the last frame left
/// them, so an upload need not be repeated).
enum class OutputOrigin : std::uint8_t { Created, Kept };

namespace detail {

/// One slot as the runtime sees it: the usage it declares and how to bring a resource of
/// its type there. `transition` is null for a slot that is not a GPU resource.
struct GpuSlotOps {
    gpu::ResourceUsage usage = gpu::ResourceUsage::TransferRead;
    /// A history slot: how many earlier frames the node reads, and in which use.
    std::uint32_t history = 0;
    gpu::ResourceUsage historyUsage = gpu::ResourceUsage::TransferRead;
    void (*transition)(gpu::BakedBarriers& barriers, const void* resource, gpu::ResourceUsage usage,
                       bool producer) = nullptr;
    void (*retire)(GpuRuntime& runtime, graph::NodeId node, std::uint32_t output, void* resource,
                   bool keep) noexcept = nullptr;
};

template <GpuResource T>
void transitionSlot(gpu::BakedBarriers& barriers, const void* resource, gpu::ResourceUsage usage,
                    bool producer) {
    const T& typed = *static_cast<const T*>(resource);
    if constexpr (requires { typed.aliased; }) {
        if (producer && typed.aliased) {
            // Its memory served another transient since the last frame.
            typed.state = gpu::ResourceState::discarded();
        }
    }
    GpuResourceTraits<T>::transition(barriers, typed, usage);
}

template <GpuResource T>
void retireSlot(GpuRuntime& runtime, graph::NodeId node, std::uint32_t output, void* resource,
                bool keep) noexcept {
    T& typed = *static_cast<T*>(resource);
    if (keep) {
        runtime.park(node, output, typed);
    } else {
        runtime.release(typed);
    }
}

/// Each GPU resource slot must declare a stage kind its type allows; the failing
/// instantiation names the slot.
template <class S>
constexpr bool checkGpuSlot() {
    static_assert(gpuSlotDeclarationValid<typename S::ValueType>(S::kOptions),
                  "a GPU resource slot must declare a stage kind its type allows "
                  "(SlotOptions::stage): GpuImage takes Transfer, Compute, Graphics, RayTracing "
                  "or Present (read only); GpuBuffer takes Host, Transfer, Compute, Graphics or "
                  "RayTracing");
    return true;
}

template <class List>
struct GpuSlotTable;

template <class... Slots>
struct GpuSlotTable<graph::SlotList<Slots...>> {
    static constexpr bool kChecked = (checkGpuSlot<Slots>() && ...);
    /// Every GPU resource slot declares a stage the compute queue runs (async compute).
    static constexpr bool kComputeSlotsOnly =
        ((!GpuResource<typename Slots::ValueType> ||
          Slots::kOptions.stage == graph::StageKind::Compute ||
          Slots::kOptions.stage == graph::StageKind::Transfer) &&
         ...);

    template <graph::SlotDirection D>
    static constexpr auto ops() {
        constexpr std::size_t kCount =
            ((Slots::kDirection == D ? std::size_t{1} : std::size_t{0}) + ... + 0);
        std::array<GpuSlotOps, kCount> result{};
        [[maybe_unused]] std::size_t next = 0;
        (
            [&] {
                using T = typename Slots::ValueType;
                if constexpr (Slots::kDirection == D) {
                    if constexpr (GpuResource<T>) {
                        // An unmapped declaration already failed kChecked.
                        constexpr graph::SlotOptions kRead = [] {
                            graph::SlotOptions read = Slots::kOptions;
                            read.access = graph::Access::Read;
                            return read;
                        }();
                        result[next] = GpuSlotOps{
                            usageOf(Slots::kOptions).value_or(gpu::ResourceUsage::TransferRead),
                            Slots::kOptions.history,
                            usageOf(kRead).value_or(gpu::ResourceUsage::TransferRead),
                            &transitionSlot<T>, &retireSlot<T>};
                    }
                    ++next;
                }
            }(),
            ...);
        return result;
    }
};

template <class Config>
using GpuSlotsOf = GpuSlotTable<std::remove_cv_t<decltype(Config::slots)>>;

}  // namespace detail

/// Base of every node that records GPU work. Before `record` runs, every GPU resource slot
/// (GpuImage, GpuBuffer: see gpu_resource.hpp) is brought to the usage the slot declares (one
/// vkCmdPipelineBarrier2 of sync2 barriers, layout transitions included, derived once at
/// compile and replayed each frame); no node records a barrier for its slots by hand. Outputs are
/// made with `createOutput` at compile and released (or, when persistent, kept) by the runtime;
/// `release` frees what else the node made. In a sequential graph the node records into the frame's
/// command buffer; in a parallel one into a secondary command buffer of its own, whose slot
/// barriers the runtime records beforehand, in order.
template <class Config>
class GpuNode : public graph::TypedNode<Config>, public GpuNodeBase {
    static_assert(detail::GpuSlotsOf<Config>::kChecked);
    static constexpr auto kInputOps =
        detail::GpuSlotsOf<Config>::template ops<graph::SlotDirection::Input>();
    static constexpr auto kOutputOps =
        detail::GpuSlotsOf<Config>::template ops<graph::SlotDirection::Output>();

public:
    [[nodiscard]] graph::NodeId gpuNodeId() const noexcept final { return this->id(); }

    [[nodiscard]] bool computeSlotsOnly() const noexcept final {
        return detail::GpuSlotsOf<Config>::kComputeSlotsOnly;
    }

    void collectSlotResources(std::vector<const void*>& resources) const final {
        const auto addHistory = [&](const graph::HistoryRing* ring, std::uint32_t reads) {
            for (std::uint32_t k = 1; ring != nullptr && k <= reads; ++k) {
                resources.push_back(ring->elements[ring->elementBack(k)]);
            }
        };
        for (std::uint32_t i = 0; i < kInputOps.size(); ++i) {
            if (kInputOps[i].transition == nullptr) {
                continue;
            }
            const graph::InputBinding& binding = this->inputBinding(i);
            resources.insert(resources.end(), binding.resources, binding.resources + binding.count);
            addHistory(binding.history, kInputOps[i].history);
        }
        for (std::uint32_t i = 0; i < kOutputOps.size(); ++i) {
            if (kOutputOps[i].transition != nullptr) {
                resources.push_back(this->outputResource(i));
                if (readsOwnHistory()) {
                    addHistory(this->outputHistory(i), kOutputOps[i].history);
                }
            }
        }
    }

    void bakeSlotBarriers(gpu::BakedBarriers& barriers) const final {
        for (std::uint32_t i = 0; i < kInputOps.size(); ++i) {
            if (kInputOps[i].transition == nullptr) {
                continue;
            }
            const graph::InputBinding& binding = this->inputBinding(i);
            for (std::uint32_t k = 0; k < binding.count; ++k) {
                kInputOps[i].transition(barriers, binding.resources[k], kInputOps[i].usage, false);
            }
            bakeHistoryReads(barriers, binding.history, kInputOps[i]);
        }
        for (std::uint32_t i = 0; writesOutputsEachFrame() && i < kOutputOps.size(); ++i) {
            if (kOutputOps[i].transition != nullptr) {
                kOutputOps[i].transition(barriers, this->outputResource(i), kOutputOps[i].usage,
                                         true);
                if (readsOwnHistory()) {
                    bakeHistoryReads(barriers, this->outputHistory(i), kOutputOps[i]);
                }
            }
        }
    }

    /// Exports output `slot`: moves its resource out of the graph, with its state, once the
    /// GPU has finished every frame (this waits), so it outlives the graph; the caller owns
    /// it from then on. The node is marked dirty, so the next frame's recompile makes a new
    /// one (and rebuilds what reads it). A transient output, whose memory other transients
    /// share, cannot leave.
    template <class S>
    requires graph::OutputOf<S, Config> && GpuResource<typename S::ValueType> &&
        (S::kOptions.history == 0) Result<typename S::ValueType> detachOutput(S slot) {
        if (!this->slotsBound() || !this->Out(slot).valid()) {
            return fail(ErrorCode::InvalidState,
                        "node '{}': output '{}' has no resource to detach (compile the graph "
                        "first)",
                        this->name(), S::kName);
        }
        auto& target = this->Out(slot);
        if constexpr (requires { target.transientMemory; }) {
            if (target.transientMemory) {
                return fail(ErrorCode::InvalidArgument,
                            "node '{}': output '{}' is transient (its memory is shared with "
                            "other transients) and cannot be detached; make it non-transient",
                            this->name(), S::kName);
            }
        }
        VIXEN_TRY(runtime_.waitIdle());
        typename S::ValueType detached = std::move(target);
        target = typename S::ValueType{};
        runtime_.graph().markDirty(this->id());
        return detached;
    }

protected:
    explicit GpuNode(GpuRuntime& runtime) noexcept : runtime_(runtime) {}

    /// Records the node's work; the slots' barriers are already in place. Barriers of the
    /// node's own resources go through `runtime().barriers(context.workerIndex)`.
    virtual void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) = 0;

    /// Frees what the node made besides its outputs (pipelines, descriptor sets); its
    /// outputs are still bound when `context.slotsBound`. Default: nothing.
    virtual void release(const graph::CleanupContext& /*context*/) {}

    void execute(const graph::ExecuteContext& context) final {
        if (runtime_.recordsInParallel()) {
            // The worker's secondary for the node's batch; its barriers are in the primary.
            const VkCommandBuffer commandBuffer =
                runtime_.beginNodeCommandBuffer(this->id(), context.workerIndex);
            if (commandBuffer != VK_NULL_HANDLE) {
                runtime_.beginNodeScope(commandBuffer, this->id());
                record(commandBuffer, context);
                runtime_.endNodeScope(commandBuffer, this->id());
            }
            return;
        }
        const VkCommandBuffer commandBuffer = runtime_.commandBufferFor(this->id());
        if (context.loopStep > 0) {
            // A later step of the node's loop this frame: from what the step before left;
            // its time is not taken (a node's timestamps are written once a frame).
            runtime_.recordRepeatBarriers(commandBuffer, this->id());
            record(commandBuffer, context);
            return;
        }
        runtime_.recordSlotBarriers(commandBuffer, this->id());
        runtime_.beginNodeScope(commandBuffer, this->id());
        record(commandBuffer, context);
        runtime_.endNodeScope(commandBuffer, this->id());
    }

    /// A frame on which the node's loop takes no step: its slot barriers still go in (no
    /// work between them), so the resources end the frame in the states the barriers after
    /// the loop were derived from; its outputs keep their contents.
    void skip(const graph::ExecuteContext& /*context*/) final {
        if (!runtime_.recordsInParallel()) {
            runtime_.recordSlotBarriers(runtime_.commandBufferFor(this->id()), this->id());
        }
    }

    /// Releases the node's own objects, then its outputs: a persistent output that stays in
    /// the graph is handed to the runtime to keep, every other one is destroyed.
    void cleanup(const graph::CleanupContext& context) final {
        release(context);
        if (!context.slotsBound) {
            return;
        }
        for (std::uint32_t i = 0; i < kOutputOps.size(); ++i) {
            if (kOutputOps[i].retire == nullptr) {
                continue;
            }
            if (const graph::HistoryRing* ring = this->outputHistory(i)) {
                for (std::uint32_t e = 0; e < ring->size; ++e) {
                    kOutputOps[i].retire(runtime_, this->id(), i, ring->elements[e], false);
                }
            } else {
                kOutputOps[i].retire(runtime_, this->id(), i, this->outputResource(i),
                                     context.forRecompile && outputPersistent(i));
            }
        }
    }

    [[nodiscard]] GpuRuntime& runtime() const noexcept { return runtime_; }

    /// False for a node whose outputs are made at compile (uploaded data, say) and only read
    /// afterwards: its outputs keep the state compile left them in, and `record` must not
    /// write them.
    [[nodiscard]] virtual bool writesOutputsEachFrame() const noexcept { return true; }

    /// True for a node that reads its own history outputs' earlier frames (History() on an
    /// output): those elements then take a read barrier in the output's stage each frame.
    /// Consumers that read them through inputs get their own barriers either way.
    [[nodiscard]] virtual bool readsOwnHistory() const noexcept { return false; }

    /// Creates the image of output `slot` at compile. A persistent slot keeps the image it
    /// had while `desc` is unchanged (OutputOrigin::Kept); otherwise the old one goes and a
    /// new one is made, in memory shared with other transients when `transient` (the graph
    /// plans lifetimes from the node's `transientBytes` estimate). The device must support
    /// the format for the usage: the error names the node, the slot and the format.
    template <class S>
    requires graph::OutputOf<S, Config> && std::same_as<typename S::ValueType, GpuImage>
        Result<OutputOrigin> createOutput(S slot, const gpu::ImageDesc& desc,
                                          bool transient = false) {
        if constexpr (S::kOptions.persistent || S::kOptions.history > 0) {
            if (transient) {
                return fail(ErrorCode::InvalidArgument,
                            "node '{}', output '{}': a persistent or history output cannot be "
                            "transient (its memory would be shared with other resources)",
                            this->name(), S::kName);
            }
        }
        if (transient && runtime_.graph().loopOf(this->id()) != nullptr) {
            return fail(ErrorCode::InvalidArgument,
                        "node '{}', output '{}': a loop's output keeps its last value on frames "
                        "the loop does not step, so it cannot be transient",
                        this->name(), S::kName);
        }
        return createOrKeep(slot, desc, [&](GpuImage& target, const std::string& what) {
            return runtime_.createImage(target, desc, what, this->id(), transient);
        });
    }

    /// Creates the buffer of output `slot` at compile; persistence as for images.
    template <class S>
    requires graph::OutputOf<S, Config> && std::same_as<typename S::ValueType, GpuBuffer>
        Result<OutputOrigin> createOutput(S slot, const gpu::BufferDesc& desc) {
        return createOrKeep(slot, desc, [&](GpuBuffer& target, const std::string& what) {
            return runtime_.createBuffer(target, desc, what);
        });
    }

private:
    /// The reads of the earlier frames a history slot declares: each a read of its element
    /// at the positions baked now (a ring element not yet written reads as undefined, and the
    /// node is told it is not valid).
    static void bakeHistoryReads(gpu::BakedBarriers& barriers, const graph::HistoryRing* ring,
                                 const detail::GpuSlotOps& ops) {
        for (std::uint32_t k = 1; ring != nullptr && k <= ops.history; ++k) {
            ops.transition(barriers, ring->elements[ring->elementBack(k)], ops.historyUsage, false);
        }
    }

    template <class S, class Desc, class Create>
    Result<OutputOrigin> createOrKeep(S slot, const Desc& desc, Create&& create) {
        if constexpr (S::kOptions.history > 0) {
            if (!writesOutputsEachFrame()) {
                return fail(ErrorCode::InvalidArgument,
                            "node '{}', output '{}': a history output is written every frame "
                            "(its ring turns every frame), but the node writes its outputs only "
                            "at compile",
                            this->name(), S::kName);
            }
            // Every element of the ring, each a resource of `desc`, made anew: what they held
            // belongs to the last compile, and History() says so until they are written.
            const auto ring = this->HistoryRingOf(slot);
            for (std::uint32_t e = 0; e < ring.size(); ++e) {
                auto& element = ring.element(e);
                runtime_.release(element);
                if (Result<void> created = create(
                        element, fmt::format("node '{}', output '{}' (history element {} of {})",
                                             this->name(), S::kName, e, ring.size()));
                    !created) {
                    return std::unexpected(std::move(created.error()));
                }
            }
            return OutputOrigin::Created;
        }
        auto& target = this->Out(slot);
        constexpr std::uint32_t kIndex = graph::ConfigSlots<Config>::template indexOf<S>();
        if constexpr (S::kOptions.persistent) {
            if (!target.valid() && runtime_.reclaim(this->id(), kIndex, target, desc)) {
                return OutputOrigin::Kept;
            }
        }
        runtime_.release(target);
        if (Result<void> created =
                create(target, fmt::format("node '{}', output '{}'", this->name(), S::kName));
            !created) {
            return std::unexpected(std::move(created.error()));
        }
        return OutputOrigin::Created;
    }

    [[nodiscard]] static bool outputPersistent(std::uint32_t index) noexcept {
        return graph::nodeTypeInfoOf<Config>()->outputs[index].options.persistent;
    }

    GpuRuntime& runtime_;
};

}  // namespace vixen::nodes
