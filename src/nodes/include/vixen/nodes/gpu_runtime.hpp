#pragma once

// The GPU side of a render graph: frames in flight, the command buffer GPU nodes record
// into, the barriers derived from their slots, and transient memory shared by resources
// whose lifetimes do not overlap. Where graph and gpu meet, so it lives in nodes/.

#include <vulkan/vulkan.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "vixen/cache/typed_cache.hpp"
#include "vixen/core/error.hpp"
#include "vixen/core/trace.hpp"
#include "vixen/gpu/barriers.hpp"
#include "vixen/gpu/compute_pipeline.hpp"
#include "vixen/gpu/deferred_destroyer.hpp"
#include "vixen/gpu/frame_pacer.hpp"
#include "vixen/gpu/graphics_pipeline.hpp"
#include "vixen/gpu/image.hpp"
#include "vixen/gpu/memory_allocator.hpp"
#include "vixen/gpu/sampler.hpp"
#include "vixen/gpu/stream_ring.hpp"
#include "vixen/gpu/timeline.hpp"
#include "vixen/gpu/timestamp_pool.hpp"
#include "vixen/gpu/uploader.hpp"
#include "vixen/graph/queue_segments.hpp"
#include "vixen/graph/render_graph.hpp"
#include "vixen/nodes/gpu_resource.hpp"
#include "vixen/nodes/transient_arena.hpp"

namespace vixen::gpu {
class BudgetManager;
class Device;
}  // namespace vixen::gpu

