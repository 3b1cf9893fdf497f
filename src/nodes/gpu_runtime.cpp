#include "vixen/nodes/gpu_runtime.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <utility>

#include "vixen/core/log.hpp"
#include "vixen/gpu/budget_manager.hpp"
#include "vixen/gpu/creation_gate.hpp"
#include "vixen/gpu/device.hpp"
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
    // A split frame records its three graphics segments into buffers of their own.
    const bool mayUseComputeQueue =
        options.asyncCompute == AsyncCompute::SplitOnGraphicsQueue ||
        (options.asyncCompute == AsyncCompute::Auto && device.computeQueue() != VK_NULL_HANDLE);
    auto pacer =
        gpu::FramePacer::create(device, options.framesInFlight, mayUseComputeQueue ? 3 : 1);
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
      transients_(allocator),
      // Grown at compile when a rebuild retires more; collected as frames come back.
      retired_(device, 64) {
    submitCpuNs_.assign(pacer_.framesInFlight(), 0);
    unreadTimestamps_.assign(pacer_.framesInFlight(), 0);
    if (options.asyncCompute == AsyncCompute::SplitOnGraphicsQueue) {
        computeQueue_ = device.queue();
        computeFamily_ = device.queueFamily();
    } else if (options.asyncCompute == AsyncCompute::Auto) {
        computeQueue_ = device.computeQueue();
        computeFamily_ = device.computeQueueFamily();
    }
    // Its timestamps are read with the graphics family's valid bits: other bits, no times.
    const auto bits = [&](std::uint32_t family) {
        for (const gpu::QueueFamily& f : device.physical().queueFamilies) {
            if (f.index == family) {
                return f.timestampValidBits;
            }
        }
        return 0U;
    };
    computeTimestamps_ =
        computeQueue_ != VK_NULL_HANDLE && bits(computeFamily_) == bits(device.queueFamily());
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
            case core::Phase::Compile: {
                if (!before) {
                    afterCompile();
                    break;
                }
                // What a recompile batch replaces is retired, so earlier frames stay in
                // flight; a full compile, or a batch with a node that destroys what it
                // replaces itself, lets the GPU finish first.
                if (rebuildMayOverlapFrames()) {
                    ++rebuildStats_.withoutWaiting;
                    compileStage("GPU: finish staged uploads", [this]() -> Result<void> {
                        rebuildStats_.framesInFlightAtRebuild += framesInFlightCount();
                        return uploader_ ? uploader_->finish() : Result<void>{};
                    });
                } else {
                    if (!graph_->recompileBatch().empty()) {
                        ++rebuildStats_.waited;
                    }
                    compileStage("GPU: wait for frames in flight", [this]() -> Result<void> {
                        waitForGpu();
                        return {};
                    });
                }
                // Segments run out of the compiled order, so transients' lifetimes in it
                // do not tell which may share memory.
                aliasingOff_ = mayAssignQueues();
                const graph::ResourceEstimate total = setUpEstimate();
                compileStage("GPU: staging", [&] { return ensureUploader(total); });
                compileStage("GPU: streaming rings", [&] { return ensureRings(total); });
                break;
            }
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
    collectRetired();
}

std::uint64_t GpuRuntime::framesInFlightCount() const noexcept {
    const Result<std::uint64_t> completed = pacer_.completedFrame();
    const std::uint64_t submitted = pacer_.submittedFrame();
    return completed ? submitted - std::min(*completed, submitted) : submitted;
}

bool GpuRuntime::rebuildMayOverlapFrames() const {
    const std::span<const std::uint32_t> batch = graph_->recompileBatch();
    if (!options_.rebuildWithoutWaiting || batch.empty()) {
        return false;
    }
    return std::all_of(batch.begin(), batch.end(), [this](std::uint32_t id) {
        const std::uint32_t index = id < gpuNodeIndex_.size() ? gpuNodeIndex_[id] : kNotGpuNode;
        return index == kNotGpuNode || gpuNodes_[index]->retiresReplacedObjects();
    });
}

void GpuRuntime::retireHandle(gpu::VulkanObjectKind kind, std::uint64_t handle) noexcept {
    if (retired_.pending() == retired_.capacity()) {
        retired_.reserve(2 * retired_.capacity());
    }
    const std::uint64_t retireValue = framesInFlight() ? pacer_.submittedFrame() : 0;
    static_cast<void>(retired_.enqueue(kind, handle, retireValue));  // room was made above
    if (retireValue == 0) {
        collectRetired();  // nothing in flight: destroyed now
    } else {
        ++rebuildStats_.retired;
    }
}

void GpuRuntime::collectRetired() noexcept {
    if (retired_.pending() == 0) {
        return;
    }
    if (const Result<std::uint64_t> completed = pacer_.completedFrame()) {
        retired_.collect(*completed);
    }
}

