#include "vixen/nodes/gpu_runtime.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <utility>

#include "vixen/core/align.hpp"
#include "vixen/core/log.hpp"
#include "vixen/core/resource_takes.hpp"
#include "vixen/gpu/budget_manager.hpp"
#include "vixen/gpu/creation_gate.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/format.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::nodes {
graph::GraphBudget graphBudgetFrom(const gpu::BudgetManager& budget, const gpu::Device& device) {
    graph::GraphBudget result;
    const auto& heaps = device.physical().heaps;
    VkDeviceSize deviceLocal = 0;
    VkDeviceSize other = 0;
    for (std::uint32_t h = 0; h < heaps.size() && h < budget.heapCount(); ++h) {
        const VkDeviceSize soft = budget.heap(h).limits.soft;
        VkDeviceSize& largest = heaps[h].deviceLocal ? deviceLocal : other;
        largest = std::max(largest, soft);
    }
    result.memoryBytes[static_cast<std::size_t>(graph::MemoryKind::DeviceLocal)] = deviceLocal;
    result.memoryBytes[static_cast<std::size_t>(graph::MemoryKind::HostVisible)] = other;
    return result;
}

Result<std::unique_ptr<GpuRuntime>> GpuRuntime::create(const gpu::Device& device,
                                                       gpu::DeviceMemoryAllocator& allocator,
                                                       const GpuRuntimeOptions& options) {
    auto pacer = gpu::FramePacer::create(device, options.framesInFlight, 1);
    if (!pacer) {
        return std::unexpected(std::move(pacer.error()));
    }
    return std::unique_ptr<GpuRuntime>(
        new GpuRuntime(device, allocator, std::move(*pacer), options));
}

Result<std::unique_ptr<GpuRuntime>> GpuRuntime::create(graph::RenderGraph& graph,
                                                       const gpu::Device& device,
                                                       gpu::DeviceMemoryAllocator& allocator,
                                                       const GpuRuntimeOptions& options) {
    auto runtime = create(device, allocator, options);
    if (runtime) {
        (*runtime)->attach(graph);
    }
    return runtime;
}

GpuRuntime::GpuRuntime(const gpu::Device& device, gpu::DeviceMemoryAllocator& allocator,
                       gpu::FramePacer pacer, const GpuRuntimeOptions& options)
    : device_(&device),
      allocator_(&allocator),
      pacer_(std::move(pacer)),
      options_(options),
      barriers_(1),
      transients_(allocator) {
    submitCpuNs_.assign(pacer_.framesInFlight(), 0);
    unreadTimestamps_.assign(pacer_.framesInFlight(), 0);
}

void GpuRuntime::attach(graph::RenderGraph& graph) {
    assert(graph_ == nullptr && !graph.compiled() && "attach once, before the first compile");
    graph_ = &graph;
    parallel_ = graph.options().mode == graph::ExecutionMode::Parallel;
    hook_ = graph.addGraphHook([this](core::Phase phase, graph::HookTiming timing) {
        const bool before = timing == graph::HookTiming::Before;
        switch (phase) {
            case core::Phase::Execute:
                break;
            case core::Phase::Cleanup:
                // Nodes are about to destroy what in-flight frames may still use.
                if (before) {
                    waitForGpu();
                }
                break;
            case core::Phase::Compile:
                if (!before) {
                    afterCompile();
                    break;
                }
                // A compile (or a recompile batch) destroys what earlier frames may still
                // use: let the GPU finish first. Resizes are rare; a stall there is simple.
                compileStage("GPU: wait for frames in flight", [this]() -> Result<void> {
                    waitForGpu();
                    return {};
                });
                compileStage("GPU: staging", [this] { return ensureUploader(); });
                compileStage("GPU: streaming rings", [this] { return ensureRings(); });
                break;
            case core::Phase::Setup:
                break;
        }
    });
}