namespace vixen::nodes {

/// Where the GPU nodes that opt into async compute (GpuNodeBase::asyncCompute) run.
enum class AsyncCompute : std::uint8_t {
    Off,   ///< every node on the graphics queue, one submission a frame
    Auto,  ///< on the device's compute queue where it has one (Device::computeQueue), else Off
    /// The frame split as on a compute queue (four submissions, the same semaphores), all on
    /// the graphics queue: tests the split on a device with one queue family, and measures
    /// what splitting alone costs.
    SplitOnGraphicsQueue,
};

struct GpuRuntimeOptions {
    std::uint32_t framesInFlight = gpu::FramePacer::kDefaultFramesInFlight;
    /// How long a frame waits for its slot's previous frame before giving up.
    std::chrono::nanoseconds frameTimeout = std::chrono::seconds(10);
    /// Transient images share memory (aliasing); off gives each its own allocation.
    bool aliasTransients = true;
    /// GPU timestamps around every GPU node (where the queue can write them).
    bool timestamps = true;
    /// A recompile batch whose GPU nodes all retire what they replace
    /// (GpuNodeBase::retiresReplacedObjects) rebuilds while earlier frames are in flight;
    /// off, every rebuild first waits for the GPU to go idle (simplest to reason about when
    /// a node is suspected of destroying what the GPU still uses).
    bool rebuildWithoutWaiting = true;
    AsyncCompute asyncCompute = AsyncCompute::Auto;
};

/// What recompile batches (invalidations; full compiles always wait) cost the GPU side: how
/// many waited for the GPU to go idle, how many went on with frames in flight, and what
/// was handed to the deferred destruction ring.
struct RebuildStats {
    std::uint64_t waited = 0;
    std::uint64_t withoutWaiting = 0;
    std::uint64_t framesInFlightAtRebuild = 0;  ///< summed over rebuilds that did not wait
    std::uint64_t retired = 0;                  ///< objects queued for later destruction
    std::size_t pendingDestruction = 0;         ///< of those, not destroyed yet
};

/// The graph's compile-time budget from the device's: device-local memory up to the soft
/// limit of the largest device-local heap, host-visible up to that of the largest other
/// heap (none when every heap is device-local, as on integrated and CPU devices).
[[nodiscard]] graph::GraphBudget graphBudgetFrom(const gpu::BudgetManager& budget,
                                                 const gpu::Device& device);

/// What the runtime needs of every GPU node (GpuNode<Config> implements it).
class GpuNodeBase {
public:
    virtual ~GpuNodeBase() = default;
    [[nodiscard]] virtual graph::NodeId gpuNodeId() const noexcept = 0;
    /// Adds the barriers that bring the node's GPU resource slots to their declared use,
    /// moving the resources' states as a frame would (compile time).
    virtual void bakeSlotBarriers(gpu::BakedBarriers& barriers) const = 0;
    /// True when whatever the node's release() and compile() replace (pipelines, descriptor
    /// pools, buffers of its own) goes to GpuRuntime::retire rather than being destroyed,
    /// so frames in flight may still use it: a recompile of the node need not wait for the
    /// GPU. Its outputs are the runtime's and always retired. A node that destroys Vulkan
    /// objects itself keeps the default, and a rebuild that includes it waits.
    [[nodiscard]] virtual bool retiresReplacedObjects() const noexcept { return false; }
    /// True for a node that may run on the compute queue beside graphics work it neither
    /// depends on nor feeds (graph::assignQueueSegments); with a slot of another stage than
    /// Compute or Transfer, or in a loop, the compile fails naming it.
    [[nodiscard]] virtual bool asyncCompute() const noexcept { return false; }
    /// Whether every GPU resource slot of the node declares the Compute or Transfer stage.
    [[nodiscard]] virtual bool computeSlotsOnly() const noexcept = 0;
    /// Appends the resources of its GPU slots (history elements read included), for the
    /// queue assignment's checks. Compile time.
    virtual void collectSlotResources(std::vector<const void*>& resources) const = 0;
};

/// A node that takes part in the frame's submit beyond recording commands: presentation.
/// The runtime asks it for the semaphores of the submit, and calls it after the submit.
class FrameParticipant {
public:
    virtual ~FrameParticipant() = default;
    /// Binary semaphores this frame's submit waits on and signals; views valid until then.
    [[nodiscard]] virtual gpu::SubmitSemaphores submitSemaphores() const noexcept = 0;
    /// Runs right after the submit (the present). Must not allocate.
    [[nodiscard]] virtual Result<void> afterSubmit() noexcept = 0;
    /// For a frame whose recording failed: records, into the frame's command buffer begun
    /// anew, what ends what the frame began (an acquired image made presentable), so the
    /// submit's semaphores and the present stay paired. Must not allocate.
    virtual void recordSubstitute(VkCommandBuffer commandBuffer) noexcept = 0;
};

/// Where the last frame's CPU time went (steady_clock): waiting for its slot's previous
/// frame (and reading that frame's timestamps), recording the graph (barriers and node
/// commands), and the submit.
struct FrameTimings {
    std::uint64_t waitNanoseconds = 0;
    std::uint64_t recordNanoseconds = 0;
    std::uint64_t submitNanoseconds = 0;
};

/// Drives a RenderGraph of GPU nodes: `frame()` recompiles what events invalidated (what the
/// recompile replaces is destroyed once the frames in flight are done with it; see
/// GpuRuntimeOptions::rebuildWithoutWaiting), begins a frame in flight, lets the
/// graph record, and submits one primary command buffer. A sequential graph records into
/// that buffer in order; with nodes that opt into async compute and a compute queue, into one
/// buffer per queue segment, submitted to both queues (AsyncCompute). A parallel graph records each
/// GPU node into a secondary command buffer of its own (one per node per frame in flight, from
/// pools made at compile): the runtime first records every node's slot barriers in order, the waves
/// then record the nodes' commands on the worker pool, and the primary executes the secondaries in
/// order. The device, the allocator and the graph must outlive the runtime; destroying the runtime
/// cleans up the graph (its GPU nodes hold objects made through the runtime).
class GpuRuntime {
public:
    static Result<std::unique_ptr<GpuRuntime>> create(graph::RenderGraph& graph,
                                                      const gpu::Device& device,
                                                      gpu::DeviceMemoryAllocator& allocator,
                                                      const GpuRuntimeOptions& options = {});
    /// A runtime for a graph that does not exist yet (a graph file's nodes are made before
    /// their graph): `attach` it before the graph's first compile.
    static Result<std::unique_ptr<GpuRuntime>> create(const gpu::Device& device,
                                                      gpu::DeviceMemoryAllocator& allocator,
                                                      const GpuRuntimeOptions& options = {});
    /// Drives `graph` from now on; once, before the graph's first compile.
    void attach(graph::RenderGraph& graph);
    GpuRuntime(const GpuRuntime&) = delete;
    GpuRuntime& operator=(const GpuRuntime&) = delete;
    /// Cleans up the graph (after the GPU is done with it), then releases what it made.
    ~GpuRuntime();

