// The windowed path on lavapipe under Xvfb (CTest runs vixen_window_tests through
// xvfb-run and sets VK_DRIVER_FILES): a GLFW window, its surface, a presenting device, a
// swapchain fed by the FramePacer, resizes. With validation on, any layer error fails the
// test; with it off, steady-state frames must allocate nothing and create no Vulkan object.
#include "vixen/gpu/swapchain.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gpu_test_support.hpp"
#include "vixen/core/alloc_tracker.hpp"
#include "vixen/gpu/budget_manager.hpp"
#include "vixen/gpu/buffer.hpp"
#include "vixen/gpu/creation_gate.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/frame_pacer.hpp"
#include "vixen/gpu/memory_allocator.hpp"
#include "vixen/gpu/physical_device.hpp"
#include "vixen/gpu/window.hpp"
#include "window_fixture.hpp"

// In the global namespace, where argument-dependent lookup finds it for EXPECT_EQ.
static bool operator==(const VkExtent2D& a, const VkExtent2D& b) {
    return a.width == b.width && a.height == b.height;
}

namespace vixen::gpu {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kWidth = testing::kWindowWidth;
constexpr std::uint32_t kHeight = testing::kWindowHeight;
constexpr std::uint32_t kFramesInFlight = 2;

std::string describe(VkExtent2D extent) {
    return std::to_string(extent.width) + "x" + std::to_string(extent.height);
}

VkImageMemoryBarrier2 imageBarrier(VkImage image, VkImageLayout from, VkImageLayout to,
                                   VkPipelineStageFlags2 srcStage, VkAccessFlags2 srcAccess,
                                   VkPipelineStageFlags2 dstStage, VkAccessFlags2 dstAccess) {
    VkImageMemoryBarrier2 barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER_2;
    barrier.srcStageMask = srcStage;
    barrier.srcAccessMask = srcAccess;
    barrier.dstStageMask = dstStage;
    barrier.dstAccessMask = dstAccess;
    barrier.oldLayout = from;
    barrier.newLayout = to;
    barrier.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.image = image;
    barrier.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    return barrier;
}

void pipelineBarrier(VkCommandBuffer commandBuffer, const VkImageMemoryBarrier2& image) {
    VkDependencyInfo dependency{};
    dependency.sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO;
    dependency.imageMemoryBarrierCount = 1;
    dependency.pImageMemoryBarriers = &image;
    vkCmdPipelineBarrier2(commandBuffer, &dependency);
}

/// The clear colour of frame `frame`: green carries the frame number (mod 256), so a
/// read-back pixel says which frame wrote it.
VkClearColorValue frameColor(std::uint64_t frame) {
    VkClearColorValue color{};
    color.float32[0] = 1.0F;
    color.float32[1] = static_cast<float>(frame % 256) / 255.0F;
    color.float32[2] = 0.0F;
    color.float32[3] = 1.0F;
    return color;
}

/// The window, instance, surface and presenting device of WindowFixture, plus a FramePacer
/// and a swapchain of the window's size. TearDown destroys them in reverse and fails the
/// test on any validation error.
class SwapchainTest : public testing::WindowFixture {
protected:
    void SetUp() override {
        WindowFixture::SetUp();
        if (HasFatalFailure()) {
            return;
        }
        auto pacer = FramePacer::create(*device_, kFramesInFlight, 1);
        ASSERT_TRUE(pacer) << pacer.error().message;
        pacer_.emplace(std::move(*pacer));
        ASSERT_NO_FATAL_FAILURE(makeSwapchain(SwapchainOptions{}));
    }

    void releaseDeviceObjects() override {
        pacer_.reset();      // waits for its frames
        swapchain_.reset();  // waits for the queue, so presents are done too
        readback_.reset();
        allocator_.reset();
        budget_.reset();
    }

    void makeSwapchain(const SwapchainOptions& options) {
        swapchain_.reset();
        auto swapchain =
            Swapchain::create(*device_, surface_->handle(), window_->framebufferSize(), options);
        ASSERT_TRUE(swapchain) << swapchain.error().message;
        swapchain_.emplace(std::move(*swapchain));
    }

