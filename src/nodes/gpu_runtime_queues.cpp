// The GPU runtime's queues: the split of a frame into queue segments when nodes opt into
// async compute (their command buffers and submissions), and the timestamps every queue
// writes.
#include <algorithm>
#include <array>
#include <vector>

#include "vixen/core/log.hpp"
#include "vixen/core/resource_takes.hpp"
#include "vixen/gpu/creation_gate.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"
#include "vixen/graph/sub_graph.hpp"
#include "vixen/nodes/gpu_runtime.hpp"

namespace vixen::nodes {

namespace {

constexpr std::size_t segmentIndex(graph::QueueSegment segment) noexcept {
    return static_cast<std::size_t>(segment);
}

VkSemaphoreSubmitInfo timelineSubmit(VkSemaphore semaphore, std::uint64_t value) noexcept {
    VkSemaphoreSubmitInfo info{};
    info.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO;
    info.semaphore = semaphore;
    info.value = value;
    info.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    return info;
}

VkCommandBufferSubmitInfo commandBufferSubmit(VkCommandBuffer commandBuffer) noexcept {
    VkCommandBufferSubmitInfo info{};
    info.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO;
    info.commandBuffer = commandBuffer;
    return info;
}

}  // namespace

bool GpuRuntime::mayAssignQueues() const {
    if (computeQueue_ == VK_NULL_HANDLE || parallel_) {
        return false;
    }
    for (std::uint32_t id = 0; id < graph_->nodeCapacity(); ++id) {
        if (!graph_->contains(graph::NodeId{id})) {
            continue;
        }
        const auto* node = dynamic_cast<const GpuNodeBase*>(&graph_->node(graph::NodeId{id}));
        if (node != nullptr && node->asyncCompute()) {
            return true;
        }
    }
    return false;
}

graph::QueueSegment GpuRuntime::queueSegment(graph::NodeId node) const noexcept {
    const std::uint32_t index =
        node.value < gpuNodeIndex_.size() ? gpuNodeIndex_[node.value] : kNotGpuNode;
    return index == kNotGpuNode || index >= gpuNodeSegment_.size()
               ? graph::QueueSegment::BeforeCompute
               : gpuNodeSegment_[index];
}

Result<void> GpuRuntime::assignQueueSegments() {
    split_ = false;
    gpuNodeSegment_.assign(gpuNodes_.size(), graph::QueueSegment::BeforeCompute);
    if (std::none_of(gpuNodes_.begin(), gpuNodes_.end(),
                     [](const GpuNodeBase* node) { return node->asyncCompute(); })) {
        return {};
    }
    if (parallel_) {
        log::info(
            "async compute: a parallel graph records into one submission, so its opted-in "
            "nodes run on the graphics queue");
        return {};
    }
    // The assignment is made on every device, so a graph that cannot be split fails alike
    // where there is a compute queue and where there is none.
    const graph::CompileReport& report = graph_->report();
    constexpr std::uint32_t kNotKept = ~std::uint32_t{0};
    std::vector<std::uint32_t> position(graph_->nodeCapacity(), kNotKept);
    std::vector<std::string_view> names(report.order.size());
    std::vector<std::uint8_t> optedIn(report.order.size(), 0);
    for (std::uint32_t p = 0; p < report.order.size(); ++p) {
        const graph::NodeId id = report.order[p];
        position[id.value] = p;
        names[p] = graph_->node(id).name();
        const std::uint32_t index = gpuNodeIndex_[id.value];
        if (index == kNotGpuNode || !gpuNodes_[index]->asyncCompute()) {
            continue;
        }
        if (!gpuNodes_[index]->computeSlotsOnly()) {
            return fail(ErrorCode::InvalidArgument,
                        "node '{}' opts into async compute but has a GPU slot whose stage is "
                        "neither Compute nor Transfer, which the compute queue cannot run",
                        names[p]);
        }
        if (gpuNodeLoop_[index] != nullptr) {
            return fail(ErrorCode::InvalidArgument,
                        "node '{}' opts into async compute but is in loop '{}', whose steps run "
                        "on the graphics queue",
                        names[p], gpuNodeLoop_[index]->path());
        }
        optedIn[p] = 1;
    }
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
    for (const graph::Connection& connection : graph_->connections()) {
        const std::uint32_t from = position[connection.from.value];
        const std::uint32_t to = position[connection.to.value];
        if (from != kNotKept && to != kNotKept) {
            edges.emplace_back(from, to);
        }
    }
    std::vector<graph::ResourceUse> uses;
    std::vector<const void*> resources;
    for (const GpuNodeBase* node : gpuNodes_) {
        resources.clear();
        node->collectSlotResources(resources);
        for (const void* resource : resources) {
            uses.push_back({position[node->gpuNodeId().value], resource});
        }
    }
    auto segments = graph::assignQueueSegments({names, optedIn, edges, uses});
    if (!segments) {
        return std::unexpected(std::move(segments.error()));
    }
    if (computeQueue_ == VK_NULL_HANDLE) {
        return {};  // one queue: the frame stays one submission, in the compiled order
    }
    for (std::size_t i = 0; i < gpuNodes_.size(); ++i) {
        gpuNodeSegment_[i] = (*segments)[position[gpuNodes_[i]->gpuNodeId().value]];
    }
    VIXEN_TRY(ensureComputeCommandBuffers());
    split_ = true;
    return {};
}

Result<void> GpuRuntime::ensureComputeCommandBuffers() {
    if (!computePools_.empty()) {
        return {};
    }
    if (!segmentTimeline_) {
        auto timeline = gpu::TimelineSemaphore::create(*device_, 0);
        if (!timeline) {
            return std::unexpected(std::move(timeline.error()));
        }
        segmentTimeline_.emplace(std::move(*timeline));
    }
    const std::uint32_t slots = pacer_.framesInFlight();
    computePools_.reserve(slots);
    computeCommandBuffers_.assign(slots, VK_NULL_HANDLE);
    for (std::uint32_t slot = 0; slot < slots; ++slot) {
        VkCommandPoolCreateInfo poolInfo{};
        poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
        poolInfo.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
        poolInfo.queueFamilyIndex = computeFamily_;
        VkCommandPool pool = VK_NULL_HANDLE;
        Result<void> made = [&]() -> Result<void> {
            VIXEN_TRY_VK_CREATE(vkCreateCommandPool(device_->handle(), &poolInfo, nullptr, &pool),
                                "GPU runtime: the compute queue's command pool");
            computePools_.push_back(pool);  // reserved: cannot throw
            VkCommandBufferAllocateInfo allocate{};
            allocate.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
            allocate.commandPool = pool;
            allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
            allocate.commandBufferCount = 1;
            VIXEN_TRY_VK_CREATE(vkAllocateCommandBuffers(device_->handle(), &allocate,
                                                         &computeCommandBuffers_[slot]),
                                "GPU runtime: the compute queue's command buffer");
            return {};
        }();
        if (!made) {
            destroyComputeCommandBuffers();
            return made;
        }
    }
    core::ResourceTakes::note(core::ResourceTake::CommandBuffer, slots,
                              "GPU runtime: compute queue command buffers");
    return {};
}

void GpuRuntime::destroyComputeCommandBuffers() noexcept {
    for (const VkCommandPool pool : computePools_) {
        vkDestroyCommandPool(device_->handle(), pool, nullptr);  // frees its buffer
    }
    computePools_.clear();
    computeCommandBuffers_.clear();
}

VkResult GpuRuntime::beginSegmentCommandBuffers(const gpu::FrameSlot& slot) noexcept {
    // The pacer's three buffers are the graphics segments'; the compute queue's pool is
    // reset here, its slot's previous frame being done (its last submission waited for it).
    segmentCommandBuffers_ = {slot.commandBuffers[0], computeCommandBuffers_[slot.index],
                              slot.commandBuffers[1], slot.commandBuffers[2]};
    VkResult result = vkResetCommandPool(device_->handle(), computePools_[slot.index], 0);
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    for (std::size_t s = 1; s < graph::kQueueSegmentCount && result == VK_SUCCESS; ++s) {
        result = vkBeginCommandBuffer(segmentCommandBuffers_[s], &begin);
    }
    return result;
}

VkResult GpuRuntime::endSegmentCommandBuffers() noexcept {
    VkResult first = VK_SUCCESS;
    for (std::size_t s = 1; s < graph::kQueueSegmentCount; ++s) {
        const VkResult result = vkEndCommandBuffer(segmentCommandBuffers_[s]);
        first = first == VK_SUCCESS ? result : first;
    }
    return first;
}

Result<void> GpuRuntime::submitSplitFrame(gpu::FrameSlot& slot,
                                          const gpu::SubmitSemaphores& semaphores) {
    // Frame f: the first graphics segment signals 2f - 1, which the compute segment waits
    // for before signalling 2f, which the last graphics segment waits for. The frame's own
    // timeline value (the last submission's) thus still means all of it is done.
    const VkSemaphore timeline = segmentTimeline_->handle();
    const std::uint64_t firstDone = 2 * slot.frame - 1;
    const std::uint64_t computeDone = 2 * slot.frame;
    const VkSemaphoreSubmitInfo signalFirst = timelineSubmit(timeline, firstDone);
    const VkSemaphoreSubmitInfo waitFirst = timelineSubmit(timeline, firstDone);
    const VkSemaphoreSubmitInfo signalCompute = timelineSubmit(timeline, computeDone);
    const VkSemaphoreSubmitInfo waitCompute = timelineSubmit(timeline, computeDone);
    std::array<VkCommandBufferSubmitInfo, graph::kQueueSegmentCount> buffers{};
    for (std::size_t s = 0; s < buffers.size(); ++s) {
        buffers[s] = commandBufferSubmit(segmentCommandBuffers_[s]);
    }

    // The graphics queue: the first segment (which waits for what the participant acquired,
    // so every later segment may use it), then the one beside compute, which waits for
    // nothing and overlaps the compute queue.
    std::array<VkSubmitInfo2, 2> graphics{};
    for (VkSubmitInfo2& info : graphics) {
        info.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2;
        info.commandBufferInfoCount = 1;
    }
    graphics[0].waitSemaphoreInfoCount = static_cast<std::uint32_t>(semaphores.wait.size());
    graphics[0].pWaitSemaphoreInfos = semaphores.wait.empty() ? nullptr : semaphores.wait.data();
    graphics[0].pCommandBufferInfos = &buffers[segmentIndex(graph::QueueSegment::BeforeCompute)];
    graphics[0].signalSemaphoreInfoCount = 1;
    graphics[0].pSignalSemaphoreInfos = &signalFirst;
    graphics[1].pCommandBufferInfos = &buffers[segmentIndex(graph::QueueSegment::Beside)];
    VkSubmitInfo2 compute{};
    compute.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2;
    compute.waitSemaphoreInfoCount = 1;
    compute.pWaitSemaphoreInfos = &waitFirst;
    compute.commandBufferInfoCount = 1;
    compute.pCommandBufferInfos = &buffers[segmentIndex(graph::QueueSegment::Compute)];
    compute.signalSemaphoreInfoCount = 1;
    compute.pSignalSemaphoreInfos = &signalCompute;

    VkResult result = gpu::SubmitGate::pass();
    if (result == VK_SUCCESS) {
        result = vkQueueSubmit2(device_->queue(), static_cast<std::uint32_t>(graphics.size()),
                                graphics.data(), VK_NULL_HANDLE);
    }
    if (result == VK_SUCCESS) {
        result = vkQueueSubmit2(computeQueue_, 1, &compute, VK_NULL_HANDLE);
    }
    if (result != VK_SUCCESS) {
        return std::unexpected(
            gpu::vulkanError(result, "vkQueueSubmit2", "submitting a frame's first segments"));
    }
    const VkCommandBuffer last =
        segmentCommandBuffers_[segmentIndex(graph::QueueSegment::AfterCompute)];
    return pacer_.submit(
        slot, std::span<const VkCommandBuffer>(&last, 1),
        gpu::SubmitSemaphores{.wait = std::span(&waitCompute, 1), .signal = semaphores.signal});
}

// ---- timestamps --------------------------------------------------------------------------

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

void GpuRuntime::beginNodeScope(VkCommandBuffer commandBuffer, graph::NodeId node) noexcept {
    if (timestamps_ &&
        (computeTimestamps_ || !split_ || queueSegment(node) != graph::QueueSegment::Compute)) {
        static_cast<void>(timestamps_->begin(commandBuffer, node.value));
    }
}

void GpuRuntime::endNodeScope(VkCommandBuffer commandBuffer, graph::NodeId node) noexcept {
    if (timestamps_ &&
        (computeTimestamps_ || !split_ || queueSegment(node) != graph::QueueSegment::Compute)) {
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
    std::uint64_t last = 0;
    for (const gpu::ScopeTiming& scope : readout->scopes) {
        if (scope.valid) {
            first = std::min(first, scope.beginNs);
            last = std::max(last, scope.endNs);
        }
    }
    if (first == UINT64_MAX) {
        return;
    }
    ++timedFrames_;
    gpuFrameNanoseconds_ += last - first;
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

}  // namespace vixen::nodes