    /// One frame: invalidations, then record and submit. Allocates nothing and creates no
    /// Vulkan object when nothing was invalidated. Once the device is lost (DeviceLost from
    /// any wait or submit), every later frame fails at once with the same error: the
    /// device and everything made on it must be created again.
    [[nodiscard]] Result<void> frame();
    [[nodiscard]] bool deviceLost() const noexcept { return deviceLost_.has_value(); }
    /// Blocks until every submitted frame is done, then reads their GPU timestamps.
    [[nodiscard]] Result<void> waitIdle();

    // ---- for GPU nodes ---------------------------------------------------------------

    [[nodiscard]] const gpu::Device& device() const noexcept { return *device_; }

    /// The compute pipeline of `spirv`, shared by every node that asks for the same module
    /// (its shader module, layouts and pipeline made once, through the device's pipeline
    /// cache); errors name `name`. For compile time.
    [[nodiscard]] Result<std::shared_ptr<const gpu::ComputePipeline>> computePipeline(
        std::span<const std::uint32_t> spirv, std::string_view name);
    /// What computePipeline finds the pipeline of `spirv` by.
    [[nodiscard]] static cache::CacheKey computePipelineKey(std::span<const std::uint32_t> spirv);
    /// Stops sharing the pipeline of `key` (a shader reloaded): its users keep it, a later
    /// request makes a new one.
    void forgetComputePipeline(const cache::CacheKey& key) { computePipelines_.erase(key); }
    /// Hits (shared) and misses (created) of computePipeline.
    [[nodiscard]] cache::TypedCacheStats computePipelineStats() const {
        return computePipelines_.stats();
    }
    /// The graphics pipeline of `desc` (its stages' SPIR-V and its fixed state), shared like
    /// computePipeline; errors name `name`.
    [[nodiscard]] Result<std::shared_ptr<const gpu::GraphicsPipeline>> graphicsPipeline(
        const gpu::GraphicsPipelineDesc& desc, std::string_view name);
    [[nodiscard]] static cache::CacheKey graphicsPipelineKey(const gpu::GraphicsPipelineDesc& desc);
    void forgetGraphicsPipeline(const cache::CacheKey& key) { graphicsPipelines_.erase(key); }
    [[nodiscard]] cache::TypedCacheStats graphicsPipelineStats() const {
        return graphicsPipelines_.stats();
    }
    /// The layouts of every pipeline made through this runtime come from two caches:
    /// pipelines whose shaders declare equal bindings share descriptor set layouts, and with
    /// equal push constants too, the pipeline layout.
    [[nodiscard]] cache::TypedCacheStats setLayoutStats() const { return setLayouts_.stats(); }
    [[nodiscard]] cache::TypedCacheStats pipelineLayoutStats() const {
        return pipelineLayouts_.stats();
    }
    /// One sampler per description, shared by every node that asks for it.
    [[nodiscard]] Result<std::shared_ptr<const gpu::Sampler>> sampler(const gpu::SamplerDesc& desc);
    [[nodiscard]] cache::TypedCacheStats samplerStats() const { return samplers_.stats(); }
    [[nodiscard]] gpu::DeviceMemoryAllocator& allocator() noexcept { return *allocator_; }
    [[nodiscard]] graph::RenderGraph& graph() noexcept { return *graph_; }
    /// The command buffer of the frame being recorded (null outside a frame); in a split
    /// frame, the first graphics submission's.
    [[nodiscard]] VkCommandBuffer commandBuffer() const noexcept { return commandBuffer_; }
    /// What GPU node `node` records into: its queue segment's buffer in a split frame.
    [[nodiscard]] VkCommandBuffer commandBufferFor(graph::NodeId node) const noexcept {
        return split_ ? segmentCommandBuffers_[static_cast<std::size_t>(
                            gpuNodeSegment_[gpuNodeIndex_[node.value]])]
                      : commandBuffer_;
    }
    /// True when the last compile split frames into queue segments: opted-in nodes on the
    /// compute queue (with SplitOnGraphicsQueue, in submissions of their own).
    [[nodiscard]] bool splitsFrames() const noexcept { return split_; }
    /// Whether AsyncCompute::Auto found a compute queue (Device::computeQueue) to use.
    [[nodiscard]] bool usesComputeQueue() const noexcept {
        return options_.asyncCompute == AsyncCompute::Auto && computeQueue_ != VK_NULL_HANDLE;
    }
    /// GPU node `node`'s queue segment (BeforeCompute for all when frames are not split).
    [[nodiscard]] graph::QueueSegment queueSegment(graph::NodeId node) const noexcept;
    /// The barrier batch of the executing thread (ExecuteContext::workerIndex), for the
    /// node's own resources (slot barriers are derived at compile).
    [[nodiscard]] gpu::BarrierBatch& barriers(std::uint32_t worker) noexcept {
        return barriers_[worker];
    }
    /// Barriers recorded so far: slot barriers and every thread's batch.
    [[nodiscard]] std::uint64_t barriersRecorded() const noexcept;
    /// True when GPU nodes record into command buffers of their own (a parallel graph).
    [[nodiscard]] bool recordsInParallel() const noexcept { return parallel_; }
    /// Records the node's slot barriers, as derived at compile, into `commandBuffer`.
    void recordSlotBarriers(VkCommandBuffer commandBuffer, graph::NodeId node) noexcept {
        activeBarriers().record(commandBuffer, gpuNodeIndex_[node.value]);
    }
    /// For a node in a loop's body, at its second and later step of a frame: the barriers
    /// from the states the body's previous step left (derived at compile, like the others).
    void recordRepeatBarriers(VkCommandBuffer commandBuffer, graph::NodeId node) noexcept {
        repeatBaked_[recordingRow_].record(commandBuffer, gpuNodeIndex_[node.value]);
    }
    /// In a parallel graph, on the node's worker: the secondary command buffer the node
    /// records into (the worker's for the node's batch of its wave, begun by the first such
    /// node; its slot barriers are recorded in the primary before the batch); null when it
    /// could not be begun (the frame then fails).
    [[nodiscard]] VkCommandBuffer beginNodeCommandBuffer(graph::NodeId node,
                                                         std::uint32_t worker) noexcept;
    /// Slot barriers per frame as derived at the last compile: for the first frame after it
    /// (from the states compile left) and for every frame after that.
    [[nodiscard]] std::size_t firstFrameSlotBarriers() const noexcept {
        return baked_.empty() ? 0 : baked_[0].barrierCount();
    }
    /// Of a steady frame (with history rings, of the first frame of a steady turn).
    [[nodiscard]] std::size_t steadySlotBarriers() const noexcept {
        return historyPeriod_ < baked_.size() ? baked_[historyPeriod_].barrierCount() : 0;
    }
    /// vkCmdPipelineBarrier2 calls of a steady frame's slot barriers (a sequential graph
    /// batches a wave's into one).
    [[nodiscard]] std::size_t steadySlotBarrierCalls() const noexcept {
        return historyPeriod_ < baked_.size() ? baked_[historyPeriod_].recordCalls() : 0;
    }
    /// Frames of slot barriers derived at the last compile: the first turn of the history
    /// rings and the steady turn after it (2 without history).
    [[nodiscard]] std::size_t bakedFrames() const noexcept { return baked_.size(); }
    /// Staging uploads for nodes' compile (textures, scene data): sized at each compile
    /// from the nodes' `stagingBytes` estimates, null when none asked for staging. What
    /// nodes upload is flushed before the next frame's submit, which it precedes on the
    /// queue.
    [[nodiscard]] gpu::Uploader* uploader() noexcept { return uploader_ ? &*uploader_ : nullptr; }