    /// A host-visible, coherent (Readback) transfer-destination buffer of `bytes` in
    /// readback_, from an allocator of its own.
    void makeReadbackBuffer(VkDeviceSize bytes) {
        budget_.emplace(*physical_);
        allocator_.emplace(*device_, *budget_);
        auto readback = Buffer::create(
            *device_, *allocator_,
            BufferDesc{bytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MemoryUsage::Readback},
            "swapchain test readback");
        ASSERT_TRUE(readback) << readback.error().message;
        readback_.emplace(std::move(*readback));
    }

    /// One frame as an engine runs it: begin, acquire, clear the image to `color`, submit
    /// waiting on the acquire semaphore and signalling the render-finished one, present.
    /// With `readback`, the cleared image is also copied into readback_. `status` is the
    /// present's result, or the acquire's when it was OutOfDate (the frame is then closed
    /// with an empty submit). Allocates nothing.
    void runFrame(const VkClearColorValue& color, bool readback, SwapchainStatus& status);

    /// Waits (up to 5 s) for `count` framebuffer-size callbacks since `before`.
    void waitForResizeCallbacks(std::uint64_t before, std::uint64_t count) {
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (window_->resizeCallbacks() - before < count &&
               std::chrono::steady_clock::now() < deadline) {
            window_->waitEvents(10ms);
        }
    }