template <class Work>
void GpuRuntime::compileStage(std::string_view name, Work&& work) {
    const auto started = std::chrono::steady_clock::now();
    Result<void> done = work();
    graph_->noteCompileStage(
        name, static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                             std::chrono::steady_clock::now() - started)
                                             .count()));
    if (!done) {
        graph_->failCompile(std::move(done.error()));
    }
}

void GpuRuntime::waitForGpu() {
    if (uploader_) {
        // Uploads still in flight (or not yet flushed) write into images about to go.
        if (Result<void> done = uploader_->finish(); !done) {
            log::error("GPU runtime: finishing uploads before a rebuild: {}", done.error().message);
        }
    }
    if (pacer_.submittedFrame() == 0) {
        return;
    }
    if (Result<void> idle = pacer_.waitIdle(options_.frameTimeout); !idle) {
        // Destroying what the GPU may still use is worse than waiting without a limit; a
        // lost device returns at once.
        log::error("GPU runtime: waiting for the GPU before a rebuild: {}", idle.error().message);
        static_cast<void>(vkDeviceWaitIdle(device_->handle()));
        if (!hookError_) {
            hookError_ = std::move(idle.error());
        }
    }
}

Result<void> GpuRuntime::ensureUploader() {
    // Every node set up so far counts (culling comes later): staging is sized once, up front.
    VkDeviceSize wanted = 0;
    for (std::uint32_t id = 0; id < graph_->nodeCapacity(); ++id) {
        if (graph_->contains(graph::NodeId{id})) {
            wanted += graph_->estimate(graph::NodeId{id}).stagingBytes;
        }
    }
    if (wanted == 0 || (uploader_ && uploader_->staging().capacity() >= wanted)) {
        return {};
    }
    if (uploader_) {
        if (Result<void> done = uploader_->finish(); !done) {
            return done;
        }
        uploader_.reset();
    }
    // Twice the estimate (rounded to 64 KiB): two batches, so the host fills one while the
    // GPU copies the other.
    constexpr VkDeviceSize kGranule = VkDeviceSize{64} << 10;
    const VkDeviceSize bytes = core::alignUp(2 * wanted, kGranule);
    auto uploader = gpu::Uploader::create(*device_, *allocator_,
                                          gpu::UploaderOptions{.stagingBytes = bytes,
                                                               .batchesInFlight = 2,
                                                               .flushThreshold = 0,
                                                               .maxRegionsPerCopy = 64,
                                                               .timeout = options_.frameTimeout});
    if (!uploader) {
        return fail(uploader.error().code, "GPU runtime: staging for {} estimated bytes: {}",
                    wanted, uploader.error().message);
    }
    uploader_.emplace(std::move(*uploader));
    return {};
}

Result<void> GpuRuntime::ensureRings() {
    // As the uploader: every node set up so far counts, so culling never shrinks a ring.
    graph::ResourceEstimate perFrame;
    for (std::uint32_t id = 0; id < graph_->nodeCapacity(); ++id) {
        if (graph_->contains(graph::NodeId{id})) {
            const graph::ResourceEstimate& estimate = graph_->estimate(graph::NodeId{id});
            perFrame.streamBytesPerFrame += estimate.streamBytesPerFrame;
            perFrame.readbackBytesPerFrame += estimate.readbackBytesPerFrame;
        }
    }
    const auto ensure = [&](std::optional<gpu::StreamRing>& ring, std::uint64_t bytesPerFrame,
                            gpu::RingDirection direction, std::string_view what) -> Result<void> {
        // Every frame in flight holds its ranges until the GPU is done with it; 4 KiB a frame
        // covers alignment, and 64 KiB granules keep small changes from rebuilding it.
        constexpr VkDeviceSize kSlack = VkDeviceSize{4} << 10;
        constexpr VkDeviceSize kGranule = VkDeviceSize{64} << 10;
        const VkDeviceSize wanted =
            bytesPerFrame == 0
                ? 0
                : core::alignUp(pacer_.framesInFlight() * (bytesPerFrame + kSlack), kGranule);
        if (wanted == 0 || (ring && ring->stats().capacity >= wanted)) {
            return {};
        }
        ring.reset();  // the Before hook waited for the GPU
        auto created = gpu::StreamRing::create(*device_, *allocator_, pacer_.timeline(), wanted,
                                               pacer_.framesInFlight(), direction, what);
        if (!created) {
            return std::unexpected(std::move(created.error()));
        }
        ring.emplace(std::move(*created));
        return {};
    };
    VIXEN_TRY(ensure(uploads_, perFrame.streamBytesPerFrame, gpu::RingDirection::Upload,
                     "GPU runtime upload ring"));
    VIXEN_TRY(ensure(readbacks_, perFrame.readbackBytesPerFrame, gpu::RingDirection::Readback,
                     "GPU runtime readback ring"));
    return {};
}

