// The GPU runtime's recording: slot barriers derived at compile, the parallel graph's
// secondary command buffers, and the substitute of a frame whose recording failed.
#include <unordered_map>
#include <vector>

#include "vixen/core/resource_takes.hpp"
#include "vixen/gpu/creation_gate.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"
#include "vixen/graph/sub_graph.hpp"
#include "vixen/nodes/gpu_runtime.hpp"

namespace vixen::nodes {

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
    gpuNodeWave_.clear();
    gpuNodeLoop_.clear();
    gpuNodeIndex_.assign(graph_->nodeCapacity(), kNotGpuNode);
    const graph::CompileReport& report = graph_->report();
    std::uint32_t wave = 0;
    for (std::uint32_t position = 0; position < report.order.size(); ++position) {
        while (wave + 1 < report.waveOffsets.size() && position >= report.waveOffsets[wave + 1]) {
            ++wave;
        }
        const graph::NodeId id = report.order[position];
        if (auto* node = dynamic_cast<GpuNodeBase*>(&graph_->node(id))) {
            gpuNodeIndex_[id.value] = static_cast<std::uint32_t>(gpuNodes_.size());
            gpuNodes_.push_back(node);
            gpuNodeWave_.push_back(wave);
            gpuNodeLoop_.push_back(graph_->loopOf(id));
        }
    }
}

Result<void> GpuRuntime::bakeLoopRepeat(const gpu::BakedBarriers& baked, gpu::BakedBarriers& repeat,
                                        std::uint32_t first, std::uint32_t last) {
    std::vector<std::pair<gpu::ResourceState*, gpu::ResourceState>> afterFirst;
    for (const auto& [state, before] : baked.touched()) {
        afterFirst.emplace_back(state, *state);
    }
    while (repeat.groupCount() < first) {
        repeat.beginGroup();  // nodes outside loops have no second pass
    }
    for (std::uint32_t node = first; node <= last; ++node) {
        repeat.beginGroup();
        gpuNodes_[node]->bakeSlotBarriers(repeat);
    }
    for (const auto& [state, value] : afterFirst) {
        if (*state != value) {
            return fail(ErrorCode::InvalidArgument,
                        "loop '{}': a second step of its body leaves its GPU resources in other "
                        "states than the first, so what follows the loop cannot take the same "
                        "barriers whatever the number of steps",
                        gpuNodeLoop_[first]->path());
        }
    }
    return {};
}