    std::optional<FramePacer> pacer_;
    std::optional<Swapchain> swapchain_;
    std::optional<BudgetManager> budget_;
    std::optional<DeviceMemoryAllocator> allocator_;
    std::optional<Buffer> readback_;
};

void SwapchainTest::runFrame(const VkClearColorValue& color, bool readback,
                             SwapchainStatus& status) {
    auto slot = pacer_->beginFrame(5s);
    ASSERT_TRUE(slot) << slot.error().message;
    auto image = swapchain_->acquire(slot->index, 5s);
    ASSERT_TRUE(image) << image.error().message;
    if (!image->usable()) {
        ASSERT_TRUE(pacer_->submit(*slot, {}));  // every begun frame is submitted
        status = image->status;
        return;
    }
    const VkCommandBuffer commandBuffer = slot->commandBuffers[0];
    ASSERT_EQ(testing::beginOneTimeSubmit(commandBuffer), VK_SUCCESS);
    // The submit waits on the acquire semaphore at the transfer stage, so the first barrier
    // starts from that stage: the layout change happens after the image is acquired.
    pipelineBarrier(
        commandBuffer,
        imageBarrier(image->image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                     VK_PIPELINE_STAGE_2_ALL_TRANSFER_BIT, VK_ACCESS_2_NONE,
                     VK_PIPELINE_STAGE_2_CLEAR_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT));
    const VkImageSubresourceRange range{VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    vkCmdClearColorImage(commandBuffer, image->image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &color,
                         1, &range);
    VkImageLayout layout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
    VkPipelineStageFlags2 lastStage = VK_PIPELINE_STAGE_2_CLEAR_BIT;
    VkAccessFlags2 lastAccess = VK_ACCESS_2_TRANSFER_WRITE_BIT;
    if (readback) {
        pipelineBarrier(
            commandBuffer,
            imageBarrier(image->image, layout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, lastStage,
                         lastAccess, VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_READ_BIT));
        VkBufferImageCopy region{};
        region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
        region.imageExtent = {swapchain_->extent().width, swapchain_->extent().height, 1};
        vkCmdCopyImageToBuffer(commandBuffer, image->image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                               readback_->handle(), 1, &region);
        testing::recordHostReadBarrier(commandBuffer, VK_PIPELINE_STAGE_2_COPY_BIT,
                                       VK_ACCESS_2_TRANSFER_WRITE_BIT);
        layout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
        lastStage = VK_PIPELINE_STAGE_2_COPY_BIT;
        lastAccess = VK_ACCESS_2_NONE;  // a read: nothing to make available
    }
    // To the presentation engine: the render-finished semaphore carries the dependency.
    pipelineBarrier(commandBuffer,
                    imageBarrier(image->image, layout, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR, lastStage,
                                 lastAccess, VK_PIPELINE_STAGE_2_NONE, VK_ACCESS_2_NONE));
    ASSERT_EQ(vkEndCommandBuffer(commandBuffer), VK_SUCCESS);

    const std::array used{commandBuffer};
    const std::array waits{image->waitInfo(VK_PIPELINE_STAGE_2_ALL_TRANSFER_BIT)};
    const std::array signals{image->signalInfo()};
    auto submitted = pacer_->submit(*slot, used, SubmitSemaphores{waits, signals});
    ASSERT_TRUE(submitted) << submitted.error().message;
    auto presented = swapchain_->present(image->index);
    ASSERT_TRUE(presented) << presented.error().message;
    status = *presented;
}

TEST_F(SwapchainTest, CreatesWindowSurfaceDeviceAndSwapchain) {
    auto extensions = window_->requiredInstanceExtensions();
    ASSERT_TRUE(extensions);
    EXPECT_TRUE(std::any_of(extensions->begin(), extensions->end(), [](const char* name) {
        return std::strcmp(name, VK_KHR_SURFACE_EXTENSION_NAME) == 0;
    }));
    EXPECT_TRUE(device_->enabled().swapchain);
    EXPECT_EQ(window_->framebufferSize(), (VkExtent2D{kWidth, kHeight}));

    const Swapchain& swapchain = *swapchain_;
    EXPECT_NE(swapchain.handle(), VK_NULL_HANDLE);
    EXPECT_EQ(swapchain.extent(), (VkExtent2D{kWidth, kHeight})) << describe(swapchain.extent());
    EXPECT_EQ(swapchain.format(), VK_FORMAT_B8G8R8A8_UNORM);
    EXPECT_EQ(swapchain.colorSpace(), VK_COLOR_SPACE_SRGB_NONLINEAR_KHR);
    EXPECT_EQ(swapchain.presentMode(), VK_PRESENT_MODE_FIFO_KHR);
    EXPECT_EQ(swapchain.usage(),
              VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT);
    EXPECT_EQ(swapchain.framesInFlight(), kFramesInFlight);
    EXPECT_EQ(swapchain.generation(), 1U);
    EXPECT_FALSE(swapchain.needsRecreate());
    EXPECT_GE(swapchain.imageCount(), 2U);
    ASSERT_EQ(swapchain.views().size(), swapchain.imageCount());
    const std::set<VkImageView> views(swapchain.views().begin(), swapchain.views().end());
    EXPECT_EQ(views.size(), swapchain.imageCount());
    EXPECT_FALSE(views.contains(VK_NULL_HANDLE));

    // The sRGB format and a present mode lavapipe may lack (falling back to FIFO).
    ASSERT_NO_FATAL_FAILURE(
        makeSwapchain(SwapchainOptions{.presentMode = PresentMode::Mailbox, .srgb = true}));
    EXPECT_EQ(swapchain_->format(), VK_FORMAT_B8G8R8A8_SRGB);
    EXPECT_TRUE(swapchain_->presentMode() == VK_PRESENT_MODE_MAILBOX_KHR ||
                swapchain_->presentMode() == VK_PRESENT_MODE_FIFO_KHR);
}

TEST_F(SwapchainTest, CreationErrorsNameTheProblem) {
    const VkSurfaceKHR surface = surface_->handle();
    const auto zero = Swapchain::create(*device_, surface, VkExtent2D{0, kHeight});
    ASSERT_FALSE(zero);
    EXPECT_EQ(zero.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(zero.error().message.find("minimized"), std::string::npos) << zero.error().message;

    const auto noFrames = Swapchain::create(*device_, surface, VkExtent2D{kWidth, kHeight},
                                            SwapchainOptions{.framesInFlight = 0});
    ASSERT_FALSE(noFrames);
    EXPECT_EQ(noFrames.error().code, ErrorCode::InvalidArgument);

    auto offscreen = Device::create(*physical_);  // no swapchain extension
    ASSERT_TRUE(offscreen) << offscreen.error().message;
    EXPECT_FALSE(offscreen->enabled().swapchain);
    const auto noExtension = Swapchain::create(*offscreen, surface, VkExtent2D{kWidth, kHeight});
    ASSERT_FALSE(noExtension);
    EXPECT_EQ(noExtension.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(noExtension.error().message.find(VK_KHR_SWAPCHAIN_EXTENSION_NAME), std::string::npos)
        << noExtension.error().message;
    EXPECT_NE(noExtension.error().message.find(physical_->name), std::string::npos)
        << noExtension.error().message;

    // A device asked to present that lacks the swapchain extension is refused by name.
    PhysicalDeviceInfo withoutSwapchain = *physical_;
    withoutSwapchain.features.swapchain = false;
    const auto refused = Device::create(withoutSwapchain, DeviceOptions{.presentSurface = surface});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::NotFound);
    EXPECT_NE(refused.error().message.find(physical_->name), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find(VK_KHR_SWAPCHAIN_EXTENSION_NAME), std::string::npos)
        << refused.error().message;

    // An acquire for a frame slot the swapchain has no semaphore for.
    const auto badSlot = swapchain_->acquire(kFramesInFlight, 1s);
    ASSERT_FALSE(badSlot);
    EXPECT_EQ(badSlot.error().code, ErrorCode::InvalidArgument);
    const auto badImage = swapchain_->present(swapchain_->imageCount());
    ASSERT_FALSE(badImage);
    EXPECT_EQ(badImage.error().code, ErrorCode::InvalidArgument);
}

TEST_F(SwapchainTest, SubmitRefusesMoreSignalSemaphoresThanItHoldsRoomFor) {
    auto slot = pacer_->beginFrame(1s);
    ASSERT_TRUE(slot) << slot.error().message;
    std::array<VkSemaphoreSubmitInfo, FramePacer::kMaxExtraSignals + 1> tooMany{};
    const auto refused = pacer_->submit(*slot, {}, SubmitSemaphores{{}, tooMany});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::CapacityExceeded);
    EXPECT_TRUE(pacer_->frameOpen());
    ASSERT_TRUE(pacer_->submit(*slot, {}, SubmitSemaphores{}));
}

TEST_F(SwapchainTest, ClearsAndPresentsSixtyFrames) {
    constexpr VkImageUsageFlags kUsage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT |
                                         VK_IMAGE_USAGE_TRANSFER_DST_BIT |
                                         VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
    ASSERT_NO_FATAL_FAILURE(makeSwapchain(SwapchainOptions{.usage = kUsage}));
    const VkExtent2D extent = swapchain_->extent();
    ASSERT_NO_FATAL_FAILURE(makeReadbackBuffer(VkDeviceSize{extent.width} * extent.height * 4));

    constexpr std::uint64_t kFrames = 60;
    for (std::uint64_t frame = 1; frame <= kFrames; ++frame) {
        window_->pollEvents();
        SwapchainStatus status = SwapchainStatus::OutOfDate;
        ASSERT_NO_FATAL_FAILURE(runFrame(frameColor(frame), frame == kFrames, status));
        ASSERT_EQ(status, SwapchainStatus::Ok) << "frame " << frame << ": " << toString(status);
    }
    ASSERT_TRUE(pacer_->waitIdle(5s));
    EXPECT_EQ(*pacer_->completedFrame(), kFrames);
    EXPECT_FALSE(window_->resizePending());

    // The last frame's image, as B8G8R8A8: blue 0, green = frame number, red and alpha 255.
    std::vector<std::uint8_t> pixels(std::size_t{extent.width} * extent.height * 4);
    ASSERT_EQ(readback_->mapped().size(), pixels.size());
    std::memcpy(pixels.data(), readback_->mapped().data(), pixels.size());
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < pixels.size(); i += 4) {
        wrong += (pixels[i] != 0 || pixels[i + 1] != kFrames || pixels[i + 2] != 255 ||
                  pixels[i + 3] != 255)
                     ? 1U
                     : 0U;
    }
    EXPECT_EQ(wrong, 0U) << "first pixel BGRA " << int{pixels[0]} << "," << int{pixels[1]} << ","
                         << int{pixels[2]} << "," << int{pixels[3]};
}

TEST_F(SwapchainTest, ResizeRecreatesTheSwapchainAndPresentingGoesOn) {
    SwapchainStatus status = SwapchainStatus::OutOfDate;
    for (std::uint64_t frame = 1; frame <= 10; ++frame) {
        ASSERT_NO_FATAL_FAILURE(runFrame(frameColor(frame), false, status));
        ASSERT_EQ(status, SwapchainStatus::Ok) << toString(status);
    }
    const VkExtent2D wanted{400, 300};
    const std::uint64_t before = window_->resizeCallbacks();
    window_->requestSize(wanted.width, wanted.height);
    waitForResizeCallbacks(before, 1);
    const auto resized = window_->takeResize();
    ASSERT_TRUE(resized.has_value()) << "no resize callback within 5 s";
    EXPECT_EQ(*resized, wanted) << describe(*resized);
    EXPECT_FALSE(window_->takeResize().has_value());  // handed out once

    // The loop as an engine runs it: a resize (or a Suboptimal / OutOfDate result) leads
    // to one recreate, then frames go on at the new size.
    auto recreated = swapchain_->recreate(*resized);
    ASSERT_TRUE(recreated) << recreated.error().message;
    EXPECT_TRUE(*recreated);
    EXPECT_EQ(swapchain_->generation(), 2U);
    EXPECT_EQ(swapchain_->extent(), wanted) << describe(swapchain_->extent());
    EXPECT_FALSE(swapchain_->needsRecreate());
    for (std::uint64_t frame = 11; frame <= 40; ++frame) {
        window_->pollEvents();
        ASSERT_NO_FATAL_FAILURE(runFrame(frameColor(frame), false, status));
        ASSERT_EQ(status, SwapchainStatus::Ok) << "frame " << frame << ": " << toString(status);
    }
    EXPECT_EQ(swapchain_->generation(), 2U);
    EXPECT_EQ(pacer_->submittedFrame(), 40U);
}

TEST_F(SwapchainTest, ResizeStormBeforeAFrameRecreatesOnce) {
    const std::array<VkExtent2D, 8> storm{{{330, 250},
                                           {500, 200},
                                           {256, 256},
                                           {640, 360},
                                           {300, 400},
                                           {480, 270},
                                           {350, 350},
                                           {512, 288}}};
    std::uint64_t recreates = 0;
    std::uint64_t callbacks = 0;
    for (std::uint64_t frame = 1; frame <= 30; ++frame) {
        window_->pollEvents();
        if (frame == 10) {
            // Eight size changes between two frames; wait until GLFW has reported them all.
            const std::uint64_t before = window_->resizeCallbacks();
            for (const VkExtent2D size : storm) {
                window_->requestSize(size.width, size.height);
            }
            waitForResizeCallbacks(before, storm.size());
            callbacks = window_->resizeCallbacks() - before;
        }
        if (const auto size = window_->takeResize(); size.has_value()) {
            EXPECT_EQ(frame, 10U);
            EXPECT_EQ(*size, storm.back()) << describe(*size);
            auto recreated = swapchain_->recreate(*size);
            ASSERT_TRUE(recreated) << recreated.error().message;
            ASSERT_TRUE(*recreated);
            ++recreates;
        }
        SwapchainStatus status = SwapchainStatus::OutOfDate;
        ASSERT_NO_FATAL_FAILURE(runFrame(frameColor(frame), false, status));
        ASSERT_EQ(status, SwapchainStatus::Ok) << "frame " << frame << ": " << toString(status);
    }
    EXPECT_EQ(callbacks, storm.size());  // one callback per change...
    EXPECT_EQ(recreates, 1U);            // ...one recreation for all of them
    EXPECT_EQ(swapchain_->generation(), 2U);
    EXPECT_EQ(swapchain_->extent(), storm.back()) << describe(swapchain_->extent());
}

TEST_F(SwapchainTest, ZeroSizedWindowDefersRecreation) {
    SwapchainStatus status = SwapchainStatus::OutOfDate;
    ASSERT_NO_FATAL_FAILURE(runFrame(frameColor(1), false, status));
    ASSERT_EQ(status, SwapchainStatus::Ok);
    const VkImage imageBefore = swapchain_->images()[0];

    // A minimized window reports a 0x0 framebuffer: nothing is rebuilt, nothing handed out.
    auto deferred = swapchain_->recreate(VkExtent2D{0, 0});
    ASSERT_TRUE(deferred) << deferred.error().message;
    EXPECT_FALSE(*deferred);
    EXPECT_TRUE(swapchain_->needsRecreate());
    EXPECT_EQ(swapchain_->generation(), 1U);
    EXPECT_EQ(swapchain_->images()[0], imageBefore);
    for (std::uint64_t frame = 2; frame <= 4; ++frame) {
        ASSERT_NO_FATAL_FAILURE(runFrame(frameColor(frame), false, status));
        EXPECT_EQ(status, SwapchainStatus::OutOfDate);
    }

    // Restored: recreation goes ahead and so do frames.
    auto recreated = swapchain_->recreate(window_->framebufferSize());
    ASSERT_TRUE(recreated) << recreated.error().message;
    EXPECT_TRUE(*recreated);
    EXPECT_FALSE(swapchain_->needsRecreate());
    EXPECT_EQ(swapchain_->generation(), 2U);
    for (std::uint64_t frame = 5; frame <= 10; ++frame) {
        ASSERT_NO_FATAL_FAILURE(runFrame(frameColor(frame), false, status));
        ASSERT_EQ(status, SwapchainStatus::Ok) << toString(status);
    }
}

class SwapchainNoValidationTest : public SwapchainTest {
protected:
    /// The validation layer allocates through operator new on every call, so the
    /// no-allocation checks run without it.
    [[nodiscard]] bool validation() const override { return false; }