    /// While a node records: `bytes` of this frame's upload ring (sized at compile from the
    /// nodes' `streamBytesPerFrame`), which the node fills and copies from (or binds) in the
    /// same frame. Waits, counted, for a frame in flight when the ring is full; nothing when
    /// the frame asks for more than the ring holds (frame() then fails naming the ring).
    /// Thread-safe; allocates nothing.
    [[nodiscard]] std::optional<gpu::RingRange> streamUpload(VkDeviceSize bytes,
                                                             VkDeviceSize alignment = 16) noexcept {
        return takeFromRing(uploads_, bytes, alignment);
    }
    /// The same for the readback ring (`readbackBytesPerFrame`): the node copies into the
    /// range; its bytes are the CPU's once `readbackStatus` says Ready.
    [[nodiscard]] std::optional<gpu::RingRange> streamReadback(
        VkDeviceSize bytes, VkDeviceSize alignment = 16) noexcept {
        return takeFromRing(readbacks_, bytes, alignment);
    }
    /// Whether a range taken by `streamReadback` in frame `frame` (recordingFrame() then)
    /// has landed, and is still there.
    [[nodiscard]] gpu::ReadbackStatus readbackStatus(const gpu::RingRange& range,
                                                     std::uint64_t frame) const noexcept {
        return readbacks_ ? readbacks_->read(range, frame) : gpu::ReadbackStatus::Reused;
    }
    /// The number of the frame being recorded (its timeline value once submitted).
    [[nodiscard]] std::uint64_t recordingFrame() const noexcept {
        return pacer_.submittedFrame() + 1;
    }
    /// The upload and readback rings' counters (empty before a node asked for either).
    [[nodiscard]] gpu::StreamRingStats uploadRingStats() const noexcept {
        return uploads_ ? uploads_->stats() : gpu::StreamRingStats{};
    }
    [[nodiscard]] gpu::StreamRingStats readbackRingStats() const noexcept {
        return readbacks_ ? readbacks_->stats() : gpu::StreamRingStats{};
    }
    [[nodiscard]] const gpu::FramePacer& pacer() const noexcept { return pacer_; }
    /// The frame-in-flight slot of the frame being recorded.
    [[nodiscard]] std::uint32_t frameSlot() const noexcept { return frameSlot_; }
    /// At most one participant (the present node); null removes it.
    void setFrameParticipant(FrameParticipant* participant) noexcept { participant_ = participant; }
    [[nodiscard]] const FrameTimings& lastFrameTimings() const noexcept { return timings_; }