std::optional<gpu::RingRange> GpuRuntime::takeFromRing(std::optional<gpu::StreamRing>& ring,
                                                       VkDeviceSize bytes,
                                                       VkDeviceSize alignment) noexcept {
    if (!ring) {
        return std::nullopt;
    }
    while (ringLock_.test_and_set(std::memory_order_acquire)) {
        ringLock_.wait(true, std::memory_order_relaxed);
    }
    std::optional<gpu::RingRange> range = ring->take(bytes, alignment, options_.frameTimeout);
    ringLock_.clear(std::memory_order_release);
    ringLock_.notify_one();
    return range;
}

Result<void> GpuRuntime::closeRings() {
    const std::uint64_t frame = pacer_.submittedFrame();
    for (std::optional<gpu::StreamRing>* ring : {&uploads_, &readbacks_}) {
        if (*ring) {
            (*ring)->endFrame(frame);
            if (std::optional<Error> error = (*ring)->takeError()) {
                return std::unexpected(std::move(*error));
            }
        }
    }
    return {};
}

Result<void> GpuRuntime::ensureTimestampPool() {
    // Scopes are indexed by node id; a graph that grew needs a bigger pool.
    const auto scopes =
        static_cast<std::uint32_t>(std::max<std::size_t>(graph_->nodeCapacity(), 1));
    if (!options_.timestamps || (timestamps_ && timestamps_->maxScopes() >= scopes)) {
        return {};
    }
    if (timestamps_ && pacer_.submittedFrame() > 0) {
        if (Result<void> idle = pacer_.waitIdle(options_.frameTimeout); !idle) {
            return idle;
        }
    }
    timestamps_.reset();
    std::fill(unreadTimestamps_.begin(), unreadTimestamps_.end(), 0);
    auto pool = gpu::TimestampPool::create(*device_, pacer_.framesInFlight(), scopes);
    if (!pool) {
        return fail(pool.error().code, "GPU runtime: {} (the next frame tries again)",
                    pool.error().message);
    }
    timestamps_.emplace(std::move(*pool));
    return {};
}

void GpuRuntime::afterCompile() {
    releaseParked();
    gpuNanoseconds_.resize(std::max<std::size_t>(graph_->nodeCapacity(), 1), 0);
    if (graph_->executingThreads() > barriers_.size()) {
        barriers_.resize(graph_->executingThreads());
    }
    if (graph_->compiled()) {
        compileStage("GPU: timestamps", [this] { return ensureTimestampPool(); });
        compileStage("GPU: slot barriers", [this]() -> Result<void> {
            collectGpuNodes();
            bakeSlotBarriers();
            return {};
        });
        if (parallel_) {
            compileStage("GPU: node command buffers",
                         [this] { return ensureNodeCommandBuffers(); });
        }
    }
    const auto scopes = static_cast<std::uint32_t>(gpuNanoseconds_.size());
    if (trace_ != nullptr) {
        traceNames_.resize(scopes);
        for (std::uint32_t id = 0; id < graph_->nodeCapacity(); ++id) {
            if (graph_->contains(graph::NodeId{id})) {
                traceNames_[id] = trace_->intern(graph_->node(graph::NodeId{id}).name());
            }
        }
    }
}

