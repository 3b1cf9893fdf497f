// The GPU runtime's recording: slot barriers derived at compile, the parallel graph's
// secondary command buffers, and the substitute of a frame whose recording failed.
#include <vector>

#include "vixen/core/resource_takes.hpp"
#include "vixen/gpu/creation_gate.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"
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

}  // namespace vixen::nodes
