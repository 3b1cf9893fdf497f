#include "vixen/gpu/frame_pacer.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "vixen/core/resource_takes.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {

FramePacer::FramePacer(TimelineSemaphore timeline) noexcept : timeline_(std::move(timeline)) {}

Result<FramePacer> FramePacer::create(const Device& device, std::uint32_t framesInFlight,
                                      std::uint32_t commandBuffersPerFrame) {
    if (framesInFlight == 0) {
        return fail(ErrorCode::InvalidArgument, "a frame pacer needs at least one frame in flight");
    }
    if (commandBuffersPerFrame == 0) {
        return fail(ErrorCode::InvalidArgument,
                    "a frame pacer needs at least one command buffer per frame");
    }
    auto timeline = TimelineSemaphore::create(device, 0);
    if (!timeline) {
        return std::unexpected(std::move(timeline.error()));
    }
    FramePacer pacer(std::move(*timeline));
    pacer.device_ = device.handle();
    pacer.queue_ = device.queue();
    pacer.framesInFlight_ = framesInFlight;
    pacer.commandBuffersPerFrame_ = commandBuffersPerFrame;
    pacer.pools_.reserve(framesInFlight);
    pacer.commandBuffers_.resize(std::size_t{framesInFlight} * commandBuffersPerFrame,
                                 VK_NULL_HANDLE);
    VkCommandBufferSubmitInfo blank{};
    blank.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO;
    pacer.submitInfos_.assign(commandBuffersPerFrame, blank);

    for (std::uint32_t slot = 0; slot < framesInFlight; ++slot) {
        VkCommandPoolCreateInfo poolInfo{};
        poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
        poolInfo.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
        poolInfo.queueFamilyIndex = device.queueFamily();
        VkCommandPool pool = VK_NULL_HANDLE;
        VIXEN_TRY_VK_CREATE(vkCreateCommandPool(pacer.device_, &poolInfo, nullptr, &pool),
                            "creating a frame's command pool");
        pacer.pools_.push_back(pool);  // reserved: cannot throw

        VkCommandBufferAllocateInfo allocInfo{};
        allocInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
        allocInfo.commandPool = pool;
        allocInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
        allocInfo.commandBufferCount = commandBuffersPerFrame;
        VIXEN_TRY_VK_CREATE(
            vkAllocateCommandBuffers(
                pacer.device_, &allocInfo,
                pacer.commandBuffers_.data() + std::size_t{slot} * commandBuffersPerFrame),
            "allocating a frame's command buffers");
        core::ResourceTakes::note(core::ResourceTake::CommandBuffer, commandBuffersPerFrame,
                                  "frame pacer command buffers");
    }
    return pacer;
}

FramePacer::FramePacer(FramePacer&& other) noexcept
    : device_(std::exchange(other.device_, VK_NULL_HANDLE)),
      queue_(std::exchange(other.queue_, VK_NULL_HANDLE)),
      timeline_(std::move(other.timeline_)),
      framesInFlight_(std::exchange(other.framesInFlight_, 0U)),
      commandBuffersPerFrame_(std::exchange(other.commandBuffersPerFrame_, 0U)),
      pools_(std::move(other.pools_)),
      commandBuffers_(std::move(other.commandBuffers_)),
      submitInfos_(std::move(other.submitInfos_)),
      submitted_(std::exchange(other.submitted_, 0U)),
      frameOpen_(std::exchange(other.frameOpen_, false)) {
    other.pools_.clear();
    other.commandBuffers_.clear();
    other.submitInfos_.clear();
}

FramePacer& FramePacer::operator=(FramePacer&& other) noexcept {
    if (this != &other) {
        destroy();
        device_ = std::exchange(other.device_, VK_NULL_HANDLE);
        queue_ = std::exchange(other.queue_, VK_NULL_HANDLE);
        timeline_ = std::move(other.timeline_);
        framesInFlight_ = std::exchange(other.framesInFlight_, 0U);
        commandBuffersPerFrame_ = std::exchange(other.commandBuffersPerFrame_, 0U);
        pools_ = std::move(other.pools_);
        commandBuffers_ = std::move(other.commandBuffers_);
        submitInfos_ = std::move(other.submitInfos_);
        submitted_ = std::exchange(other.submitted_, 0U);
        frameOpen_ = std::exchange(other.frameOpen_, false);
        other.pools_.clear();
        other.commandBuffers_.clear();
        other.submitInfos_.clear();
    }
    return *this;
}

FramePacer::~FramePacer() {
    destroy();
}

void FramePacer::destroy() noexcept {
    if (device_ == VK_NULL_HANDLE) {
        return;
    }
    if (submitted_ > 0 && timeline_.handle() != VK_NULL_HANDLE) {
        // Nothing to do with a failure here (device lost): the pools go regardless.
        static_cast<void>(timeline_.wait(submitted_, std::chrono::nanoseconds::max()));
    }
    for (VkCommandPool pool : pools_) {
        vkDestroyCommandPool(device_, pool, nullptr);
    }
    pools_.clear();
    commandBuffers_.clear();
    submitted_ = 0;
    frameOpen_ = false;
    device_ = VK_NULL_HANDLE;
}

