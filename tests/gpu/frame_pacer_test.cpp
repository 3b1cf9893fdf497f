// FramePacer on lavapipe (CTest sets VK_DRIVER_FILES) with the Khronos validation layer; the
// pacer and then the device are destroyed before TearDown counts errors, so a leaked pool
// or a command buffer reused while the GPU still ran it fails the test.
#include "vixen/gpu/frame_pacer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "gpu_test_support.hpp"
#include "lavapipe_fixture.hpp"
#include "vixen/core/alloc_tracker.hpp"
#include "vixen/gpu/budget_manager.hpp"
#include "vixen/gpu/buffer.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/instance.hpp"
#include "vixen/gpu/memory_allocator.hpp"
#include "vixen/gpu/physical_device.hpp"

namespace vixen::gpu {
namespace {

using namespace std::chrono_literals;

class FramePacerTest : public testing::LavapipeFixture {
protected:
    void releaseDeviceObjects() override {
        target_.reset();
        allocator_.reset();
        budget_.reset();
    }

    /// A host-visible, coherent (Readback) 256-byte transfer-destination buffer in target_.
    void makeHostBuffer() {
        budget_.emplace(*physical_);
        allocator_.emplace(*device_, *budget_);
        auto target = Buffer::create(
            *device_, *allocator_,
            BufferDesc{kBufferBytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MemoryUsage::Readback},
            "frame pacer test fill target");
        ASSERT_TRUE(target) << target.error().message;
        target_.emplace(std::move(*target));
        ASSERT_EQ(target_->mapped().size(), kBufferBytes);
    }

    /// 50 frames of one empty command buffer each, for 1, 2 and 3 frames in flight.
    void runEmptyFrames();
    /// 50 frames of vkCmdFillBuffer (value = frame number) into the slot's half of target_.
    void runFillFrames();

    static constexpr VkDeviceSize kBufferBytes = 256;