    /// `frames` steady-state frames (poll, resize check, begin, acquire, record, submit,
    /// present) that must allocate nothing on this thread's heap and pass no Vulkan
    /// creation through the CreationGate.
    void runSteadyFrames(std::uint64_t& frame, std::uint64_t frames) {
        const std::uint64_t creations = CreationGate::count();
        core::NoAllocationGuard guard(core::TrackScope::ThisThread);
        std::uint64_t resizes = 0;
        for (const std::uint64_t last = frame + frames; frame < last; ++frame) {
            window_->pollEvents();
            resizes += window_->takeResize().has_value() ? 1U : 0U;
            SwapchainStatus status = SwapchainStatus::OutOfDate;
            ASSERT_NO_FATAL_FAILURE(runFrame(frameColor(frame), false, status));
            ASSERT_EQ(status, SwapchainStatus::Ok);
        }
        EXPECT_TRUE(guard.ok()) << guard.describe();
        EXPECT_EQ(CreationGate::count(), creations);
        EXPECT_EQ(resizes, 0U);
    }
};

// 311 frames: ten of warm-up, then two measured stretches of 150 around a resize; only the
// warm-up and the resize frame itself may allocate or create.
TEST_F(SwapchainNoValidationTest, SteadyStateFramesAllocateNothingAndCreateNothing) {
    ASSERT_TRUE(core::AllocationTracker::installed());
    std::uint64_t frame = 1;
    SwapchainStatus status = SwapchainStatus::OutOfDate;
    for (; frame <= 10; ++frame) {  // warm-up
        ASSERT_NO_FATAL_FAILURE(runFrame(frameColor(frame), false, status));
    }
    ASSERT_NO_FATAL_FAILURE(runSteadyFrames(frame, 150));

    // The resize frame: excluded from the checks.
    const std::uint64_t before = window_->resizeCallbacks();
    const std::uint64_t creationsBefore = CreationGate::count();
    window_->requestSize(kWidth + 64, kHeight + 32);
    waitForResizeCallbacks(before, 1);
    const auto resized = window_->takeResize();
    ASSERT_TRUE(resized.has_value());
    auto recreated = swapchain_->recreate(*resized);
    ASSERT_TRUE(recreated) << recreated.error().message;
    ASSERT_TRUE(*recreated);
    // A new swapchain and a view per image (the CreationGate sees them).
    EXPECT_GE(CreationGate::count() - creationsBefore, 1U + swapchain_->imageCount());
    ASSERT_NO_FATAL_FAILURE(runFrame(frameColor(frame++), false, status));

    ASSERT_NO_FATAL_FAILURE(runSteadyFrames(frame, 150));
    ASSERT_TRUE(pacer_->waitIdle(5s));
    EXPECT_EQ(*pacer_->completedFrame(), 311U);
    EXPECT_EQ(swapchain_->extent(), (VkExtent2D{kWidth + 64, kHeight + 32}));
}

}  // namespace
}  // namespace vixen::gpu
