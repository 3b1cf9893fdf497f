// TimestampPool on lavapipe (CTest sets VK_DRIVER_FILES) with the Khronos validation layer:
// scopes around real fills, frame after frame through a FramePacer, read back once each
// frame's slot comes round again. The pool, the pacer and then the device are destroyed
// before TearDown counts validation errors.
#include "vixen/gpu/timestamp_pool.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>

#include "gpu_test_support.hpp"
#include "lavapipe_fixture.hpp"
#include "vixen/core/alloc_tracker.hpp"
#include "vixen/gpu/budget_manager.hpp"
#include "vixen/gpu/buffer.hpp"
#include "vixen/gpu/creation_gate.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/frame_pacer.hpp"
#include "vixen/gpu/memory_allocator.hpp"
#include "vixen/gpu/physical_device.hpp"

namespace vixen::gpu {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kFramesInFlight = 2;
constexpr std::uint32_t kMaxScopes = 4;
/// Each frame fills two quarters of its slot's half, so frames in flight never share bytes.
constexpr VkDeviceSize kBufferBytes = VkDeviceSize{4} << 20;
constexpr VkDeviceSize kFillBytes = kBufferBytes / 4;

/// The scopes a frame records: 0 around the frame, 1 and 2 around one fill each.
constexpr std::uint32_t kFrameScope = 0;
constexpr std::uint32_t kFirstFill = 1;
constexpr std::uint32_t kSecondFill = 2;
constexpr std::uint32_t kScopesUsed = 3;

class TimestampPoolTest : public testing::LavapipeFixture {
protected:
    void releaseDeviceObjects() override {
        pacer_.reset();  // waits for the frames still in flight
        pool_.reset();
        target_.reset();
        allocator_.reset();
        budget_.reset();
    }

    void makePacerPoolAndTarget() {
        auto pacer = FramePacer::create(*device_, kFramesInFlight, 1);
        ASSERT_TRUE(pacer) << pacer.error().message;
        pacer_.emplace(std::move(*pacer));
        auto pool = TimestampPool::create(*device_, kFramesInFlight, kMaxScopes);
        ASSERT_TRUE(pool) << pool.error().message;
        pool_.emplace(std::move(*pool));
        budget_.emplace(*physical_);
        allocator_.emplace(*device_, *budget_);
        auto target = Buffer::create(
            *device_, *allocator_,
            BufferDesc{kBufferBytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MemoryUsage::DeviceLocal},
            "timestamp test fill target");
        ASSERT_TRUE(target) << target.error().message;
        target_.emplace(std::move(*target));
    }

    /// Records and submits one frame of two timed fills (value = frame number).
    void recordFrame(FrameSlot& slot) {
        const VkCommandBuffer cmd = slot.commandBuffers[0];
        ASSERT_EQ(testing::beginOneTimeSubmit(cmd), VK_SUCCESS);
        ASSERT_TRUE(pool_->beginFrame(cmd, slot.index));
        ASSERT_TRUE(pool_->begin(cmd, kFrameScope));
        const VkDeviceSize half = kBufferBytes / 2 * slot.index;
        const auto value = static_cast<std::uint32_t>(slot.frame);
        ASSERT_TRUE(pool_->begin(cmd, kFirstFill));
        vkCmdFillBuffer(cmd, target_->handle(), half, kFillBytes, value);
        ASSERT_TRUE(pool_->end(cmd, kFirstFill));
        ASSERT_TRUE(pool_->begin(cmd, kSecondFill));
        vkCmdFillBuffer(cmd, target_->handle(), half + kFillBytes, kFillBytes, value);
        ASSERT_TRUE(pool_->end(cmd, kSecondFill));
        ASSERT_TRUE(pool_->end(cmd, kFrameScope));
        ASSERT_EQ(vkEndCommandBuffer(cmd), VK_SUCCESS);
        const std::array used{cmd};
        ASSERT_TRUE(pacer_->submit(slot, used));
    }

