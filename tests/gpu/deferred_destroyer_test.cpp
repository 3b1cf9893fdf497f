// TimelineSemaphore and DeferredDestroyer on lavapipe (CTest sets VK_DRIVER_FILES) with the
// Khronos validation layer; the device is destroyed before TearDown counts errors, so any
// object the destroyer failed to destroy is reported as a leak and fails the test.
#include "vixen/gpu/deferred_destroyer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "lavapipe_fixture.hpp"
#include "vixen/core/alloc_tracker.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/instance.hpp"
#include "vixen/gpu/physical_device.hpp"
#include "vixen/gpu/timeline.hpp"

namespace vixen::gpu {
namespace {

using namespace std::chrono_literals;

class DeferredDestroyerTest : public testing::LavapipeFixture {
protected:
    [[nodiscard]] VkBuffer makeBuffer() const {
        VkBufferCreateInfo info{};
        info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
        info.size = 256;
        info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
        VkBuffer buffer = VK_NULL_HANDLE;
        EXPECT_EQ(vkCreateBuffer(device_->handle(), &info, nullptr, &buffer), VK_SUCCESS);
        return buffer;
    }
    [[nodiscard]] VkSemaphore makeSemaphore() const {
        VkSemaphoreCreateInfo info{};
        info.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO;
        VkSemaphore semaphore = VK_NULL_HANDLE;
        EXPECT_EQ(vkCreateSemaphore(device_->handle(), &info, nullptr, &semaphore), VK_SUCCESS);
        return semaphore;
    }
};

TEST_F(DeferredDestroyerTest, TimelineSignalsFromHostAndTimesOutOnUnreachedValues) {
    auto timeline = TimelineSemaphore::create(*device_, 3);
    ASSERT_TRUE(timeline) << timeline.error().message;
    EXPECT_NE(timeline->handle(), VK_NULL_HANDLE);
    ASSERT_TRUE(timeline->currentValue());
    EXPECT_EQ(*timeline->currentValue(), 3U);

    ASSERT_TRUE(timeline->signalFromHost(7));
    EXPECT_EQ(*timeline->currentValue(), 7U);
    EXPECT_TRUE(timeline->wait(7, 0ns));
    EXPECT_TRUE(timeline->wait(5, 1ms));

    const auto timedOut = timeline->wait(8, 1ms);
    ASSERT_FALSE(timedOut);
    EXPECT_EQ(timedOut.error().code, ErrorCode::InvalidState);
    EXPECT_EQ(timedOut.error().message,
              "timed out after 1000000 ns waiting for timeline semaphore value 8 (it is at 7)");

    const auto backwards = timeline->signalFromHost(7);
    ASSERT_FALSE(backwards);
    EXPECT_EQ(backwards.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(backwards.error().message.find("already at 7"), std::string::npos)
        << backwards.error().message;

    TimelineSemaphore moved = std::move(*timeline);
    EXPECT_EQ(*moved.currentValue(), 7U);
}

TEST_F(DeferredDestroyerTest, DestroysOnlyOnceTheTimelinePassesTheRetireValue) {
    auto timeline = TimelineSemaphore::create(*device_);
    ASSERT_TRUE(timeline) << timeline.error().message;
    DeferredDestroyer destroyer(*device_, 8);
    EXPECT_EQ(destroyer.capacity(), 8U);

    ASSERT_TRUE(destroyer.enqueue(VulkanObjectKind::Buffer, rawHandle(makeBuffer()), 2));
    ASSERT_TRUE(destroyer.enqueue(VulkanObjectKind::Semaphore, rawHandle(makeSemaphore()), 1));
    ASSERT_TRUE(destroyer.enqueue(VulkanObjectKind::Buffer, rawHandle(makeBuffer()), 3));
    ASSERT_TRUE(destroyer.enqueue(VulkanObjectKind::Semaphore, rawHandle(makeSemaphore()), 2));
    ASSERT_TRUE(destroyer.enqueue(VulkanObjectKind::Buffer, rawHandle(VkBuffer{VK_NULL_HANDLE}),
                                  1));  // ignored
    EXPECT_EQ(destroyer.pending(), 4U);

    EXPECT_EQ(destroyer.collect(*timeline->currentValue()), 0U);
    EXPECT_EQ(destroyer.pending(), 4U);

    ASSERT_TRUE(timeline->signalFromHost(1));
    EXPECT_EQ(destroyer.collect(*timeline->currentValue()), 1U);  // the semaphore at 1
    EXPECT_EQ(destroyer.pending(), 3U);

    ASSERT_TRUE(timeline->signalFromHost(2));
    EXPECT_EQ(destroyer.collect(*timeline->currentValue()), 2U);  // buffer and semaphore at 2
    EXPECT_EQ(destroyer.pending(), 1U);
    EXPECT_EQ(destroyer.collect(*timeline->currentValue()), 0U);

    ASSERT_TRUE(timeline->signalFromHost(10));
    EXPECT_EQ(destroyer.collect(*timeline->currentValue()), 1U);
    EXPECT_EQ(destroyer.pending(), 0U);

    const DeferredDestroyerStats stats = destroyer.stats();
    EXPECT_EQ(stats.pending, 0U);
    EXPECT_EQ(stats.peakPending, 4U);
    EXPECT_EQ(stats.destroyed, 4U);
    EXPECT_EQ(stats.refusals, 0U);
}

TEST_F(DeferredDestroyerTest, RingWrapsAroundAndKeepsOrder) {
    DeferredDestroyer destroyer(*device_, 3);
    for (std::uint64_t frame = 1; frame <= 10; ++frame) {
        ASSERT_TRUE(destroyer.enqueue(VulkanObjectKind::Buffer, rawHandle(makeBuffer()), frame));
        ASSERT_TRUE(
            destroyer.enqueue(VulkanObjectKind::Semaphore, rawHandle(makeSemaphore()), frame + 1));
        EXPECT_EQ(destroyer.collect(frame), frame == 1 ? 1U : 2U);
        EXPECT_EQ(destroyer.pending(), 1U);
    }
    EXPECT_EQ(destroyer.stats().peakPending, 3U);
    EXPECT_EQ(destroyer.flush(), 1U);
    EXPECT_EQ(destroyer.stats().destroyed, 20U);
}

TEST_F(DeferredDestroyerTest, FullRingRefusesAndTheCallerKeepsTheHandle) {
    DeferredDestroyer destroyer(*device_, 2);
    ASSERT_TRUE(destroyer.enqueue(VulkanObjectKind::Buffer, rawHandle(makeBuffer()), 1));
    ASSERT_TRUE(destroyer.enqueue(VulkanObjectKind::Buffer, rawHandle(makeBuffer()), 1));

    const VkBuffer extra = makeBuffer();
    const auto refused = destroyer.enqueue(VulkanObjectKind::Buffer, rawHandle(extra), 4);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::CapacityExceeded);
    EXPECT_NE(refused.error().message.find("(2 of 2 entries pending)"), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("the caller still owns it"), std::string::npos)
        << refused.error().message;
    EXPECT_EQ(destroyer.pending(), 2U);
    EXPECT_EQ(destroyer.stats().refusals, 1U);

    vkDestroyBuffer(device_->handle(), extra, nullptr);  // still ours: destroy it directly
    EXPECT_EQ(destroyer.flush(), 2U);
}

TEST_F(DeferredDestroyerTest, EnqueueAndCollectAllocateNothing) {
    ASSERT_TRUE(core::AllocationTracker::installed());
    DeferredDestroyer destroyer(*device_, 16);
    std::array<VkBuffer, 16> buffers{};
    for (VkBuffer& buffer : buffers) {
        buffer = makeBuffer();
    }
    {
        core::NoAllocationGuard guard;
        for (std::size_t i = 0; i < buffers.size(); ++i) {
            const auto queued =
                destroyer.enqueue(VulkanObjectKind::Buffer, rawHandle(buffers[i]), i % 4);
            EXPECT_TRUE(queued);
        }
        EXPECT_EQ(destroyer.collect(1), 8U);
        EXPECT_TRUE(guard.ok()) << guard.describe();
    }
    EXPECT_EQ(destroyer.pending(), 8U);  // retire values 2 and 3: the destructor frees them
}

// An owner of one buffer, as gpu::Image or a descriptor pool own their objects.
class OwnedBuffer {
public:
    OwnedBuffer(VkDevice device, VkBuffer buffer, int& destroyed) noexcept
        : device_(device), buffer_(buffer), destroyed_(&destroyed) {}
    OwnedBuffer(OwnedBuffer&& other) noexcept
        : device_(other.device_),
          buffer_(std::exchange(other.buffer_, VK_NULL_HANDLE)),
          destroyed_(other.destroyed_) {}
    OwnedBuffer(const OwnedBuffer&) = delete;
    OwnedBuffer& operator=(const OwnedBuffer&) = delete;
    OwnedBuffer& operator=(OwnedBuffer&&) = delete;
    ~OwnedBuffer() {
        if (buffer_ != VK_NULL_HANDLE) {
            vkDestroyBuffer(device_, buffer_, nullptr);
            ++*destroyed_;
        }
    }
    [[nodiscard]] bool owns() const noexcept { return buffer_ != VK_NULL_HANDLE; }

private:
    VkDevice device_;
    VkBuffer buffer_;
    int* destroyed_;
};

TEST_F(DeferredDestroyerTest, OwningObjectsAreDestroyedOnceTheirValueIsReachedInQueueOrder) {
    DeferredDestroyer destroyer(*device_, 2);
    int destroyed = 0;
    ASSERT_TRUE(
        destroyer.enqueueObject(OwnedBuffer(device_->handle(), makeBuffer(), destroyed), 2));
    ASSERT_TRUE(destroyer.enqueue(VulkanObjectKind::Buffer, rawHandle(makeBuffer()), 1));

    OwnedBuffer third(device_->handle(), makeBuffer(), destroyed);
    const auto refused = destroyer.enqueueObject(std::move(third), 3);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::CapacityExceeded);
    EXPECT_NE(refused.error().message.find("the owning object (retire value 3)"), std::string::npos)
        << refused.error().message;
    EXPECT_TRUE(third.owns());  // refused: still the caller's