void GpuRuntime::setTrace(core::TraceRecorder* trace) {
    trace_ = trace;
    if (trace_ != nullptr) {
        cpuTrack_ = trace_->addTrack("CPU");
        gpuTrack_ = trace_->addTrack("GPU");
        if (graph_ != nullptr && graph_->compiled()) {
            afterCompile();
        }
    }
}

void GpuRuntime::beginNodeScope(VkCommandBuffer commandBuffer, graph::NodeId node) noexcept {
    if (timestamps_) {
        static_cast<void>(timestamps_->begin(commandBuffer, node.value));
    }
}

void GpuRuntime::endNodeScope(VkCommandBuffer commandBuffer, graph::NodeId node) noexcept {
    if (timestamps_) {
        static_cast<void>(timestamps_->end(commandBuffer, node.value));
    }
}

std::uint64_t GpuRuntime::gpuNanoseconds(graph::NodeId node) const noexcept {
    return node.value < gpuNanoseconds_.size() ? gpuNanoseconds_[node.value] : 0;
}

void GpuRuntime::collectTimestamps(std::uint32_t slot) {
    if (!timestamps_ || !timestamps_->enabled() || unreadTimestamps_[slot] == 0) {
        return;
    }
    unreadTimestamps_[slot] = 0;
    auto readout = timestamps_->read(slot);
    if (!readout || readout->status != gpu::TimestampStatus::Ready || readout->scopes.empty()) {
        return;
    }
    // GPU times run on the GPU's clock: anchor the frame's earliest scope at its CPU submit.
    std::uint64_t first = UINT64_MAX;
    for (const gpu::ScopeTiming& scope : readout->scopes) {
        if (scope.valid) {
            first = std::min(first, scope.beginNs);
        }
    }
    if (first == UINT64_MAX) {
        return;
    }
    ++timedFrames_;
    const auto scopes = static_cast<std::uint32_t>(readout->scopes.size());
    for (std::uint32_t id = 0; id < scopes; ++id) {
        const gpu::ScopeTiming& scope = readout->scopes[id];
        if (!scope.valid || id >= gpuNanoseconds_.size()) {
            continue;
        }
        gpuNanoseconds_[id] += scope.durationNs;
        if (trace_ != nullptr && id < traceNames_.size()) {
            trace_->complete(traceNames_[id], "gpu", gpuTrack_,
                             submitCpuNs_[slot] + static_cast<std::int64_t>(scope.beginNs - first),
                             static_cast<std::int64_t>(scope.durationNs));
        }
    }
}

GpuRuntime::~GpuRuntime() {
    // The graph's GPU nodes hold objects made through this runtime: they go first, after
    // the GPU is done with them (the cleanup hook waits).
    if (graph_ != nullptr) {
        graph_->cleanup();
        graph_->removeGraphHook(hook_);
    }
    if (Result<void> idle = pacer_.waitIdle(options_.frameTimeout); !idle) {
        log::error("GPU runtime shutdown: {}", idle.error().message);
    }
    destroyNodeCommandBuffers();
    releaseParked();
    uploads_.reset();
    readbacks_.reset();
    uploader_.reset();  // waits for its batches
}

Result<void> GpuRuntime::frame() {
    if (deviceLost_) {
        return std::unexpected(*deviceLost_);
    }
    if (graph_ == nullptr) {
        return fail(ErrorCode::InvalidState,
                    "frame: no graph is attached to the GPU runtime (GpuRuntime::attach)");
    }
    Result<void> result = recordAndSubmit();
    if (!result && result.error().code == ErrorCode::DeviceLost) {
        deviceLost_ = Error{ErrorCode::DeviceLost,
                            fmt::format("the GPU device was lost after frame {} ({}); destroy "
                                        "the runtime and the device and create them again",
                                        pacer_.submittedFrame(), result.error().message)};
        return std::unexpected(*deviceLost_);
    }
    return result;
}