Result<void> GpuRuntime::bakeSlotBarriers() {
    // Frames in execution order, with the history rings at each frame's positions: the
    // first turn of the rings from the states compile left, then a second turn from those
    // the first leaves, which every later turn starts from (every ring element is written
    // once a turn, so replaying a turn's barriers ends in the same states). Without history
    // a turn is one frame. The resources keep their present states; after each submitted
    // frame they take what its baked frame leaves (applyStatesAfter).
    baked_.clear();
    repeatBaked_.clear();
    const auto gpuNodeCount = static_cast<std::uint32_t>(gpuNodes_.size());
    for (const graph::SubGraphBase* loop : gpuNodeLoop_) {
        if (loop != nullptr && parallel_) {
            return fail(ErrorCode::InvalidArgument,
                        "loop '{}': its GPU nodes need a sequential graph (parallel recording "
                        "records each node once per frame into batches, not once per step)",
                        loop->path());
        }
    }
    historyPeriod_ = graph_->historyPeriod();
    bakeClock_ = graph_->historyClock();
    const std::uint32_t frames = 2 * historyPeriod_;
    baked_.resize(frames);
    repeatBaked_.resize(frames);
    bakedStates_.clear();
    std::vector<gpu::ResourceState> initial;
    std::unordered_map<const gpu::ResourceState*, std::uint32_t> tracked;
    std::vector<std::vector<gpu::ResourceState>> after(frames);
    for (std::uint32_t frame = 0; frame < frames; ++frame) {
        graph_->selectHistory(bakeClock_ + frame);
        gpu::BakedBarriers& baked = baked_[frame];
        gpu::BakedBarriers& repeat = repeatBaked_[frame];
        baked.clear();
        repeat.clear();
        std::uint32_t bodyFirst = 0;
        for (std::uint32_t node = 0; node < gpuNodeCount; ++node) {
            baked.beginGroup();
            gpuNodes_[node]->bakeSlotBarriers(baked);
            const graph::SubGraphBase* loop = gpuNodeLoop_[node];
            if (node == 0 || gpuNodeLoop_[node - 1] != loop) {
                bodyFirst = node;
            }
            // A loop's body is contiguous in the order: after its last GPU node, its later
            // steps' barriers follow from the states its first step leaves.
            if (loop != nullptr && (node + 1 == gpuNodeCount || gpuNodeLoop_[node + 1] != loop)) {
                if (Result<void> repeated = bakeLoopRepeat(baked, repeat, bodyFirst, node);
                    !repeated) {
                    // The resources keep the states they had: this frame's first touches,
                    // then the earlier frames'.
                    for (const auto& [state, before] : baked.touched()) {
                        *state = before;
                    }
                    for (std::size_t i = 0; i < bakedStates_.size(); ++i) {
                        *bakedStates_[i] = initial[i];
                    }
                    graph_->selectHistory(graph_->historyClock());
                    baked_.clear();
                    repeatBaked_.clear();
                    return repeated;
                }
            }
        }
        while (repeat.groupCount() < gpuNodeCount) {
            repeat.beginGroup();
        }
        if (split_ && computeFamily_ != device_->queueFamily()) {
            // The compute segment's barriers follow uses on the graphics queue too, which
            // its semaphore wait already ordered; the compute family has no graphics stages.
            for (std::uint32_t node = 0; node < gpuNodeCount; ++node) {
                if (gpuNodeSegment_[node] == graph::QueueSegment::Compute) {
                    baked.fitToComputeQueue(node);
                }
            }
        }
        for (const auto& [state, before] : baked.touched()) {
            if (tracked.emplace(state, static_cast<std::uint32_t>(bakedStates_.size())).second) {
                bakedStates_.push_back(state);
                initial.push_back(before);
            }
        }
        for (const gpu::ResourceState* state : bakedStates_) {
            after[frame].push_back(*state);
        }
    }
    graph_->selectHistory(bakeClock_);
    // A state first touched in a later frame held its initial value until then.
    statesAfter_.resize(std::size_t{frames} * bakedStates_.size());
    for (std::uint32_t frame = 0; frame < frames; ++frame) {
        for (std::size_t i = 0; i < bakedStates_.size(); ++i) {
            statesAfter_[frame * bakedStates_.size() + i] =
                i < after[frame].size() ? after[frame][i] : initial[i];
        }
    }
    for (std::size_t i = 0; i < bakedStates_.size(); ++i) {
        *bakedStates_[i] = initial[i];
    }
    appliedRow_ = kNoRow;

    // The nodes of a wave are independent: they take their barriers together, in one call
    // before the batch's first node (sequential) or before the batch's secondaries
    // (parallel). Every frame uses the same batches, split wherever any needs it, and
    // between queue segments (each records into a command buffer of its own).
    std::vector<std::uint32_t> batchKey(gpuNodeCount);
    for (std::uint32_t node = 0; node < gpuNodeCount; ++node) {
        batchKey[node] =
            gpuNodeWave_[node] * static_cast<std::uint32_t>(graph::kQueueSegmentCount) +
            static_cast<std::uint32_t>(gpuNodeSegment_[node]);
    }
    std::vector<std::uint8_t> starts = baked_[0].batchStarts(batchKey);
    for (std::uint32_t frame = 1; frame < frames; ++frame) {
        const std::vector<std::uint8_t> frameStarts = baked_[frame].batchStarts(batchKey);
        for (std::size_t g = 0; g < starts.size(); ++g) {
            starts[g] = static_cast<std::uint8_t>(starts[g] | frameStarts[g]);
        }
    }
    for (gpu::BakedBarriers& baked : baked_) {
        baked.seal(starts);
    }
    for (gpu::BakedBarriers& repeat : repeatBaked_) {
        repeat.seal();
    }
    nodeBatch_.assign(gpuNodes_.size(), 0);
    batchFirstNode_.clear();
    for (std::uint32_t g = 0; g < starts.size(); ++g) {
        if (starts[g] != 0) {
            batchFirstNode_.push_back(g);
        }
        nodeBatch_[g] = static_cast<std::uint32_t>(batchFirstNode_.size() - 1);
    }
    return {};
}

void GpuRuntime::applyStatesAfter(std::uint32_t row) noexcept {
    if (row == appliedRow_) {
        return;  // a steady frame without history leaves what the one before left
    }
    const gpu::ResourceState* states = statesAfter_.data() + std::size_t{row} * bakedStates_.size();
    for (std::size_t i = 0; i < bakedStates_.size(); ++i) {
        *bakedStates_[i] = states[i];
    }
    appliedRow_ = row;
}