Result<FrameSlot> FramePacer::beginFrame(std::chrono::nanoseconds timeout) {
    if (device_ == VK_NULL_HANDLE) {
        return fail(ErrorCode::InvalidState, "beginFrame on a moved-from frame pacer");
    }
    if (frameOpen_) {
        return fail(ErrorCode::InvalidState,
                    "frame {} was begun but not submitted; submit it before beginning another",
                    submitted_ + 1);
    }
    const std::uint64_t frame = submitted_ + 1;
    const auto slot = static_cast<std::uint32_t>((frame - 1) % framesInFlight_);
    if (frame > framesInFlight_) {
        // The slot's previous user was frame - framesInFlight.
        if (auto waited = timeline_.wait(frame - framesInFlight_, timeout); !waited) {
            return std::unexpected(std::move(waited.error()));
        }
    }
    VIXEN_TRY_VK(vkResetCommandPool(device_, pools_[slot], 0), "resetting a frame's command pool");
    frameOpen_ = true;
    return FrameSlot{
        .index = slot,
        .frame = frame,
        .commandBuffers =
            std::span<const VkCommandBuffer>(commandBuffers_)
                .subspan(std::size_t{slot} * commandBuffersPerFrame_, commandBuffersPerFrame_),
        .signalValue = frame,
    };
}

Result<void> FramePacer::restartRecording(const FrameSlot& slot) {
    if (!frameOpen_ || slot.frame != submitted_ + 1) {
        return fail(ErrorCode::InvalidState, "restart of frame {}, which is not the open frame",
                    slot.frame);
    }
    VIXEN_TRY_VK(vkResetCommandPool(device_, pools_[slot.index], 0),
                 "resetting a frame's command pool to record it again");
    return {};
}

Result<void> FramePacer::submit(FrameSlot& slot, std::span<const VkCommandBuffer> used) {
    return submit(slot, used, SubmitSemaphores{});
}

Result<void> FramePacer::submit(FrameSlot& slot, std::span<const VkCommandBuffer> used,
                                const SubmitSemaphores& semaphores) {
    if (!frameOpen_ || slot.frame != submitted_ + 1) {
        return fail(ErrorCode::InvalidState, "submit of frame {}, but the open frame is {}",
                    slot.frame, frameOpen_ ? std::to_string(submitted_ + 1) : std::string{"none"});
    }
    if (used.size() > commandBuffersPerFrame_) {
        return fail(ErrorCode::CapacityExceeded,
                    "frame {} submits {} command buffers but only {} are reserved per frame",
                    slot.frame, used.size(), commandBuffersPerFrame_);
    }
    const auto own =
        std::span<const VkCommandBuffer>(commandBuffers_)
            .subspan(std::size_t{slot.index} * commandBuffersPerFrame_, commandBuffersPerFrame_);
    for (std::size_t i = 0; i < used.size(); ++i) {
        if (std::find(own.begin(), own.end(), used[i]) == own.end()) {
            return fail(ErrorCode::InvalidArgument,
                        "command buffer {} submitted with frame {} is not one of slot {}'s", i,
                        slot.frame, slot.index);
        }
        submitInfos_[i].commandBuffer = used[i];
    }
    if (semaphores.signal.size() > kMaxExtraSignals) {
        return fail(ErrorCode::CapacityExceeded,
                    "frame {} signals {} semaphores besides the timeline, at most {} may be given",
                    slot.frame, semaphores.signal.size(), kMaxExtraSignals);
    }

    // The timeline first, then the caller's semaphores; on the stack, so nothing allocates.
    std::array<VkSemaphoreSubmitInfo, 1 + kMaxExtraSignals> signals{};
    signals[0].sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO;
    signals[0].semaphore = timeline_.handle();
    signals[0].value = slot.signalValue;
    signals[0].stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    std::copy(semaphores.signal.begin(), semaphores.signal.end(), signals.begin() + 1);

    VkSubmitInfo2 submitInfo{};
    submitInfo.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2;
    submitInfo.waitSemaphoreInfoCount = static_cast<std::uint32_t>(semaphores.wait.size());
    submitInfo.pWaitSemaphoreInfos = semaphores.wait.empty() ? nullptr : semaphores.wait.data();
    submitInfo.commandBufferInfoCount = static_cast<std::uint32_t>(used.size());
    submitInfo.pCommandBufferInfos = used.empty() ? nullptr : submitInfos_.data();
    submitInfo.signalSemaphoreInfoCount = static_cast<std::uint32_t>(1 + semaphores.signal.size());
    submitInfo.pSignalSemaphoreInfos = signals.data();
    VkResult result = SubmitGate::pass();
    if (result == VK_SUCCESS) {
        result = vkQueueSubmit2(queue_, 1, &submitInfo, VK_NULL_HANDLE);
    }
    if (result != VK_SUCCESS) {
        return std::unexpected(vulkanError(result, "vkQueueSubmit2", "submitting a frame"));
    }

    submitted_ = slot.frame;
    frameOpen_ = false;
    return {};
}

Result<std::uint64_t> FramePacer::completedFrame() const {
    return timeline_.currentValue();
}

Result<void> FramePacer::waitIdle(std::chrono::nanoseconds timeout) const {
    if (submitted_ == 0) {
        return {};
    }
    return timeline_.wait(submitted_, timeout);
}

}  // namespace vixen::gpu