Result<void> GpuRuntime::recordAndSubmit() {
    const std::int64_t frameStart = core::steadyClockNs();
    Result<void> invalidations = graph_->processInvalidations();
    if (trace_ != nullptr) {
        trace_->complete("invalidations", "cpu", cpuTrack_, frameStart,
                         core::steadyClockNs() - frameStart);
    }
    if (hookError_) {
        Error error = std::move(*hookError_);
        hookError_.reset();
        return std::unexpected(std::move(error));
    }
    if (!invalidations) {
        return invalidations;
    }
    if (!graph_->compiled()) {
        return fail(ErrorCode::InvalidState, "frame: the graph is not compiled; compile it first");
    }
    if (options_.timestamps && !timestamps_) {
        // Its creation failed at compile: try again rather than run without it.
        if (Result<void> pool = ensureTimestampPool(); !pool) {
            return pool;
        }
    }
    if (parallel_ && nodeCommandBuffers_.empty()) {
        // Their creation failed at compile: try again rather than record without them.
        if (Result<void> buffers = ensureNodeCommandBuffers(); !buffers) {
            return buffers;
        }
    }
    if (uploader_ && uploader_->batchOpen()) {
        // Nodes' compile-time uploads go first on the queue; their batch's closing barrier
        // makes them visible to the frame.
        if (auto flushed = uploader_->flush(); !flushed) {
            return std::unexpected(std::move(flushed.error()));
        }
    }
    using Clock = std::chrono::steady_clock;
    const auto nanosecondsSince = [](Clock::time_point start) {
        return static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
    };
    const Clock::time_point waitStart = Clock::now();
    auto slot = pacer_.beginFrame(options_.frameTimeout);
    if (!slot) {
        return std::unexpected(std::move(slot.error()));
    }
    collectTimestamps(slot->index);  // some drivers block here until the results land
    timings_.waitNanoseconds = nanosecondsSince(waitStart);
    const Clock::time_point recordStart = Clock::now();
    commandBuffer_ = slot->commandBuffers[0];
    frameSlot_ = slot->index;
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    VkResult recorded = vkBeginCommandBuffer(commandBuffer_, &begin);
    if (recorded == VK_SUCCESS) {
        if (timestamps_) {
            static_cast<void>(timestamps_->beginFrame(commandBuffer_, slot->index));
        }
        nodeRecordingResult_.store(VK_SUCCESS, std::memory_order_relaxed);
        graph_->execute();
        if (parallel_) {
            executeNodeCommandBuffers();
            recorded = static_cast<VkResult>(nodeRecordingResult_.load(std::memory_order_relaxed));
        }
        if (recorded == VK_SUCCESS) {
            recorded = gpu::RecordGate::pass(vkEndCommandBuffer(commandBuffer_));
        } else {
            static_cast<void>(vkEndCommandBuffer(commandBuffer_));
        }
    }
    const VkCommandBuffer used = commandBuffer_;
    commandBuffer_ = VK_NULL_HANDLE;
    timings_.recordNanoseconds = nanosecondsSince(recordStart);
    const Clock::time_point submitStart = Clock::now();
    // The frame is open either way: submit it to close it. When recording failed, what the
    // participant began (an acquired image) is ended by its substitute, recorded anew.
    const gpu::SubmitSemaphores semaphores =
        participant_ != nullptr ? participant_->submitSemaphores() : gpu::SubmitSemaphores{};
    std::span<const VkCommandBuffer> commands(&used, 1);
    if (recorded != VK_SUCCESS) {
        commands = recordSubstitute(*slot) ? commands : std::span<const VkCommandBuffer>();
    }
    Result<void> submitted = pacer_.submit(*slot, commands, semaphores);
    timings_.submitNanoseconds = nanosecondsSince(submitStart);
    submitCpuNs_[slot->index] = core::steadyClockNs();
    if (timestamps_ && submitted && recorded == VK_SUCCESS) {
        unreadTimestamps_[slot->index] = 1;  // its queries were reset and written
    }
    if (submitted && recorded == VK_SUCCESS) {
        slotBarriersRecorded_ += activeBarriers().barrierCount();
        if (firstFramePending_) {
            // Every later frame starts from the states this one left.
            for (const auto& [state, steady] : steadyStates_) {
                *state = steady;
            }
            firstFramePending_ = false;
        }
    }
    if (trace_ != nullptr) {
        const auto since = [&](Clock::time_point t) {
            return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch())
                .count();
        };
        trace_->complete("wait for frame slot", "cpu", cpuTrack_, since(waitStart),
                         static_cast<std::int64_t>(timings_.waitNanoseconds));
        trace_->complete("record", "cpu", cpuTrack_, since(recordStart),
                         static_cast<std::int64_t>(timings_.recordNanoseconds));
        trace_->complete("submit", "cpu", cpuTrack_, since(submitStart),
                         static_cast<std::int64_t>(timings_.submitNanoseconds));
    }
    if (recorded != VK_SUCCESS) {
        static_cast<void>(closeRings());
        if (submitted && participant_ != nullptr) {
            static_cast<void>(participant_->afterSubmit());  // presents what it began
        }
        return std::unexpected(
            gpu::vulkanError(recorded, "vkEndCommandBuffer", "recording the graph's frame"));
    }
    // A ring that refused a range fails the frame, after it was presented as usual.
    Result<void> rings = closeRings();
    if (submitted && participant_ != nullptr) {
        VIXEN_TRY(participant_->afterSubmit());
    }
    if (!submitted) {
        return submitted;
    }
    return rings;
}