    std::optional<BudgetManager> budget_;
    std::optional<DeviceMemoryAllocator> allocator_;
    std::optional<Buffer> target_;
};

TEST_F(FramePacerTest, CreatesOnePoolAndItsBuffersPerFrameInFlight) {
    auto pacer = FramePacer::create(*device_, 3, 2);
    ASSERT_TRUE(pacer) << pacer.error().message;
    EXPECT_EQ(pacer->framesInFlight(), 3U);
    EXPECT_EQ(pacer->commandBuffersPerFrame(), 2U);
    EXPECT_EQ(pacer->submittedFrame(), 0U);
    ASSERT_TRUE(pacer->completedFrame());
    EXPECT_EQ(*pacer->completedFrame(), 0U);
    EXPECT_TRUE(pacer->waitIdle(0ns));  // nothing submitted yet

    std::set<VkCommandBuffer> seen;
    for (std::uint32_t frame = 1; frame <= 3; ++frame) {
        auto slot = pacer->beginFrame(1s);
        ASSERT_TRUE(slot) << slot.error().message;
        EXPECT_EQ(slot->index, frame - 1);
        EXPECT_EQ(slot->frame, frame);
        EXPECT_EQ(slot->signalValue, frame);
        ASSERT_EQ(slot->commandBuffers.size(), 2U);
        for (VkCommandBuffer commandBuffer : slot->commandBuffers) {
            EXPECT_NE(commandBuffer, VK_NULL_HANDLE);
            seen.insert(commandBuffer);
        }
        ASSERT_TRUE(pacer->submit(*slot, {}));  // an empty submit still signals the frame
    }
    EXPECT_EQ(seen.size(), 6U);
    ASSERT_TRUE(pacer->waitIdle(5s));
    EXPECT_EQ(*pacer->completedFrame(), 3U);

    // Frame 4 reuses slot 0 and its buffers.
    auto slot = pacer->beginFrame(1s);
    ASSERT_TRUE(slot) << slot.error().message;
    EXPECT_EQ(slot->index, 0U);
    EXPECT_TRUE(seen.contains(slot->commandBuffers[0]));
    ASSERT_TRUE(pacer->submit(*slot, {}));

    FramePacer moved = std::move(*pacer);
    EXPECT_EQ(moved.submittedFrame(), 4U);
    ASSERT_TRUE(moved.waitIdle(5s));
}

TEST_F(FramePacerTest, RejectsZeroFramesOrBuffers) {
    const auto noFrames = FramePacer::create(*device_, 0, 1);
    ASSERT_FALSE(noFrames);
    EXPECT_EQ(noFrames.error().code, ErrorCode::InvalidArgument);
    const auto noBuffers = FramePacer::create(*device_, 2, 0);
    ASSERT_FALSE(noBuffers);
    EXPECT_EQ(noBuffers.error().code, ErrorCode::InvalidArgument);
}

void FramePacerTest::runEmptyFrames() {
    for (const std::uint32_t framesInFlight : {1U, 2U, 3U}) {
        SCOPED_TRACE(framesInFlight);
        auto pacer = FramePacer::create(*device_, framesInFlight, 1);
        ASSERT_TRUE(pacer) << pacer.error().message;

        std::uint64_t lastCompleted = 0;
        std::optional<core::NoAllocationGuard> guard;
        for (std::uint64_t frame = 1; frame <= 50; ++frame) {
            if (frame == 10) {
                guard.emplace(core::TrackScope::ThisThread);
            }
            auto slot = pacer->beginFrame(5s);
            ASSERT_TRUE(slot) << slot.error().message;
            ASSERT_EQ(slot->frame, frame);
            ASSERT_EQ(slot->index, (frame - 1) % framesInFlight);

            const auto beforeSubmit = pacer->completedFrame();
            ASSERT_TRUE(beforeSubmit);
            // beginFrame waited for the slot's previous user.
            ASSERT_GE(*beforeSubmit + framesInFlight, frame);

            const VkCommandBuffer commandBuffer = slot->commandBuffers[0];
            ASSERT_EQ(testing::beginOneTimeSubmit(commandBuffer), VK_SUCCESS);
            ASSERT_EQ(vkEndCommandBuffer(commandBuffer), VK_SUCCESS);
            const std::array used{commandBuffer};
            ASSERT_TRUE(pacer->submit(*slot, used));
            ASSERT_EQ(pacer->submittedFrame(), frame);

            const auto completed = pacer->completedFrame();
            ASSERT_TRUE(completed);
            ASSERT_GE(*completed, lastCompleted);  // never goes back
            ASSERT_LE(*completed, frame);
            ASSERT_LE(frame - *completed, framesInFlight);  // pending frames
            lastCompleted = *completed;
        }
        ASSERT_TRUE(guard.has_value());
        if (!validation() && core::AllocationTracker::installed()) {
            EXPECT_TRUE(guard->ok()) << guard->describe();
        }
        guard.reset();
        ASSERT_TRUE(pacer->waitIdle(5s));
        EXPECT_EQ(*pacer->completedFrame(), 50U);
    }
}

void FramePacerTest::runFillFrames() {
    ASSERT_NO_FATAL_FAILURE(makeHostBuffer());
    auto pacer = FramePacer::create(*device_);
    ASSERT_TRUE(pacer) << pacer.error().message;
    EXPECT_EQ(pacer->framesInFlight(), FramePacer::kDefaultFramesInFlight);

    std::optional<core::NoAllocationGuard> guard;
    for (std::uint32_t frame = 1; frame <= 50; ++frame) {
        if (frame == 10) {
            guard.emplace(core::TrackScope::ThisThread);
        }
        auto slot = pacer->beginFrame(5s);
        ASSERT_TRUE(slot) << slot.error().message;
        const VkCommandBuffer commandBuffer = slot->commandBuffers[0];
        ASSERT_EQ(testing::beginOneTimeSubmit(commandBuffer), VK_SUCCESS);
        // Each slot fills its own half, so frames in flight never write the same bytes.
        const VkDeviceSize half = kBufferBytes / 2;
        vkCmdFillBuffer(commandBuffer, target_->handle(), half * slot->index, half, frame);
        ASSERT_EQ(vkEndCommandBuffer(commandBuffer), VK_SUCCESS);
        const std::array used{commandBuffer};
        ASSERT_TRUE(pacer->submit(*slot, used));
        const auto completed = pacer->completedFrame();
        ASSERT_TRUE(completed);
        ASSERT_LE(frame - *completed, pacer->framesInFlight());
    }
    if (!validation() && core::AllocationTracker::installed()) {
        EXPECT_TRUE(guard->ok()) << guard->describe();
    }
    guard.reset();
    ASSERT_TRUE(pacer->waitIdle(5s));
    EXPECT_EQ(*pacer->completedFrame(), 50U);

    const std::span<const std::byte> mapped = target_->mapped();
    std::array<std::uint32_t, 2> firsts{};
    std::memcpy(&firsts[0], mapped.data(), sizeof(std::uint32_t));
    std::memcpy(&firsts[1], mapped.data() + kBufferBytes / 2, sizeof(std::uint32_t));
    EXPECT_EQ(firsts[0], 49U);  // slot 0 ran the odd frames
    EXPECT_EQ(firsts[1], 50U);
}

TEST_F(FramePacerTest, FiftyEmptyFramesStayWithinFramesInFlight) {
    runEmptyFrames();
}
TEST_F(FramePacerTest, FiftyFillFramesReachTheGpu) {
    runFillFrames();
}

class FramePacerNoValidationTest : public FramePacerTest {
protected:
    /// The validation layer is C++ and allocates through operator new on every call
    /// (about 40 allocations per submitted frame on lavapipe), so the no-allocation checks
    /// run in FramePacerNoValidationTest only.
    [[nodiscard]] bool validation() const override { return false; }
};

// Frames 10..50 must not touch the heap: the pacer allocates nothing after creation, and
// lavapipe allocates (if at all) through malloc, which the tracker does not count.
TEST_F(FramePacerNoValidationTest, SteadyStateEmptyFramesAllocateNothing) {
    ASSERT_TRUE(core::AllocationTracker::installed());
    runEmptyFrames();
}
TEST_F(FramePacerNoValidationTest, SteadyStateFillFramesAllocateNothing) {
    ASSERT_TRUE(core::AllocationTracker::installed());
    runFillFrames();
}

TEST_F(FramePacerTest, MisuseIsAnErrorAndLeavesTheFrameOpen) {
    auto pacer = FramePacer::create(*device_, 2, 2);
    ASSERT_TRUE(pacer) << pacer.error().message;
    auto first = pacer->beginFrame(1s);
    ASSERT_TRUE(first) << first.error().message;

    const auto again = pacer->beginFrame(1s);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::InvalidState);