    /// Records CPU phases and GPU node times into `trace` from now on (null: stop). Adds
    /// its tracks now; node names are interned at each compile. Setup-time call.
    void setTrace(core::TraceRecorder* trace);
    /// GPU nanoseconds the node took, summed over the frames read back so far (0 without
    /// timestamp support), and how many frames that is.
    [[nodiscard]] std::uint64_t gpuNanoseconds(graph::NodeId node) const noexcept;
    [[nodiscard]] std::uint64_t timedFrames() const noexcept { return timedFrames_; }
    /// GPU nanoseconds of whole frames (first node's begin to last node's end, any queue),
    /// summed over the timedFrames(): where the overlap of a split frame shows.
    [[nodiscard]] std::uint64_t gpuFrameNanoseconds() const noexcept {
        return gpuFrameNanoseconds_;
    }
    [[nodiscard]] bool timestampsEnabled() const noexcept {
        return timestamps_ && timestamps_->enabled();
    }

    /// Called by GpuNode around its commands: a GPU timestamp scope per node.
    void beginNodeScope(VkCommandBuffer commandBuffer, graph::NodeId node) noexcept;
    void endNodeScope(VkCommandBuffer commandBuffer, graph::NodeId node) noexcept;

    /// Memory for a transient image of `node`: placed in the shared arena at an offset no
    /// transient with an overlapping lifetime uses, or, when it does not fit, allocated on
    /// its own. `aliased` says which. Free it with freeTransient.
    [[nodiscard]] Result<gpu::MemoryAllocation> allocateTransient(
        graph::NodeId node, const VkMemoryRequirements& requirements, std::string_view what,
        bool& aliased);
    void freeTransient(const gpu::MemoryAllocation& allocation) noexcept;

    // ---- resources of slots (GpuNode::createOutput calls these) -----------------------

