// The windowed path of a GPU graph, under Xvfb: a compute gradient that follows the window,
// presented to a GLFW window's swapchain. A resize is one WindowResized event, and the
// swapchain and everything sized after the window are rebuilt in one batch; frames between
// resizes allocate nothing and create no Vulkan objects.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <regex>

#include "vixen/core/alloc_tracker.hpp"
#include "vixen/events/engine_events.hpp"
#include "vixen/gpu/budget_manager.hpp"
#include "vixen/gpu/creation_gate.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/memory_allocator.hpp"
#include "vixen/gpu/swapchain.hpp"
#include "vixen/gpu/window.hpp"
#include "vixen/nodes/gpu_image_nodes.hpp"
#include "vixen/nodes/gpu_present_node.hpp"
#include "vixen/nodes/gpu_runtime.hpp"
#include "window_fixture.hpp"

namespace vixen::nodes {
namespace {

/// The window, instance, surface and presenting device of gpu::testing::WindowFixture, a
/// swapchain of the window's size, and a compiled graph of a window-sized compute gradient
/// presented to it.
class GpuPresentTest : public gpu::testing::WindowFixture {
protected:
    void SetUp() override {
        WindowFixture::SetUp();
        if (HasFatalFailure()) {
            return;
        }
        auto swapchain =
            gpu::Swapchain::create(*device_, surface_->handle(), window_->framebufferSize());
        ASSERT_TRUE(swapchain) << swapchain.error().message;
        swapchain_.emplace(std::move(*swapchain));

        budget_.emplace(device_->physical());
        allocator_.emplace(*device_, *budget_);
        graph_.emplace();
        auto runtime = GpuRuntime::create(*graph_, *device_, *allocator_);
        ASSERT_TRUE(runtime) << runtime.error().message;
        runtime_ = std::move(*runtime);

        const VkExtent2D size = window_->framebufferSize();
        auto gradient = graph_->addNode<GpuGradientNode>(
            "gradient", *runtime_, GpuImageShape{size.width, size.height, true, false});
        auto present = graph_->addNode<GpuPresentNode>("present", *runtime_, *swapchain_);
        graph_->connect(gradient, GpuGradientConfig::image, present, GpuPresentConfig::image);
        gradient_ = gradient.id;
        present_ = &static_cast<GpuPresentNode&>(graph_->node(present.id));
        ASSERT_TRUE(graph_->compile()) << graph_->report().describe(*graph_);
    }

    void releaseDeviceObjects() override {
        if (runtime_) {
            EXPECT_TRUE(runtime_->waitIdle());
        }
        if (graph_) {
            graph_->cleanup();
        }
        runtime_.reset();
        graph_.reset();
        allocator_.reset();
        budget_.reset();
        swapchain_.reset();
    }

    /// What an application's loop does: poll the window, turn a burst of resize callbacks
    /// into one event, run the frame.
    Result<void> frame() {
        window_->pollEvents();
        if (const std::optional<VkExtent2D> size = window_->takeResize()) {
            if (!graph_->events().emit(events::WindowResized{size->width, size->height})) {
                return fail(ErrorCode::CapacityExceeded, "event queue full");
            }
        }
        return runtime_->frame();
    }

    /// Resizes the window and runs frames until the swapchain has the new size.
    void resizeTo(std::uint32_t width, std::uint32_t height) {
        window_->requestSize(width, height);
        for (int attempt = 0; attempt < 200; ++attempt) {
            ASSERT_TRUE(frame());
            const VkExtent2D extent = swapchain_->extent();
            if (extent.width == width && extent.height == height) {
                return;
            }
            window_->waitEvents(std::chrono::milliseconds(5));
        }
        FAIL() << "the swapchain never reached " << width << "x" << height;
    }