    // More command buffers than were reserved.
    const std::array tooMany{first->commandBuffers[0], first->commandBuffers[1],
                             first->commandBuffers[0]};
    const auto overflow = pacer->submit(*first, tooMany);
    ASSERT_FALSE(overflow);
    EXPECT_EQ(overflow.error().code, ErrorCode::CapacityExceeded);
    EXPECT_NE(overflow.error().message.find("only 2 are reserved"), std::string::npos)
        << overflow.error().message;

    // A command buffer that is not this slot's.
    const std::array foreign{VkCommandBuffer{VK_NULL_HANDLE}};
    const auto notOurs = pacer->submit(*first, foreign);
    ASSERT_FALSE(notOurs);
    EXPECT_EQ(notOurs.error().code, ErrorCode::InvalidArgument);

    // A stale slot.
    FrameSlot stale = *first;
    stale.frame = 7;
    const auto wrongFrame = pacer->submit(stale, {});
    ASSERT_FALSE(wrongFrame);
    EXPECT_EQ(wrongFrame.error().code, ErrorCode::InvalidState);

    EXPECT_TRUE(pacer->frameOpen());
    EXPECT_EQ(pacer->submittedFrame(), 0U);
    ASSERT_EQ(testing::beginOneTimeSubmit(first->commandBuffers[1]), VK_SUCCESS);
    ASSERT_EQ(vkEndCommandBuffer(first->commandBuffers[1]), VK_SUCCESS);
    const std::array used{first->commandBuffers[1]};
    ASSERT_TRUE(pacer->submit(*first, used));
    EXPECT_FALSE(pacer->frameOpen());

    const auto submittedTwice = pacer->submit(*first, {});
    ASSERT_FALSE(submittedTwice);
    EXPECT_EQ(submittedTwice.error().code, ErrorCode::InvalidState);
    // The destructor waits for frame 1 before destroying the pools.
}

}  // namespace
}  // namespace vixen::gpu