    /// Creates `target`'s image after checking the device supports `desc` (errors name
    /// `what`): in transient memory of `node` when `transient`. `target` must be empty.
    [[nodiscard]] Result<void> createImage(GpuImage& target, const gpu::ImageDesc& desc,
                                           std::string_view what, graph::NodeId node,
                                           bool transient);
    [[nodiscard]] Result<void> createBuffer(GpuBuffer& target, const gpu::BufferDesc& desc,
                                            std::string_view what);
    /// Empties `target`: its resource and memory go once every frame submitted so far is
    /// done on the GPU (now, when none is in flight).
    void release(GpuImage& target) noexcept;
    void release(GpuBuffer& target) noexcept;
    /// Destroys `object` (anything owning GPU objects: a gpu::Buffer, a descriptor pool, a
    /// pipeline) once every frame submitted so far is done with it: now when none is in
    /// flight, otherwise through the deferred destruction ring, collected as frames come
    /// back. For what a compile or release replaces; it may allocate (compile time).
    template <class T>
    void retire(T&& object) noexcept {
        static_assert(!std::is_lvalue_reference_v<T>, "retire takes ownership: std::move it");
        if (!framesInFlight()) {
            [[maybe_unused]] const T dying = std::move(object);
            return;
        }
        if (retired_.pending() == retired_.capacity()) {
            retired_.reserve(2 * retired_.capacity());
        }
        static_cast<void>(retired_.enqueueObject(std::move(object), pacer_.submittedFrame()));
        ++rebuildStats_.retired;
    }
    [[nodiscard]] RebuildStats rebuildStats() const noexcept {
        RebuildStats stats = rebuildStats_;
        stats.pendingDestruction = retired_.pending();
        return stats;
    }
    /// Keeps output `output` of `node` across a recompile: the resource moves here, with
    /// its barrier state, until the node's next compile reclaims it. What the compile after
    /// does not reclaim is released.
    template <GpuResource T>
    void park(graph::NodeId node, std::uint32_t output, T& resource) noexcept {
        if (resource.valid()) {
            parked_.push_back(ParkedResource{node, output, std::move(resource)});
            resource = T{};
        }
    }
    /// Moves the parked resource of `node`'s output into `target` when its description is
    /// still `desc` (true); one whose description changed is released (false).
    template <GpuResource T>
    bool reclaim(graph::NodeId node, std::uint32_t output, T& target,
                 const typename GpuResourceTraits<T>::Desc& desc) noexcept {
        for (ParkedResource& parked : parked_) {
            T* const resource = std::get_if<T>(&parked.resource);
            if (parked.node != node || parked.output != output || resource == nullptr) {
                continue;
            }
            const bool same = resource->desc() == desc;
            if (same) {
                target = std::move(*resource);
                ++keptResources_;
            } else {
                release(*resource);
            }
            parked.resource = std::monostate{};
            return same;
        }
        return false;
    }
    /// Persistent resources kept across a recompile so far (each reclaim counts once).
    [[nodiscard]] std::uint64_t keptResources() const noexcept { return keptResources_; }
    [[nodiscard]] TransientMemoryStats transientStats() const noexcept {
        return transients_.stats();
    }

private:
    GpuRuntime(const gpu::Device& device, gpu::DeviceMemoryAllocator& allocator,
               gpu::FramePacer pacer, const GpuRuntimeOptions& options);
    void afterCompile();
    /// Runs one step of the GPU side of a compile: timed as a stage of the compile report,
    /// its error failing the compile.
    template <class Work>
    void compileStage(std::string_view name, Work&& work);
    void waitForGpu();
    /// Frames submitted and not known to be finished (all of them when that cannot be told).
    [[nodiscard]] std::uint64_t framesInFlightCount() const noexcept;
    [[nodiscard]] bool framesInFlight() const noexcept { return framesInFlightCount() > 0; }
    /// retire() for a raw handle (a command pool).
    void retireHandle(gpu::VulkanObjectKind kind, std::uint64_t handle) noexcept;
    /// Whether the compile beginning now may leave earlier frames in flight: a recompile
    /// batch whose GPU nodes all retire what they replace.
    [[nodiscard]] bool rebuildMayOverlapFrames() const;
    void collectRetired() noexcept;
    void collectGpuNodes();
    [[nodiscard]] Result<void> bakeSlotBarriers();
    /// Derives the barriers of a second pass of the loop body made of GPU nodes `first` to
    /// `last` into `repeat`, continuing from the states the first pass left; fails, naming
    /// the loop, when the second pass leaves other states than the first (then the barriers
    /// after the loop would not hold whatever the number of steps).
    [[nodiscard]] Result<void> bakeLoopRepeat(const gpu::BakedBarriers& baked,
                                              gpu::BakedBarriers& repeat, std::uint32_t first,
                                              std::uint32_t last);
    [[nodiscard]] const gpu::BakedBarriers& activeBarriers() const noexcept {
        return baked_[recordingRow_];
    }
    /// The baked frame of the frame `framesSinceBake` after the last bake: the first turn's
    /// own, then the steady turn's, round and round.
    [[nodiscard]] std::uint32_t bakedRow(std::uint64_t framesSinceBake) const noexcept {
        return framesSinceBake < historyPeriod_
                   ? static_cast<std::uint32_t>(framesSinceBake)
                   : historyPeriod_ + static_cast<std::uint32_t>(framesSinceBake % historyPeriod_);
    }
    /// Sets every state the bake touched to what baked frame `row` leaves.
    void applyStatesAfter(std::uint32_t row) noexcept;
    Result<void> ensureNodeCommandBuffers();
    void destroyNodeCommandBuffers() noexcept;
    void beginParallelFrame() noexcept;
    void executeNodeCommandBuffers() noexcept;
    /// The estimates of every node set up so far, culled ones too: staging and rings are
    /// sized up front, so culling never shrinks them.
    [[nodiscard]] graph::ResourceEstimate setUpEstimate() const;
    Result<void> ensureUploader(const graph::ResourceEstimate& total);
    Result<void> ensureRings(const graph::ResourceEstimate& total);
    std::optional<gpu::RingRange> takeFromRing(std::optional<gpu::StreamRing>& ring,
                                               VkDeviceSize bytes, VkDeviceSize alignment) noexcept;
    Result<void> closeRings();
    Result<void> recordAndSubmit();
    /// After a failed recording: the frame's command buffer holds the participant's
    /// substitute instead (false when there is none or it could not be recorded).
    bool recordSubstitute(const gpu::FrameSlot& slot) noexcept;
    Result<void> ensureTimestampPool();
    /// Whether the coming compile may split frames (then transients do not share memory:
    /// segments run out of the compiled order).
    [[nodiscard]] bool mayAssignQueues() const;
    /// Queue segments of the GPU nodes (graph::assignQueueSegments), on every device.
    [[nodiscard]] Result<void> assignQueueSegments();
    [[nodiscard]] Result<void> ensureComputeCommandBuffers();  // one per frame slot, once
    void destroyComputeCommandBuffers() noexcept;
    /// Begin and end the segments' command buffers besides commandBuffer_.
    [[nodiscard]] VkResult beginSegmentCommandBuffers(const gpu::FrameSlot& slot) noexcept;
    [[nodiscard]] VkResult endSegmentCommandBuffers() noexcept;
    /// The split frame's four submissions (docs/timeline.md, "A split frame").
    [[nodiscard]] Result<void> submitSplitFrame(gpu::FrameSlot& slot,
                                                const gpu::SubmitSemaphores& semaphores);
    void collectTimestamps(std::uint32_t slot);