    destroyer.reserve(4);  // grows, keeping the queue and its order
    EXPECT_EQ(destroyer.capacity(), 4U);
    EXPECT_EQ(destroyer.pending(), 2U);
    ASSERT_TRUE(destroyer.enqueueObject(std::move(third), 3));
    EXPECT_FALSE(third.owns());

    EXPECT_EQ(destroyer.collect(1), 1U);  // the raw buffer
    EXPECT_EQ(destroyed, 0);
    EXPECT_EQ(destroyer.collect(2), 1U);
    EXPECT_EQ(destroyed, 1);
    EXPECT_EQ(destroyer.flush(), 1U);
    EXPECT_EQ(destroyed, 2);
    EXPECT_EQ(destroyer.stats().destroyed, 3U);
}

TEST_F(DeferredDestroyerTest, DestructorFlushesEverythingLeft) {
    auto timeline = TimelineSemaphore::create(*device_);
    ASSERT_TRUE(timeline) << timeline.error().message;
    {
        DeferredDestroyer destroyer(*device_, 8);
        for (std::uint64_t value = 1; value <= 4; ++value) {
            ASSERT_TRUE(
                destroyer.enqueue(VulkanObjectKind::Buffer, rawHandle(makeBuffer()), value));
            ASSERT_TRUE(destroyer.enqueue(VulkanObjectKind::Semaphore, rawHandle(makeSemaphore()),
                                          value + 100));
        }
        DeferredDestroyer moved = std::move(destroyer);
        EXPECT_EQ(destroyer.pending(), 0U);
        EXPECT_EQ(moved.pending(), 8U);
        ASSERT_TRUE(vkDeviceWaitIdle(device_->handle()) == VK_SUCCESS);
    }  // TearDown destroys the device: the layer would report anything left as a leak
}

}  // namespace
}  // namespace vixen::gpu