    std::optional<gpu::Swapchain> swapchain_;
    std::optional<gpu::BudgetManager> budget_;
    std::optional<gpu::DeviceMemoryAllocator> allocator_;
    std::optional<graph::RenderGraph> graph_;
    std::unique_ptr<GpuRuntime> runtime_;
    graph::NodeId gradient_;
    GpuPresentNode* present_ = nullptr;
};

TEST_F(GpuPresentTest, PresentsAndRebuildsEverythingSizedByTheWindowInOneBatch) {
    for (int i = 0; i < 30; ++i) {
        ASSERT_TRUE(frame());
    }
    EXPECT_EQ(present_->recreations(), 0U);

    ASSERT_NO_FATAL_FAILURE(resizeTo(400, 300));
    EXPECT_EQ(present_->recreations(), 1U);
    EXPECT_EQ(graph_->compileCount(gradient_), 2U);
    EXPECT_EQ(graph_->compileCount(present_->id()), 2U);
    for (int i = 0; i < 30; ++i) {
        ASSERT_TRUE(frame());
    }
    EXPECT_EQ(present_->recreations(), 1U);
}

TEST_F(GpuPresentTest, AFrameWhoseRecordingFailsStillPresentsAndTheNextOnesGoOn) {
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(frame());
    }
    // The acquired image is cleared and presented in its place, so its acquire semaphore
    // is waited on and its render-finished one consumed: the validation layer (on) would
    // report a semaphore signalled twice or an image acquired and never presented.
    gpu::RecordGate::failNextRecording();
    const Result<void> failed = frame();
    ASSERT_FALSE(failed);
    EXPECT_NE(failed.error().message.find("recording the graph's frame"), std::string::npos)
        << failed.error().message;
    for (int i = 0; i < 10; ++i) {
        const Result<void> next = frame();
        ASSERT_TRUE(next) << "frame " << i << " after the failed one: " << next.error().message;
    }
    ASSERT_TRUE(runtime_->waitIdle());
}

TEST_F(GpuPresentTest, EveryFailedCreationOfASwapchainRecreationIsRecoverable) {
    ASSERT_TRUE(frame());
    const VkExtent2D size = swapchain_->extent();
    // The present node recompiles alone and recreates the swapchain at the window's size.
    const auto recreate = [&]() -> Result<void> {
        if (!graph_->events().emit(events::SwapchainInvalidated{size.width, size.height})) {
            return fail(ErrorCode::CapacityExceeded, "event queue full");
        }
        VIXEN_TRY(frame());
        VIXEN_TRY(frame());
        return {};
    };
    const std::uint64_t before = gpu::CreationGate::count();
    ASSERT_TRUE(recreate());
    const std::uint64_t creations = gpu::CreationGate::count() - before;
    ASSERT_GT(creations, 2U) << "a swapchain, its views and semaphores";
    const std::regex namesTheCall("vk[A-Z][A-Za-z0-9]+ failed with VK_ERROR_OUT_OF_DEVICE_MEMORY");
    std::uint64_t failed = 0;
    for (std::uint64_t nth = 1; nth <= creations; ++nth) {
        const std::uint64_t injected = gpu::CreationGate::injectedFailures();
        Result<void> ran;
        {
            const gpu::ScopedFaultInjection fault(nth);
            ran = recreate();
        }
        ASSERT_EQ(gpu::CreationGate::injectedFailures(), injected + 1)
            << "creation " << nth << " of " << creations << " was not reached";
        if (ran) {
            continue;
        }
        ++failed;
        EXPECT_TRUE(std::regex_search(ran.error().message, namesTheCall)) << ran.error().message;
        // The graph is left recompilable: compile it again and the window presents again.
        if (!graph_->compiled()) {
            ASSERT_TRUE(graph_->compile()) << "after failing creation " << nth;
        }
        ASSERT_TRUE(recreate()) << "after failing creation " << nth;
    }
    EXPECT_GT(failed, 0U);
    ASSERT_TRUE(runtime_->waitIdle());
}

class GpuPresentSteadyStateTest : public GpuPresentTest {
protected:
    [[nodiscard]] bool validation() const override { return false; }
};

TEST_F(GpuPresentSteadyStateTest, ThousandWindowedFramesAllocateNothingBetweenResizes) {
    ASSERT_TRUE(core::AllocationTracker::installed())
        << "the allocation hooks must be linked in, or every count reads zero";
    const auto steadyFrames = [&](int frames) {
        for (int warm = 0; warm < 4; ++warm) {
            ASSERT_TRUE(frame());
        }
        ASSERT_TRUE(runtime_->waitIdle());
        const std::uint64_t creations = gpu::CreationGate::count();
        const core::NoAllocationGuard guard(core::TrackScope::AllThreads);
        for (int i = 0; i < frames; ++i) {
            ASSERT_TRUE(frame()) << "frame " << i;
        }
        EXPECT_TRUE(guard.ok()) << guard.describe();
        EXPECT_EQ(gpu::CreationGate::count(), creations);
    };
    ASSERT_NO_FATAL_FAILURE(steadyFrames(1000));
    ASSERT_NO_FATAL_FAILURE(resizeTo(256, 160));
    ASSERT_NO_FATAL_FAILURE(steadyFrames(200));
}

}  // namespace
}  // namespace vixen::nodes