    graph::RenderGraph* graph_ = nullptr;
    std::uint32_t hook_ = 0;
    const gpu::Device* device_;
    gpu::DeviceMemoryAllocator* allocator_;
    gpu::FramePacer pacer_;
    GpuRuntimeOptions options_;
    VkCommandBuffer commandBuffer_ = VK_NULL_HANDLE;
    std::vector<gpu::BarrierBatch> barriers_;  // one per executing thread
    bool parallel_ = false;

    // Async compute: the queue segments of the GPU nodes and their command buffers.
    VkQueue computeQueue_ = VK_NULL_HANDLE;  // the device's, or the graphics queue when split on it
    std::uint32_t computeFamily_ = 0;
    bool computeTimestamps_ = false;  // whether the compute queue's family writes timestamps
    bool split_ = false;
    bool aliasingOff_ = false;  // this compile's transients do not share memory
    std::vector<graph::QueueSegment> gpuNodeSegment_;  // per GPU node
    std::array<VkCommandBuffer, graph::kQueueSegmentCount> segmentCommandBuffers_{};
    std::vector<VkCommandPool> computePools_;                // per frame slot, on computeFamily_
    std::vector<VkCommandBuffer> computeCommandBuffers_;     // per frame slot
    std::optional<gpu::TimelineSemaphore> segmentTimeline_;  // 2f - 1: first segment, 2f: compute