    /// Reads `slot`'s frame and checks its scopes: all landed, each end at or after its
    /// begin, the fills one after the other inside the frame scope, and the frame after
    /// the one read before it. Allocates nothing when every check passes.
    void readAndCheck(std::uint32_t slot) {
        auto readout = pool_->read(slot);
        ASSERT_TRUE(readout) << readout.error().message;
        ASSERT_EQ(readout->status, TimestampStatus::Ready);
        ASSERT_EQ(readout->scopes.size(), kScopesUsed);
        for (const ScopeTiming& timing : readout->scopes) {
            ASSERT_TRUE(timing.valid);
            ASSERT_GE(timing.endNs, timing.beginNs);
            ASSERT_EQ(timing.endNs - timing.beginNs, timing.durationNs);
        }
        const ScopeTiming& frame = readout->scopes[kFrameScope];
        const ScopeTiming& first = readout->scopes[kFirstFill];
        const ScopeTiming& second = readout->scopes[kSecondFill];
        EXPECT_LE(frame.beginNs, first.beginNs);
        EXPECT_LE(first.endNs, second.beginNs);
        EXPECT_LE(second.endNs, frame.endNs);
        EXPECT_GE(frame.durationNs, first.durationNs + second.durationNs);
        EXPECT_GE(frame.beginNs, lastFrameEndNs_);  // one queue: frames run in order
        lastFrameEndNs_ = frame.endNs;
        ++framesRead_;
    }

    /// `frames` frames; from frame `guardFrom` on, the per-frame path (pacer, pool, fills,
    /// read-back) must not allocate when allocation checks apply (validation off).
    void runFrames(std::uint64_t frames, std::uint64_t guardFrom) {
        ASSERT_NO_FATAL_FAILURE(makePacerPoolAndTarget());
        ASSERT_TRUE(pool_->enabled()) << "lavapipe writes timestamps: " << pool_->support().reason;
        std::optional<core::NoAllocationGuard> guard;
        for (std::uint64_t frame = 1; frame <= frames; ++frame) {
            if (frame == guardFrom) {
                guard.emplace(core::TrackScope::ThisThread);
            }
            auto slot = pacer_->beginFrame(5s);
            ASSERT_TRUE(slot) << slot.error().message;
            if (slot->frame > kFramesInFlight) {
                // The slot's previous frame is finished: beginFrame waited for it.
                ASSERT_NO_FATAL_FAILURE(readAndCheck(slot->index));
            } else {
                auto empty = pool_->read(slot->index);  // nothing recorded in it yet
                ASSERT_TRUE(empty);
                ASSERT_EQ(empty->status, TimestampStatus::Ready);
                ASSERT_TRUE(empty->scopes.empty());
            }
            ASSERT_NO_FATAL_FAILURE(recordFrame(*slot));
        }
        ASSERT_TRUE(guard.has_value());
        if (!validation() && core::AllocationTracker::installed()) {
            EXPECT_TRUE(guard->ok()) << guard->describe();
        }
        guard.reset();
        ASSERT_TRUE(pacer_->waitIdle(5s));
        // The last frames of each slot, oldest first.
        for (std::uint64_t frame = frames - kFramesInFlight + 1; frame <= frames; ++frame) {
            ASSERT_NO_FATAL_FAILURE(
                readAndCheck(static_cast<std::uint32_t>((frame - 1) % kFramesInFlight)));
        }
        EXPECT_EQ(framesRead_, frames);
    }

