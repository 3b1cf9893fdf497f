#pragma once

#include <vulkan/vulkan.h>

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"

namespace vixen::gpu {

class Device;

enum class PresentMode : std::uint8_t {
    Fifo,       ///< vsync; always available
    Mailbox,    ///< newest frame wins, no tearing; falls back to Fifo where missing
    Immediate,  ///< no wait, may tear; falls back to Fifo where missing
};

struct SwapchainOptions {
    PresentMode presentMode = PresentMode::Fifo;
    bool srgb = false;  ///< B8G8R8A8_SRGB rather than B8G8R8A8_UNORM
    /// Acquire semaphores, one per frame in flight: acquire()'s `frameSlot` indexes them.
    /// Match the FramePacer's frames in flight.
    std::uint32_t framesInFlight = 2;
    VkImageUsageFlags usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
};

/// How an acquire or a present went, when it did not fail outright.
enum class SwapchainStatus : std::uint8_t {
    Ok,
    /// It worked, but the swapchain no longer matches the surface: finish this frame
    /// (render and present the acquired image), then recreate.
    Suboptimal,
    /// Nothing was acquired or shown: the swapchain no longer fits the surface (or is
    /// waiting for a minimized window to get a size). Recreate before the next acquire.
    OutOfDate,
};

[[nodiscard]] std::string_view toString(SwapchainStatus status) noexcept;

/// One image handed out by Swapchain::acquire. The frame's submit must wait on `acquired`
/// before touching the image and signal `renderFinished`, which present() waits on.
struct AcquiredImage {
    SwapchainStatus status = SwapchainStatus::OutOfDate;
    std::uint32_t index = 0;  ///< which swapchain image; pass it to present()
    VkImage image = VK_NULL_HANDLE;
    VkImageView view = VK_NULL_HANDLE;
    VkSemaphore acquired = VK_NULL_HANDLE;        ///< binary, per frame slot
    VkSemaphore renderFinished = VK_NULL_HANDLE;  ///< binary, per image

    /// False for OutOfDate: no image, nothing to wait on, nothing to present.
    [[nodiscard]] bool usable() const noexcept { return status != SwapchainStatus::OutOfDate; }
    /// The submit's wait on `acquired`, blocking `stages` (those that first touch the
    /// image: COLOR_ATTACHMENT_OUTPUT for rendering, TRANSFER for a clear or a blit).
    [[nodiscard]] VkSemaphoreSubmitInfo waitInfo(VkPipelineStageFlags2 stages) const noexcept;
    /// The submit's signal of `renderFinished`, after every command of the submit.
    [[nodiscard]] VkSemaphoreSubmitInfo signalInfo() const noexcept;
};

/// A VkSwapchainKHR for one surface, with a view per image, the acquire semaphores (one
/// per frame in flight) and the render-finished semaphores (one per image, since a present
/// may still wait on an image's semaphore when the next frame slot comes round), all made
/// at creation or recreation. acquire() and present() allocate nothing and create nothing.
///
/// A frame: FramePacer::beginFrame -> acquire(slot.index) -> record (barrier UNDEFINED ->
/// ... -> PRESENT_SRC_KHR) -> FramePacer::submit with {waitInfo, signalInfo} -> present().
/// Recreate when the window reports a resize, or needsRecreate() after a Suboptimal or
/// OutOfDate result. The device and the surface must outlive the swapchain; one thread.
class Swapchain {
public:
    /// Errors: InvalidArgument for a device made without DeviceOptions::swapchain, a zero
    /// size (minimized window), `framesInFlight` 0 or a usage the surface does not offer;
    /// NotFound when the device's queue cannot present to `surface`; Vulkan errors.
    static Result<Swapchain> create(const Device& device, VkSurfaceKHR surface, VkExtent2D size,
                                    const SwapchainOptions& options = {});

    Swapchain(Swapchain&& other) noexcept;
    Swapchain& operator=(Swapchain&& other) noexcept;
    Swapchain(const Swapchain&) = delete;
    Swapchain& operator=(const Swapchain&) = delete;
    /// Waits for the queue to go idle, then destroys views, swapchain and semaphores.
    ~Swapchain();