bool GpuRuntime::recordSubstitute(const gpu::FrameSlot& slot) noexcept {
    if (participant_ == nullptr || !pacer_.restartRecording(slot)) {
        return false;
    }
    const VkCommandBuffer commandBuffer = slot.commandBuffers[0];
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    if (vkBeginCommandBuffer(commandBuffer, &begin) != VK_SUCCESS) {
        return false;
    }
    participant_->recordSubstitute(commandBuffer);
    return vkEndCommandBuffer(commandBuffer) == VK_SUCCESS;
}

Result<void> GpuRuntime::waitIdle() {
    if (deviceLost_) {
        return std::unexpected(*deviceLost_);
    }
    Result<void> idle = pacer_.waitIdle(options_.frameTimeout);
    if (!idle && idle.error().code == ErrorCode::DeviceLost) {
        deviceLost_ = idle.error();
    }
    if (idle) {
        for (std::uint32_t slot = 0; slot < unreadTimestamps_.size(); ++slot) {
            collectTimestamps(slot);
        }
    }
    return idle;
}

// ---- parallel recording -------------------------------------------------------------------

std::uint64_t GpuRuntime::barriersRecorded() const noexcept {
    std::uint64_t total = slotBarriersRecorded_;
    for (const gpu::BarrierBatch& batch : barriers_) {
        total += batch.recorded();
    }
    return total;
}

void GpuRuntime::collectGpuNodes() {
    // The index is rebuilt every time (a replaced node may even reuse an address).
    gpuNodes_.clear();
    gpuNodeIndex_.assign(graph_->nodeCapacity(), 0);
    for (const graph::NodeId id : graph_->report().order) {
        if (auto* node = dynamic_cast<GpuNodeBase*>(&graph_->node(id))) {
            gpuNodeIndex_[id.value] = static_cast<std::uint32_t>(gpuNodes_.size());
            gpuNodes_.push_back(node);
        }
    }
}

void GpuRuntime::bakeSlotBarriers() {
    // Two frames in execution order: the first from the states compile left, the second
    // from those the first leaves, which every later frame starts from (replaying the same
    // barriers ends in the same states). The resources keep their present states until the
    // first frame is submitted.
    // Recorded in order into one command buffer, the nodes of a wave (independent of each
    // other) take their barriers together, before the wave's first node.
    std::vector<std::uint32_t> waveOf;
    if (!parallel_) {
        const graph::CompileReport& report = graph_->report();
        std::uint32_t wave = 0;
        std::uint32_t position = 0;
        for (const graph::NodeId id : report.order) {
            while (wave + 1 < report.waveOffsets.size() &&
                   position >= report.waveOffsets[wave + 1]) {
                ++wave;
            }
            ++position;
            if (dynamic_cast<GpuNodeBase*>(&graph_->node(id)) != nullptr) {
                waveOf.push_back(wave);
            }
        }
    }
    for (gpu::BakedBarriers& baked : baked_) {
        baked.clear();
        for (const GpuNodeBase* node : gpuNodes_) {
            baked.beginGroup();
            node->bakeSlotBarriers(baked);
        }
        baked.seal(waveOf);
    }
    steadyStates_.clear();
    for (const auto& [state, before] : baked_[0].touched()) {
        steadyStates_.emplace_back(state, *state);
        *state = before;
    }
    firstFramePending_ = true;
}