    std::optional<FramePacer> pacer_;
    std::optional<TimestampPool> pool_;
    std::optional<BudgetManager> budget_;
    std::optional<DeviceMemoryAllocator> allocator_;
    std::optional<Buffer> target_;
    std::uint64_t lastFrameEndNs_ = 0;
    std::uint64_t framesRead_ = 0;
};

TEST_F(TimestampPoolTest, LavapipeQueueSupportsTimestamps) {
    const TimestampSupport support = timestampSupport(*physical_, device_->queueFamily());
    EXPECT_TRUE(support.supported) << support.reason;
    EXPECT_GT(support.validBits, 0U);
    EXPECT_GT(support.periodNs, 0.0);
    EXPECT_TRUE(support.reason.empty());

    PhysicalDeviceInfo noBits = *physical_;
    for (QueueFamily& family : noBits.queueFamilies) {
        family.timestampValidBits = 0;
    }
    const TimestampSupport withoutBits = timestampSupport(noBits, device_->queueFamily());
    EXPECT_FALSE(withoutBits.supported);
    EXPECT_NE(withoutBits.reason.find("timestampValidBits"), std::string_view::npos);

    PhysicalDeviceInfo noPeriod = *physical_;
    noPeriod.features.timestampPeriodNs = 0.0F;
    const TimestampSupport withoutPeriod = timestampSupport(noPeriod, device_->queueFamily());
    EXPECT_FALSE(withoutPeriod.supported);
    EXPECT_NE(withoutPeriod.reason.find("timestampPeriod"), std::string_view::npos);

    EXPECT_FALSE(timestampSupport(*physical_, 1000).supported);
}

TEST_F(TimestampPoolTest, CreatesOneQueryPoolUpFront) {
    const std::uint64_t before = CreationGate::count();
    auto pool = TimestampPool::create(*device_, 3, 16);
    ASSERT_TRUE(pool) << pool.error().message;
    EXPECT_EQ(CreationGate::count(), before + 1);
    EXPECT_TRUE(pool->enabled());
    EXPECT_NE(pool->handle(), VK_NULL_HANDLE);
    EXPECT_EQ(pool->framesInFlight(), 3U);
    EXPECT_EQ(pool->maxScopes(), 16U);

    TimestampPool moved = std::move(*pool);
    EXPECT_EQ(pool->handle(), VK_NULL_HANDLE);  // NOLINT(bugprone-use-after-move)
    EXPECT_TRUE(moved.enabled());
    EXPECT_EQ(moved.maxScopes(), 16U);
}

TEST_F(TimestampPoolTest, RejectsZeroOrOversizedPools) {
    const auto noFrames = TimestampPool::create(*device_, 0, 4);
    ASSERT_FALSE(noFrames);
    EXPECT_EQ(noFrames.error().code, ErrorCode::InvalidArgument);
    const auto noScopes = TimestampPool::create(*device_, 2, 0);
    ASSERT_FALSE(noScopes);
    EXPECT_EQ(noScopes.error().code, ErrorCode::InvalidArgument);
    const auto huge = TimestampPool::create(*device_, 65536, 65536);
    ASSERT_FALSE(huge);
    EXPECT_EQ(huge.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(huge.error().message.find("queries"), std::string::npos) << huge.error().message;
}

TEST_F(TimestampPoolTest, CreationFailureIsAnErrorAndLeavesNothing) {
    const ScopedFaultInjection injection(1);
    const auto pool = TimestampPool::create(*device_, 2, 8);
    ASSERT_FALSE(pool);
    EXPECT_EQ(pool.error().code, ErrorCode::OverBudget);
    EXPECT_NE(pool.error().message.find("timestamp query pool"), std::string::npos)
        << pool.error().message;
    // TearDown's vkDestroyDevice would report a leaked query pool.
}

TEST_F(TimestampPoolTest, TimesNestedScopesAroundFillsAcrossFrames) {
    runFrames(12, 5);
}

TEST_F(TimestampPoolTest, RefusesScopesPastMaxScopesAndMisuse) {
    auto pacer = FramePacer::create(*device_, 1, 1);
    ASSERT_TRUE(pacer) << pacer.error().message;
    auto pool = TimestampPool::create(*device_, 1, 2);
    ASSERT_TRUE(pool) << pool.error().message;

    const auto beforeFrame = pool->begin(VK_NULL_HANDLE, 0);
    ASSERT_FALSE(beforeFrame);
    EXPECT_EQ(beforeFrame.error().code, ErrorCode::InvalidState);

    auto slot = pacer->beginFrame(5s);
    ASSERT_TRUE(slot) << slot.error().message;
    const VkCommandBuffer cmd = slot->commandBuffers[0];
    ASSERT_EQ(testing::beginOneTimeSubmit(cmd), VK_SUCCESS);

    const auto badSlot = pool->beginFrame(cmd, 1);
    ASSERT_FALSE(badSlot);
    EXPECT_EQ(badSlot.error().code, ErrorCode::InvalidArgument);
    ASSERT_TRUE(pool->beginFrame(cmd, slot->index));

    const auto pastEnd = pool->begin(cmd, 2);
    ASSERT_FALSE(pastEnd);
    EXPECT_EQ(pastEnd.error().code, ErrorCode::CapacityExceeded);
    EXPECT_NE(pastEnd.error().message.find("scope 2"), std::string::npos)
        << pastEnd.error().message;
    EXPECT_NE(pastEnd.error().message.find("2 scopes per frame"), std::string::npos)
        << pastEnd.error().message;
    const auto endPastEnd = pool->end(cmd, 7);
    ASSERT_FALSE(endPastEnd);
    EXPECT_EQ(endPastEnd.error().code, ErrorCode::CapacityExceeded);

    const auto endFirst = pool->end(cmd, 1);
    ASSERT_FALSE(endFirst);
    EXPECT_EQ(endFirst.error().code, ErrorCode::InvalidState);
    EXPECT_NE(endFirst.error().message.find("without a begin"), std::string::npos)
        << endFirst.error().message;

    ASSERT_TRUE(pool->begin(cmd, 1));
    const auto twice = pool->begin(cmd, 1);
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, ErrorCode::InvalidState);
    ASSERT_TRUE(pool->end(cmd, 1));
    const auto endedTwice = pool->end(cmd, 1);
    ASSERT_FALSE(endedTwice);
    EXPECT_NE(endedTwice.error().message.find("ended twice"), std::string::npos)
        << endedTwice.error().message;

    ASSERT_EQ(vkEndCommandBuffer(cmd), VK_SUCCESS);
    const std::array used{cmd};
    ASSERT_TRUE(pacer->submit(*slot, used));
    ASSERT_TRUE(pacer->waitIdle(5s));

    const auto badRead = pool->read(1);
    ASSERT_FALSE(badRead);
    EXPECT_EQ(badRead.error().code, ErrorCode::InvalidArgument);
    auto readout = pool->read(slot->index);
    ASSERT_TRUE(readout) << readout.error().message;
    ASSERT_EQ(readout->status, TimestampStatus::Ready);
    ASSERT_EQ(readout->scopes.size(), 2U);
    EXPECT_FALSE(readout->scopes[0].valid);  // never recorded this frame
    EXPECT_TRUE(readout->scopes[1].valid);
    EXPECT_GE(readout->scopes[1].endNs, readout->scopes[1].beginNs);
}

TEST_F(TimestampPoolTest, QueueWithoutTimestampsGivesADisabledPoolOfNoOps) {
    PhysicalDeviceInfo noTimestamps = *physical_;
    for (QueueFamily& family : noTimestamps.queueFamilies) {
        family.timestampValidBits = 0;
    }
    auto device = Device::create(noTimestamps);
    ASSERT_TRUE(device) << device.error().message;
    {
        const std::uint64_t before = CreationGate::count();
        auto pool = TimestampPool::create(*device, 2, 2);
        ASSERT_TRUE(pool) << pool.error().message;
        EXPECT_EQ(CreationGate::count(), before);  // no query pool
        EXPECT_FALSE(pool->enabled());
        EXPECT_EQ(pool->handle(), VK_NULL_HANDLE);
        EXPECT_FALSE(pool->support().supported);
        EXPECT_FALSE(pool->support().reason.empty());

        auto pacer = FramePacer::create(*device, 2, 1);
        ASSERT_TRUE(pacer) << pacer.error().message;
        for (int frame = 0; frame < 3; ++frame) {
            auto slot = pacer->beginFrame(5s);
            ASSERT_TRUE(slot) << slot.error().message;
            const VkCommandBuffer cmd = slot->commandBuffers[0];
            ASSERT_EQ(testing::beginOneTimeSubmit(cmd), VK_SUCCESS);
            ASSERT_TRUE(pool->beginFrame(cmd, slot->index));
            ASSERT_TRUE(pool->begin(cmd, 0));
            ASSERT_TRUE(pool->end(cmd, 0));
            // Arguments are still checked, so code that works disabled works enabled.
            const auto pastEnd = pool->begin(cmd, 2);
            ASSERT_FALSE(pastEnd);
            EXPECT_EQ(pastEnd.error().code, ErrorCode::CapacityExceeded);
            ASSERT_EQ(vkEndCommandBuffer(cmd), VK_SUCCESS);
            const std::array used{cmd};
            ASSERT_TRUE(pacer->submit(*slot, used));
        }
        ASSERT_TRUE(pacer->waitIdle(5s));
        for (std::uint32_t slot = 0; slot < 2; ++slot) {
            auto readout = pool->read(slot);
            ASSERT_TRUE(readout) << readout.error().message;
            EXPECT_EQ(readout->status, TimestampStatus::Unsupported);
            EXPECT_TRUE(readout->scopes.empty());
        }
    }  // the pacer and the pool go before their device
}

class TimestampPoolNoValidationTest : public TimestampPoolTest {
protected:
    /// The validation layer allocates through operator new on every submit, so the
    /// no-allocation check runs with it off (as FramePacerNoValidationTest does).
    [[nodiscard]] bool validation() const override { return false; }
};

// Frames 5..40: beginFrame, read-back, reset, scopes, fills and submit touch no heap.
TEST_F(TimestampPoolNoValidationTest, SteadyStateFramesAllocateNothing) {
    ASSERT_TRUE(core::AllocationTracker::installed());
    runFrames(40, 5);
}

}  // namespace
}  // namespace vixen::gpu