    /// Acquires the next image, signalling the acquire semaphore of `frameSlot` (the
    /// FramePacer slot; its previous frame must have finished, which beginFrame ensures).
    /// OutOfDate (no image) while recreation is due after an OutOfDate result or a deferred
    /// recreate. A timeout is InvalidState; device loss DeviceLost; surface loss
    /// InvalidState naming it.
    [[nodiscard]] Result<AcquiredImage> acquire(std::uint32_t frameSlot,
                                                std::chrono::nanoseconds timeout);

    /// Queues image `imageIndex` for presentation, waiting on its render-finished
    /// semaphore. Suboptimal and OutOfDate are results (needsRecreate() turns true); device
    /// and surface loss are errors.
    [[nodiscard]] Result<SwapchainStatus> present(std::uint32_t imageIndex);

    /// Builds the swapchain again for `size` (the window's framebuffer size; the surface's
    /// own extent wins where it has one): waits for the queue to go idle, creates the new
    /// swapchain from the old one, then destroys the old one and its views. Returns false,
    /// changing nothing, while the size is zero (a minimized window): recreation stays due
    /// and acquire() answers OutOfDate until a later recreate succeeds. On an error the
    /// swapchain is left empty and recreation due, so it can be tried again.
    [[nodiscard]] Result<bool> recreate(VkExtent2D size);

    /// Whether a Suboptimal / OutOfDate result or a deferred recreate asks for recreate().
    [[nodiscard]] bool needsRecreate() const noexcept { return needsRecreate_; }
    /// How many times the swapchain was built (1 after create); graph resources that
    /// depend on the images compare it to know when to rebuild.
    [[nodiscard]] std::uint64_t generation() const noexcept { return generation_; }

    [[nodiscard]] VkSwapchainKHR handle() const noexcept { return swapchain_; }
    [[nodiscard]] VkExtent2D extent() const noexcept { return extent_; }
    [[nodiscard]] VkFormat format() const noexcept { return format_; }
    [[nodiscard]] VkColorSpaceKHR colorSpace() const noexcept { return colorSpace_; }
    [[nodiscard]] VkPresentModeKHR presentMode() const noexcept { return presentMode_; }
    [[nodiscard]] VkImageUsageFlags usage() const noexcept { return usage_; }
    [[nodiscard]] std::uint32_t framesInFlight() const noexcept {
        return static_cast<std::uint32_t>(acquireSemaphores_.size());
    }
    [[nodiscard]] std::uint32_t imageCount() const noexcept {
        return static_cast<std::uint32_t>(images_.size());
    }
    [[nodiscard]] std::span<const VkImage> images() const noexcept { return images_; }
    [[nodiscard]] std::span<const VkImageView> views() const noexcept { return views_; }

private:
    Swapchain() = default;
    /// The extent to build for `size`, {0, 0} when there is nothing to build.
    [[nodiscard]] Result<VkExtent2D> chooseExtent(VkExtent2D size,
                                                  VkSurfaceCapabilitiesKHR& caps) const;
    /// Creates the swapchain (retiring the current one), its views and any missing
    /// render-finished semaphores for `extent`; the queue must be idle.
    [[nodiscard]] Result<void> build(VkExtent2D extent, const VkSurfaceCapabilitiesKHR& caps);
    void destroyViews() noexcept;
    void destroy() noexcept;

    VkDevice device_ = VK_NULL_HANDLE;
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    VkSurfaceKHR surface_ = VK_NULL_HANDLE;
    VkSwapchainKHR swapchain_ = VK_NULL_HANDLE;
    VkFormat format_ = VK_FORMAT_UNDEFINED;
    VkColorSpaceKHR colorSpace_ = VK_COLOR_SPACE_SRGB_NONLINEAR_KHR;
    VkPresentModeKHR presentMode_ = VK_PRESENT_MODE_FIFO_KHR;
    VkImageUsageFlags usage_ = 0;
    VkExtent2D extent_{};
    std::vector<VkImage> images_;
    std::vector<VkImageView> views_;              ///< one per image
    std::vector<VkSemaphore> acquireSemaphores_;  ///< one per frame slot
    std::vector<VkSemaphore> renderFinished_;     ///< one per image (never shrinks)
    std::uint64_t generation_ = 0;
    bool needsRecreate_ = false;  ///< Suboptimal, OutOfDate, deferred or failed
    bool outOfDate_ = false;      ///< OutOfDate, deferred or failed: acquire hands out nothing
};

}  // namespace vixen::gpu