Result<void> GpuRuntime::ensureNodeCommandBuffers() {
    // The pools only change with the number of GPU nodes.
    if (gpuNodes_.size() * pacer_.framesInFlight() == nodeCommandBuffers_.size() &&
        !nodeCommandBuffers_.empty()) {
        return {};
    }
    destroyNodeCommandBuffers();  // the Before hook waited for the GPU
    const std::size_t count = std::size_t{pacer_.framesInFlight()} * gpuNodes_.size();
    nodePools_.reserve(count);
    nodeCommandBuffers_.assign(count, VK_NULL_HANDLE);
    for (std::size_t i = 0; i < count; ++i) {
        // One pool per node and slot: command buffers of one pool must not be recorded
        // from two threads at once, and any two nodes may record at once.
        VkCommandPoolCreateInfo poolInfo{};
        poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
        poolInfo.flags =
            VK_COMMAND_POOL_CREATE_TRANSIENT_BIT | VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
        poolInfo.queueFamilyIndex = device_->queueFamily();
        VkCommandPool pool = VK_NULL_HANDLE;
        Result<void> created = [&]() -> Result<void> {
            VIXEN_TRY_VK_CREATE(vkCreateCommandPool(device_->handle(), &poolInfo, nullptr, &pool),
                                "GPU runtime: a node's command pool");
            return {};
        }();
        if (!created) {
            destroyNodeCommandBuffers();
            return created;
        }
        nodePools_.push_back(pool);
        VkCommandBufferAllocateInfo allocate{};
        allocate.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
        allocate.commandPool = pool;
        allocate.level = VK_COMMAND_BUFFER_LEVEL_SECONDARY;
        allocate.commandBufferCount = 1;
        Result<void> allocated = [&]() -> Result<void> {
            VIXEN_TRY_VK_CREATE(
                vkAllocateCommandBuffers(device_->handle(), &allocate, &nodeCommandBuffers_[i]),
                "GPU runtime: a node's command buffer");
            return {};
        }();
        if (!allocated) {
            destroyNodeCommandBuffers();
            return allocated;
        }
    }
    core::ResourceTakes::note(core::ResourceTake::CommandBuffer, count,
                              "GPU runtime: node command buffers");
    return {};
}

void GpuRuntime::destroyNodeCommandBuffers() noexcept {
    for (const VkCommandPool pool : nodePools_) {
        vkDestroyCommandPool(device_->handle(), pool, nullptr);  // frees its buffers
    }
    nodePools_.clear();
    nodeCommandBuffers_.clear();
}

VkCommandBuffer GpuRuntime::beginNodeCommandBuffer(graph::NodeId node) noexcept {
    // Any worker may begin its node's buffer: each has a pool of its own, and the slot
    // barriers were derived at compile, so no state is shared.
    VkCommandBufferInheritanceInfo inheritance{};
    inheritance.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_INHERITANCE_INFO;
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    begin.pInheritanceInfo = &inheritance;
    const std::uint32_t index = gpuNodeIndex_[node.value];
    const VkCommandBuffer commandBuffer =
        nodeCommandBuffers_[std::size_t{frameSlot_} * gpuNodes_.size() + index];
    if (const VkResult result = vkBeginCommandBuffer(commandBuffer, &begin); result != VK_SUCCESS) {
        nodeRecordingResult_.store(result, std::memory_order_relaxed);
        return VK_NULL_HANDLE;
    }
    activeBarriers().record(commandBuffer, index);
    return commandBuffer;
}