Result<void> GpuRuntime::ensureNodeCommandBuffers() {
    // Per frame slot and executing thread: one pool, reset once per frame, holding one
    // secondary per batch, which the thread records every node of that batch it runs into.
    const auto threads = static_cast<std::uint32_t>(graph_->executingThreads());
    const auto batches = static_cast<std::uint32_t>(batchFirstNode_.size());
    batchBegun_.assign(std::size_t{batches} * threads, 0);
    executeList_.reserve(threads);
    if (threads == threadCount_ && batches <= batchCapacity_ && !threadPools_.empty()) {
        return {};
    }
    // Frames in flight may still execute secondaries of the old pools.
    for (const VkCommandPool pool : threadPools_) {
        retireHandle(gpu::VulkanObjectKind::CommandPool, gpu::rawHandle(pool));
    }
    threadPools_.clear();
    destroyNodeCommandBuffers();
    const std::size_t pools = std::size_t{pacer_.framesInFlight()} * threads;
    threadPools_.reserve(pools);
    batchCommandBuffers_.assign(pools * batches, VK_NULL_HANDLE);
    for (std::size_t p = 0; p < pools; ++p) {
        VkCommandPoolCreateInfo poolInfo{};
        poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
        poolInfo.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
        poolInfo.queueFamilyIndex = device_->queueFamily();
        VkCommandPool pool = VK_NULL_HANDLE;
        Result<void> created = [&]() -> Result<void> {
            VIXEN_TRY_VK_CREATE(vkCreateCommandPool(device_->handle(), &poolInfo, nullptr, &pool),
                                "GPU runtime: a worker's command pool");
            return {};
        }();
        if (!created) {
            destroyNodeCommandBuffers();
            return created;
        }
        threadPools_.push_back(pool);
        VkCommandBufferAllocateInfo allocate{};
        allocate.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
        allocate.commandPool = pool;
        allocate.level = VK_COMMAND_BUFFER_LEVEL_SECONDARY;
        allocate.commandBufferCount = batches;
        Result<void> allocated = [&]() -> Result<void> {
            VIXEN_TRY_VK_CREATE(vkAllocateCommandBuffers(device_->handle(), &allocate,
                                                         &batchCommandBuffers_[p * batches]),
                                "GPU runtime: a worker's command buffers");
            return {};
        }();
        if (!allocated) {
            destroyNodeCommandBuffers();
            return allocated;
        }
    }
    threadCount_ = threads;
    batchCapacity_ = batches;
    core::ResourceTakes::note(core::ResourceTake::CommandBuffer, pools * batches,
                              "GPU runtime: worker command buffers");
    return {};
}

void GpuRuntime::destroyNodeCommandBuffers() noexcept {
    for (const VkCommandPool pool : threadPools_) {
        vkDestroyCommandPool(device_->handle(), pool, nullptr);  // frees its buffers
    }
    threadPools_.clear();
    batchCommandBuffers_.clear();
    threadCount_ = 0;
    batchCapacity_ = 0;
}

void GpuRuntime::beginParallelFrame() noexcept {
    std::fill(batchBegun_.begin(), batchBegun_.end(), 0);
    for (std::uint32_t t = 0; t < threadCount_; ++t) {
        const VkCommandPool pool = threadPools_[std::size_t{frameSlot_} * threadCount_ + t];
        if (const VkResult result = vkResetCommandPool(device_->handle(), pool, 0);
            result != VK_SUCCESS) {
            nodeRecordingResult_.store(result, std::memory_order_relaxed);
        }
    }
}

VkCommandBuffer GpuRuntime::beginNodeCommandBuffer(graph::NodeId node,
                                                   std::uint32_t worker) noexcept {
    // The worker's secondary of the node's batch: begun by the first of the batch's nodes
    // this worker runs. Each worker has a pool of its own, and the slot barriers were
    // derived at compile and go into the primary, so nothing is shared.
    const std::uint32_t batch = nodeBatch_[gpuNodeIndex_[node.value]];
    const std::size_t key = std::size_t{batch} * threadCount_ + worker;
    const VkCommandBuffer commandBuffer =
        batchCommandBuffers_[(std::size_t{frameSlot_} * threadCount_ + worker) * batchCapacity_ +
                             batch];
    if (batchBegun_[key] == 0) {
        VkCommandBufferInheritanceInfo inheritance{};
        inheritance.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_INHERITANCE_INFO;
        VkCommandBufferBeginInfo begin{};
        begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
        begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        begin.pInheritanceInfo = &inheritance;
        if (const VkResult result = vkBeginCommandBuffer(commandBuffer, &begin);
            result != VK_SUCCESS) {
            nodeRecordingResult_.store(result, std::memory_order_relaxed);
            return VK_NULL_HANDLE;
        }
        batchBegun_[key] = 1;
    }
    return commandBuffer;
}

void GpuRuntime::executeNodeCommandBuffers() noexcept {
    // Batch by batch: its barriers, then every worker's secondary of it.
    for (std::uint32_t batch = 0; batch < batchFirstNode_.size(); ++batch) {
        activeBarriers().record(commandBuffer_, batchFirstNode_[batch]);
        executeList_.clear();
        for (std::uint32_t worker = 0; worker < threadCount_; ++worker) {
            if (batchBegun_[std::size_t{batch} * threadCount_ + worker] == 0) {
                continue;
            }
            const VkCommandBuffer commandBuffer =
                batchCommandBuffers_[(std::size_t{frameSlot_} * threadCount_ + worker) *
                                         batchCapacity_ +
                                     batch];
            if (const VkResult result = vkEndCommandBuffer(commandBuffer); result != VK_SUCCESS) {
                nodeRecordingResult_.store(result, std::memory_order_relaxed);
            }
            executeList_.push_back(commandBuffer);
        }
        if (nodeRecordingResult_.load(std::memory_order_relaxed) != VK_SUCCESS) {
            return;  // some buffer is not executable; the frame fails
        }
        if (!executeList_.empty()) {
            vkCmdExecuteCommands(commandBuffer_, static_cast<std::uint32_t>(executeList_.size()),
                                 executeList_.data());
        }
    }
}

}  // namespace vixen::nodes