    // GPU nodes in execution order, and their slot barriers derived at compile: for the
    // first frame after it, and for every later one, with the states each frame leaves.
    std::vector<GpuNodeBase*> gpuNodes_;
    static constexpr std::uint32_t kNotGpuNode = ~std::uint32_t{0};
    std::vector<std::uint32_t> gpuNodeIndex_;  // per node id: index in gpuNodes_, or kNotGpuNode
    std::vector<std::uint32_t> gpuNodeWave_;   // per GPU node: its wave
    std::vector<const graph::SubGraphBase*> gpuNodeLoop_;  // per GPU node: its loop, or null
    // With history rings the barriers differ per ring position: one frame per position of
    // the rings' first turn after the compile (from the states compile left), then one per
    // position of the steady turn (from the states a turn leaves), `historyPeriod_` each.
    std::vector<gpu::BakedBarriers> baked_;
    std::vector<gpu::BakedBarriers> repeatBaked_;   // per baked frame: loop bodies' later steps
    std::vector<gpu::ResourceState*> bakedStates_;  // every state the derivation touched
    std::vector<gpu::ResourceState> statesAfter_;   // per baked frame, bakedStates_ after it
    std::uint32_t historyPeriod_ = 1;
    std::uint64_t bakeClock_ = 0;     // the graph's history clock when the barriers were baked
    std::uint32_t recordingRow_ = 0;  // the baked frame of the frame being recorded
    static constexpr std::uint32_t kNoRow = ~std::uint32_t{0};
    std::uint32_t appliedRow_ = kNoRow;  // whose end states the resources hold
    std::uint64_t slotBarriersRecorded_ = 0;

    // Batches: consecutive GPU nodes of a wave whose barriers go in one call.
    std::vector<std::uint32_t> nodeBatch_;       // per GPU node: its batch
    std::vector<std::uint32_t> batchFirstNode_;  // per batch: its first GPU node (barrier group)
    // Parallel recording: per frame slot and executing thread one pool (reset per frame)
    // holding one secondary per batch; made at compile.
    std::vector<VkCommandPool> threadPools_;            // slot-major, then thread
    std::vector<VkCommandBuffer> batchCommandBuffers_;  // (slot, thread) pool, then batch
    std::vector<std::uint8_t> batchBegun_;              // per batch and thread, this frame
    std::vector<VkCommandBuffer> executeList_;          // one batch's secondaries
    std::uint32_t threadCount_ = 0;
    std::uint32_t batchCapacity_ = 0;
    std::atomic<int> nodeRecordingResult_{VK_SUCCESS};
    FrameTimings timings_;
    std::uint32_t frameSlot_ = 0;
    FrameParticipant* participant_ = nullptr;
    std::optional<Error> hookError_;  // a failure in a graph hook, reported by frame()
    std::optional<Error> deviceLost_;
    std::optional<gpu::Uploader> uploader_;
    // Per-frame streaming, sized at compile; nodes on worker threads take ranges under the
    // spin lock (a few instructions; a mutex would be a per-frame lock the profiler counts).
    std::optional<gpu::StreamRing> uploads_;
    std::optional<gpu::StreamRing> readbacks_;
    std::atomic_flag ringLock_;

    // Timestamps: one scope per node id, sized at compile; read when a slot comes back.
    std::optional<gpu::TimestampPool> timestamps_;
    std::vector<std::uint64_t> gpuNanoseconds_;  // per node id
    std::uint64_t timedFrames_ = 0;
    std::uint64_t gpuFrameNanoseconds_ = 0;
    std::vector<std::int64_t> submitCpuNs_;       // per frame slot, where its GPU spans anchor
    std::vector<std::uint8_t> unreadTimestamps_;  // per frame slot: a frame not read yet

    core::TraceRecorder* trace_ = nullptr;
    core::TraceTrack cpuTrack_;
    core::TraceTrack gpuTrack_;
    std::vector<std::string_view> traceNames_;  // per node id, interned in trace_

    TransientArena transients_;

    struct ParkedResource {
        graph::NodeId node;
        std::uint32_t output = 0;
        std::variant<std::monostate, GpuImage, GpuBuffer> resource;
    };
    std::vector<ParkedResource> parked_;  // persistent outputs between cleanup and compile
    std::uint64_t keptResources_ = 0;

    // What rebuilds replaced while frames in flight may still use it (destroyed before the
    // arena it may reach into).
    gpu::DeferredDestroyer retired_;
    RebuildStats rebuildStats_;
    // What nodes share; destroyed with the runtime, after its final wait (layouts last:
    // pipelines hold them).
    [[nodiscard]] gpu::PipelineOptions sharedPipelineOptions();
    cache::TypedCache<gpu::DescriptorSetLayouts> setLayouts_;
    cache::TypedCache<gpu::PipelineLayout> pipelineLayouts_;
    cache::TypedCache<gpu::Sampler> samplers_;
    cache::TypedCache<gpu::ComputePipeline> computePipelines_;
    cache::TypedCache<gpu::GraphicsPipeline> graphicsPipelines_;
    void releaseParked() noexcept;
};

}  // namespace vixen::nodes