void GpuRuntime::afterCompile() {
    releaseParked();
    gpuNanoseconds_.resize(std::max<std::size_t>(graph_->nodeCapacity(), 1), 0);
    if (graph_->executingThreads() > barriers_.size()) {
        barriers_.resize(graph_->executingThreads());
    }
    if (graph_->compiled()) {
        compileStage("GPU: timestamps", [this] { return ensureTimestampPool(); });
        bool baked = false;
        compileStage("GPU: slot barriers", [this, &baked]() -> Result<void> {
            collectGpuNodes();
            VIXEN_TRY(assignQueueSegments());
            VIXEN_TRY(bakeSlotBarriers());
            baked = true;
            return {};
        });
        if (parallel_ && baked) {
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

cache::CacheKey GpuRuntime::computePipelineKey(std::span<const std::uint32_t> spirv) {
    return cache::KeyBuilder().add("compute pipeline").add(std::as_bytes(spirv)).key();
}

Result<std::shared_ptr<const gpu::ComputePipeline>> GpuRuntime::computePipeline(
    std::span<const std::uint32_t> spirv, std::string_view name) {
    return computePipelines_.getOrCreate(computePipelineKey(spirv), [&] {
        return gpu::ComputePipeline::create(*device_, spirv, name, sharedPipelineOptions());
    });
}

cache::CacheKey GpuRuntime::graphicsPipelineKey(const gpu::GraphicsPipelineDesc& desc) {
    cache::KeyBuilder key;
    key.add("graphics pipeline").add(desc.stages.size());
    for (const gpu::ShaderStageCode& stage : desc.stages) {
        key.add(std::as_bytes(stage.spirv));
    }
    key.add(std::as_bytes(desc.colorFormats))
        .add(desc.depthFormat)
        .add(desc.depthCompare)
        .add(desc.topology)
        .add(desc.cullMode);
    return key.key();
}

Result<std::shared_ptr<const gpu::GraphicsPipeline>> GpuRuntime::graphicsPipeline(
    const gpu::GraphicsPipelineDesc& desc, std::string_view name) {
    return graphicsPipelines_.getOrCreate(graphicsPipelineKey(desc), [&] {
        return gpu::GraphicsPipeline::create(*device_, desc, name, sharedPipelineOptions());
    });
}

gpu::PipelineOptions GpuRuntime::sharedPipelineOptions() {
    return {.layouts = [this](const gpu::PipelineInterface& interface, std::string_view name) {
        cache::KeyBuilder bindings;
        bindings.add("set layouts").add(interface.bindings.size());
        for (const gpu::DescriptorBinding& binding : interface.bindings) {
            bindings.add(binding.set)
                .add(binding.binding)
                .add(binding.type)
                .add(binding.count)
                .add(binding.stages);
        }
        const cache::CacheKey setKey = bindings.key();
        const cache::CacheKey layoutKey = cache::KeyBuilder()
                                              .add("pipeline layout")
                                              .add(setKey.high)
                                              .add(setKey.low)
                                              .add(interface.pushConstantSize)
                                              .add(interface.pushConstantStages)
                                              .key();
        return pipelineLayouts_.getOrCreate(layoutKey, [&]() -> Result<gpu::PipelineLayout> {
            auto setLayouts = setLayouts_.getOrCreate(setKey, [&] {
                return gpu::DescriptorSetLayouts::create(*device_, interface, name);
            });
            if (!setLayouts) {
                return std::unexpected(std::move(setLayouts.error()));
            }
            return gpu::PipelineLayout::create(*device_, std::move(*setLayouts), interface, name);
        });
    }};
}

Result<std::shared_ptr<const gpu::Sampler>> GpuRuntime::sampler(const gpu::SamplerDesc& desc) {
    const cache::CacheKey key = cache::KeyBuilder()
                                    .add("sampler")
                                    .add(desc.filter)
                                    .add(desc.mipmapMode)
                                    .add(desc.addressMode)
                                    .add(desc.maxAnisotropy)
                                    .add(desc.maxLod)
                                    .add(desc.borderColor)
                                    .key();
    return samplers_.getOrCreate(key,
                                 [&] { return gpu::Sampler::create(*device_, desc, "sampler"); });
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
    retired_.flush();
    destroyNodeCommandBuffers();
    destroyComputeCommandBuffers();
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
    if (parallel_ && threadPools_.empty()) {
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
    collectRetired();
    timings_.waitNanoseconds = nanosecondsSince(waitStart);
    const Clock::time_point recordStart = Clock::now();
    commandBuffer_ = slot->commandBuffers[0];
    frameSlot_ = slot->index;
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    VkResult recorded = vkBeginCommandBuffer(commandBuffer_, &begin);
    if (recorded == VK_SUCCESS && split_) {
        recorded = beginSegmentCommandBuffers(*slot);
    }
    bool executed = false;
    if (recorded == VK_SUCCESS) {
        if (timestamps_) {
            static_cast<void>(timestamps_->beginFrame(commandBuffer_, slot->index));
        }
        nodeRecordingResult_.store(VK_SUCCESS, std::memory_order_relaxed);
        if (parallel_) {
            beginParallelFrame();
        }
        recordingRow_ = bakedRow(graph_->historyClock() - bakeClock_);
        graph_->execute();
        executed = true;
        if (parallel_) {
            executeNodeCommandBuffers();
            recorded = static_cast<VkResult>(nodeRecordingResult_.load(std::memory_order_relaxed));
        }
        if (recorded == VK_SUCCESS) {
            recorded = gpu::RecordGate::pass(vkEndCommandBuffer(commandBuffer_));
            if (recorded == VK_SUCCESS && split_) {
                recorded = endSegmentCommandBuffers();
            }
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
    Result<void> submitted = split_ && recorded == VK_SUCCESS
                                 ? submitSplitFrame(*slot, semaphores)
                                 : pacer_.submit(*slot, commands, semaphores);
    timings_.submitNanoseconds = nanosecondsSince(submitStart);
    submitCpuNs_[slot->index] = core::steadyClockNs();
    if (timestamps_ && submitted && recorded == VK_SUCCESS) {
        unreadTimestamps_[slot->index] = 1;  // its queries were reset and written
    }
    if (submitted && recorded == VK_SUCCESS) {
        slotBarriersRecorded_ += activeBarriers().barrierCount();
        applyStatesAfter(recordingRow_);  // the next frame starts from what this one left
    } else if (executed) {
        graph_->unwindFrame();  // its work never ran: the history rings turn back
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
        collectRetired();
    }
    return idle;
}

}  // namespace vixen::nodes