void GpuRuntime::endNodeCommandBuffer(graph::NodeId node) noexcept {
    const VkCommandBuffer commandBuffer =
        nodeCommandBuffers_[std::size_t{frameSlot_} * gpuNodes_.size() + gpuNodeIndex_[node.value]];
    if (const VkResult result = vkEndCommandBuffer(commandBuffer); result != VK_SUCCESS) {
        nodeRecordingResult_.store(result, std::memory_order_relaxed);
    }
}

void GpuRuntime::executeNodeCommandBuffers() noexcept {
    if (nodeRecordingResult_.load(std::memory_order_relaxed) != VK_SUCCESS) {
        return;  // some node's buffer is not executable; the frame fails
    }
    const std::size_t base = std::size_t{frameSlot_} * gpuNodes_.size();
    for (std::size_t i = 0; i < gpuNodes_.size(); ++i) {
        const graph::NodeId id = gpuNodes_[i]->gpuNodeId();
        beginNodeScope(commandBuffer_, id);
        vkCmdExecuteCommands(commandBuffer_, 1, &nodeCommandBuffers_[base + i]);
        endNodeScope(commandBuffer_, id);
    }
}

// ---- transient memory ------------------------------------------------------------------

Result<gpu::MemoryAllocation> GpuRuntime::allocateTransient(
    graph::NodeId node, const VkMemoryRequirements& requirements, std::string_view what,
    bool& aliased) {
    if (!options_.aliasTransients) {
        aliased = false;
        return allocator_->allocate(requirements, 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                                    gpu::AllocationKind::Optimal, what);
    }
    return transients_.allocate(graph_->transientLifetime(node),
                                graph_->report().transientPeakBytes, requirements, what, aliased);
}

void GpuRuntime::freeTransient(const gpu::MemoryAllocation& allocation) noexcept {
    transients_.free(allocation);
}

// ---- resources of slots ------------------------------------------------------------------

Result<void> GpuRuntime::createImage(GpuImage& target, const gpu::ImageDesc& desc,
                                     std::string_view what, graph::NodeId node, bool transient) {
    if (Result<void> supported = gpu::checkImageSupport(*device_, desc, what); !supported) {
        return supported;
    }
    Result<gpu::Image> image = [&] {
        if (!transient) {
            return gpu::Image::create(*device_, *allocator_, desc, what);
        }
        return gpu::Image::createInMemory(
            *device_, desc, what,
            [&](const VkMemoryRequirements& requirements) {
                return allocateTransient(node, requirements, what, target.aliased);
            },
            [&](const gpu::MemoryAllocation& memory) { freeTransient(memory); });
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

Result<void> GpuRuntime::createBuffer(GpuBuffer& target, const gpu::BufferDesc& desc,
                                      std::string_view what) {
    auto buffer = gpu::Buffer::create(*device_, *allocator_, desc, what);
    if (!buffer) {
        return std::unexpected(std::move(buffer.error()));
    }
    target.buffer = std::move(*buffer);
    target.state = gpu::ResourceState::discarded();
    return {};
}

void GpuRuntime::release(GpuImage& target) noexcept {
    const gpu::MemoryAllocation memory = target.image.allocation();
    target.image.reset();
    if (target.transientMemory) {
        freeTransient(memory);
    }
    target.transientMemory = false;
    target.aliased = false;
    target.state = gpu::ResourceState{};
}

void GpuRuntime::release(GpuBuffer& target) noexcept {
    target.buffer.reset();
    target.state = gpu::ResourceState{};
}

void GpuRuntime::releaseParked() noexcept {
    for (ParkedResource& parked : parked_) {
        std::visit(
            [this](auto& resource) {
                if constexpr (!std::is_same_v<std::decay_t<decltype(resource)>, std::monostate>) {
                    release(resource);
                }
            },
            parked.resource);
    }
    parked_.clear();
}

}  // namespace vixen::nodes
