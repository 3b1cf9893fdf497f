#include "vixen/gpu/swapchain.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "vixen/core/log.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {
namespace {

/// vulkanError, with a surface loss spelled out: it needs a new surface, not a retry.
Error presentationError(VkResult result, std::string_view call, std::string_view what) {
    if (result == VK_ERROR_SURFACE_LOST_KHR) {
        return Error{ErrorCode::InvalidState,
                     fmt::format("{} failed with VK_ERROR_SURFACE_LOST_KHR while {}: the window's "
                                 "surface is gone; create a new surface and swapchain",
                                 call, what)};
    }
    return vulkanError(result, call, what);
}

VkPresentModeKHR toVulkan(PresentMode mode) {
    switch (mode) {
        case PresentMode::Mailbox:
            return VK_PRESENT_MODE_MAILBOX_KHR;
        case PresentMode::Immediate:
            return VK_PRESENT_MODE_IMMEDIATE_KHR;
        case PresentMode::Fifo:
            break;
    }
    return VK_PRESENT_MODE_FIFO_KHR;
}

Result<VkSurfaceFormatKHR> chooseFormat(VkPhysicalDevice physical, VkSurfaceKHR surface,
                                        bool srgb) {
    std::uint32_t count = 0;
    VIXEN_TRY_VK(vkGetPhysicalDeviceSurfaceFormatsKHR(physical, surface, &count, nullptr),
                 "counting the surface's formats");
    std::vector<VkSurfaceFormatKHR> formats(count);
    VIXEN_TRY_VK(vkGetPhysicalDeviceSurfaceFormatsKHR(physical, surface, &count, formats.data()),
                 "listing the surface's formats");
    formats.resize(count);
    if (formats.empty()) {
        return fail(ErrorCode::NotFound, "the window's surface offers no image format");
    }
    const std::array<VkFormat, 2> preferred =
        srgb ? std::array{VK_FORMAT_B8G8R8A8_SRGB, VK_FORMAT_R8G8B8A8_SRGB}
             : std::array{VK_FORMAT_B8G8R8A8_UNORM, VK_FORMAT_R8G8B8A8_UNORM};
    for (const VkFormat wanted : preferred) {
        for (const VkSurfaceFormatKHR& format : formats) {
            if (format.format == wanted && format.colorSpace == VK_COLOR_SPACE_SRGB_NONLINEAR_KHR) {
                return format;
            }
        }
    }
    log::info("the window's surface offers none of the preferred {} formats; using format {}",
              srgb ? "sRGB" : "UNORM", static_cast<int>(formats.front().format));
    return formats.front();
}

Result<VkPresentModeKHR> choosePresentMode(VkPhysicalDevice physical, VkSurfaceKHR surface,
                                           PresentMode mode) {
    const VkPresentModeKHR wanted = toVulkan(mode);
    if (wanted == VK_PRESENT_MODE_FIFO_KHR) {
        return wanted;  // every surface offers FIFO
    }
    std::uint32_t count = 0;
    VIXEN_TRY_VK(vkGetPhysicalDeviceSurfacePresentModesKHR(physical, surface, &count, nullptr),
                 "counting the surface's present modes");
    std::vector<VkPresentModeKHR> modes(count);
    VIXEN_TRY_VK(vkGetPhysicalDeviceSurfacePresentModesKHR(physical, surface, &count, modes.data()),
                 "listing the surface's present modes");
    modes.resize(count);
    if (std::find(modes.begin(), modes.end(), wanted) != modes.end()) {
        return wanted;
    }
    log::info("the window's surface lacks present mode {}; using FIFO",
              mode == PresentMode::Mailbox ? "MAILBOX" : "IMMEDIATE");
    return VK_PRESENT_MODE_FIFO_KHR;
}

VkCompositeAlphaFlagBitsKHR chooseCompositeAlpha(VkCompositeAlphaFlagsKHR supported) {
    for (const VkCompositeAlphaFlagBitsKHR candidate :
         {VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR, VK_COMPOSITE_ALPHA_INHERIT_BIT_KHR,
          VK_COMPOSITE_ALPHA_PRE_MULTIPLIED_BIT_KHR, VK_COMPOSITE_ALPHA_POST_MULTIPLIED_BIT_KHR}) {
        if ((supported & static_cast<VkCompositeAlphaFlagsKHR>(candidate)) != 0U) {
            return candidate;
        }
    }
    return VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR;
}

Result<VkSwapchainKHR> createSwapchain(VkDevice device, const VkSwapchainCreateInfoKHR& info) {
    VkSwapchainKHR swapchain = VK_NULL_HANDLE;
    VIXEN_TRY_VK_CREATE(vkCreateSwapchainKHR(device, &info, nullptr, &swapchain),
                        "creating the swapchain");
    return swapchain;
}

Result<VkSemaphore> createBinarySemaphore(VkDevice device, std::string_view what) {
    VkSemaphoreCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO;
    VkSemaphore semaphore = VK_NULL_HANDLE;
    VIXEN_TRY_VK_CREATE(vkCreateSemaphore(device, &info, nullptr, &semaphore), what);
    return semaphore;
}

}  // namespace

std::string_view toString(SwapchainStatus status) noexcept {
    switch (status) {
        case SwapchainStatus::Ok:
            return "ok";
        case SwapchainStatus::Suboptimal:
            return "suboptimal";
        case SwapchainStatus::OutOfDate:
            return "out of date";
    }
    return "unknown";
}

VkSemaphoreSubmitInfo AcquiredImage::waitInfo(VkPipelineStageFlags2 stages) const noexcept {
    VkSemaphoreSubmitInfo info{};
    info.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO;
    info.semaphore = acquired;
    info.stageMask = stages;
    return info;
}

VkSemaphoreSubmitInfo AcquiredImage::signalInfo() const noexcept {
    VkSemaphoreSubmitInfo info{};
    info.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO;
    info.semaphore = renderFinished;
    info.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    return info;
}

Result<Swapchain> Swapchain::create(const Device& device, VkSurfaceKHR surface, VkExtent2D size,
                                    const SwapchainOptions& options) {
    const PhysicalDeviceInfo& physical = device.physical();
    if (!device.enabled().swapchain) {
        return fail(ErrorCode::InvalidArgument,
                    "device {} ({}) was created without {}; create it with "
                    "DeviceOptions{{.presentSurface = ...}}",
                    physical.index, physical.name, VK_KHR_SWAPCHAIN_EXTENSION_NAME);
    }
    if (options.framesInFlight == 0) {
        return fail(ErrorCode::InvalidArgument, "a swapchain needs at least one frame in flight");
    }
    VkBool32 presents = VK_FALSE;
    VIXEN_TRY_VK(vkGetPhysicalDeviceSurfaceSupportKHR(physical.handle, device.queueFamily(),
                                                      surface, &presents),
                 "asking whether the queue can present to the window's surface");
    if (presents != VK_TRUE) {
        return fail(ErrorCode::NotFound,
                    "queue family {} of device {} ({}) cannot present to this window's surface",
                    device.queueFamily(), physical.index, physical.name);
    }

    Swapchain result;
    result.device_ = device.handle();
    result.physical_ = physical.handle;
    result.queue_ = device.queue();
    result.surface_ = surface;
    result.usage_ = options.usage;
    auto format = chooseFormat(result.physical_, surface, options.srgb);
    if (!format) {
        return std::unexpected(std::move(format.error()));
    }
    result.format_ = format->format;
    result.colorSpace_ = format->colorSpace;
    auto mode = choosePresentMode(result.physical_, surface, options.presentMode);
    if (!mode) {
        return std::unexpected(std::move(mode.error()));
    }
    result.presentMode_ = *mode;

    VkSurfaceCapabilitiesKHR caps{};
    auto extent = result.chooseExtent(size, caps);
    if (!extent) {
        return std::unexpected(std::move(extent.error()));
    }
    if (extent->width == 0 || extent->height == 0) {
        return fail(ErrorCode::InvalidArgument,
                    "cannot create a swapchain of {}x{} (is the window minimized?); wait for the "
                    "window to have an area",
                    size.width, size.height);
    }
    result.acquireSemaphores_.reserve(options.framesInFlight);
    for (std::uint32_t slot = 0; slot < options.framesInFlight; ++slot) {
        auto semaphore = createBinarySemaphore(result.device_, "creating an acquire semaphore");
        if (!semaphore) {
            return std::unexpected(std::move(semaphore.error()));
        }
        result.acquireSemaphores_.push_back(*semaphore);  // reserved: cannot throw
    }
    if (auto built = result.build(*extent, caps); !built) {
        return std::unexpected(std::move(built.error()));
    }
    return result;
}

Result<VkExtent2D> Swapchain::chooseExtent(VkExtent2D size, VkSurfaceCapabilitiesKHR& caps) const {
    const VkResult queried = vkGetPhysicalDeviceSurfaceCapabilitiesKHR(physical_, surface_, &caps);
    if (queried != VK_SUCCESS) {
        return std::unexpected(presentationError(queried,
                                                 "vkGetPhysicalDeviceSurfaceCapabilitiesKHR",
                                                 "reading the window surface's capabilities"));
    }
    if (size.width == 0 || size.height == 0) {
        return VkExtent2D{0, 0};
    }
    if (caps.currentExtent.width != std::numeric_limits<std::uint32_t>::max()) {
        return caps.currentExtent;  // the surface's size is the window's; {0, 0} if minimized
    }
    return VkExtent2D{
        std::clamp(size.width, caps.minImageExtent.width, caps.maxImageExtent.width),
        std::clamp(size.height, caps.minImageExtent.height, caps.maxImageExtent.height)};
}

Result<void> Swapchain::build(VkExtent2D extent, const VkSurfaceCapabilitiesKHR& caps) {
    if ((caps.supportedUsageFlags & usage_) != usage_) {
        return fail(ErrorCode::InvalidArgument,
                    "the window's surface offers image usage {:#x}, the swapchain asks for {:#x}",
                    caps.supportedUsageFlags, usage_);
    }
    std::uint32_t imageCount = caps.minImageCount + 1;
    if (caps.maxImageCount != 0) {
        imageCount = std::min(imageCount, caps.maxImageCount);
    }

    VkSwapchainCreateInfoKHR info{};
    info.sType = VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR;
    info.surface = surface_;
    info.minImageCount = imageCount;
    info.imageFormat = format_;
    info.imageColorSpace = colorSpace_;
    info.imageExtent = extent;
    info.imageArrayLayers = 1;
    info.imageUsage = usage_;
    info.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;  // one queue renders and presents
    info.preTransform = caps.currentTransform;
    info.compositeAlpha = chooseCompositeAlpha(caps.supportedCompositeAlpha);
    info.presentMode = presentMode_;
    info.clipped = VK_TRUE;
    info.oldSwapchain = swapchain_;

    // The old swapchain is retired by the call whether or not it succeeds; the queue is
    // idle, so it and its views go right after.
    auto created = createSwapchain(device_, info);
    destroyViews();
    if (swapchain_ != VK_NULL_HANDLE) {
        vkDestroySwapchainKHR(device_, swapchain_, nullptr);
    }
    swapchain_ = created ? *created : VK_NULL_HANDLE;
    images_.clear();
    if (!created) {
        return std::unexpected(std::move(created.error()));
    }
    extent_ = extent;
    ++generation_;

    std::uint32_t count = 0;
    VIXEN_TRY_VK(vkGetSwapchainImagesKHR(device_, swapchain_, &count, nullptr),
                 "counting the swapchain's images");
    images_.resize(count);
    VIXEN_TRY_VK(vkGetSwapchainImagesKHR(device_, swapchain_, &count, images_.data()),
                 "listing the swapchain's images");
    images_.resize(count);

    views_.reserve(count);
    for (const VkImage image : images_) {
        VkImageViewCreateInfo viewInfo{};
        viewInfo.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO;
        viewInfo.image = image;
        viewInfo.viewType = VK_IMAGE_VIEW_TYPE_2D;
        viewInfo.format = format_;
        viewInfo.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
        VkImageView view = VK_NULL_HANDLE;
        VIXEN_TRY_VK_CREATE(vkCreateImageView(device_, &viewInfo, nullptr, &view),
                            "creating a swapchain image's view");
        views_.push_back(view);  // reserved: cannot throw
    }
    // One render-finished semaphore per image; kept across recreations (the queue is idle,
    // so none is pending), only topped up when the new swapchain has more images.
    renderFinished_.reserve(count);
    while (renderFinished_.size() < count) {
        auto semaphore = createBinarySemaphore(device_, "creating a render-finished semaphore");
        if (!semaphore) {
            return std::unexpected(std::move(semaphore.error()));
        }
        renderFinished_.push_back(*semaphore);
    }
    return {};
}

Result<bool> Swapchain::recreate(VkExtent2D size) {
    VkSurfaceCapabilitiesKHR caps{};
    auto extent = chooseExtent(size, caps);
    if (!extent) {
        return std::unexpected(std::move(extent.error()));
    }
    if (extent->width == 0 || extent->height == 0) {
        needsRecreate_ = true;  // minimized: keep what there is, hand out nothing
        outOfDate_ = true;
        return false;
    }
    // Every frame in flight (and its use of the old images and views) must be finished.
    VIXEN_TRY_VK(vkQueueWaitIdle(queue_), "waiting for the queue before recreating the swapchain");
    if (auto built = build(*extent, caps); !built) {
        destroyViews();
        if (swapchain_ != VK_NULL_HANDLE) {
            vkDestroySwapchainKHR(device_, swapchain_, nullptr);
            swapchain_ = VK_NULL_HANDLE;
        }
        images_.clear();
        needsRecreate_ = true;
        outOfDate_ = true;
        return std::unexpected(std::move(built.error()));
    }
    needsRecreate_ = false;
    outOfDate_ = false;
    return true;
}

Result<AcquiredImage> Swapchain::acquire(std::uint32_t frameSlot,
                                         std::chrono::nanoseconds timeout) {
    if (frameSlot >= acquireSemaphores_.size()) {
        return fail(ErrorCode::InvalidArgument,
                    "acquire for frame slot {}, but the swapchain has {} frames in flight",
                    frameSlot, acquireSemaphores_.size());
    }
    if (outOfDate_ || swapchain_ == VK_NULL_HANDLE) {
        return AcquiredImage{};  // OutOfDate until recreate() succeeds
    }
    const VkSemaphore acquired = acquireSemaphores_[frameSlot];
    const auto timeoutNs = static_cast<std::uint64_t>(std::max<std::int64_t>(timeout.count(), 0));
    std::uint32_t index = 0;
    const VkResult result =
        vkAcquireNextImageKHR(device_, swapchain_, timeoutNs, acquired, VK_NULL_HANDLE, &index);
    SwapchainStatus status = SwapchainStatus::Ok;
    switch (result) {
        case VK_SUCCESS:
            break;
        case VK_SUBOPTIMAL_KHR:
            status = SwapchainStatus::Suboptimal;
            needsRecreate_ = true;
            break;
        case VK_ERROR_OUT_OF_DATE_KHR:
            needsRecreate_ = true;
            outOfDate_ = true;
            return AcquiredImage{};
        case VK_TIMEOUT:
        case VK_NOT_READY:
            return fail(ErrorCode::InvalidState, "no swapchain image became available within {} ns",
                        timeout.count());
        default:
            return std::unexpected(
                presentationError(result, "vkAcquireNextImageKHR", "acquiring a swapchain image"));
    }
    return AcquiredImage{
        .status = status,
        .index = index,
        .image = images_[index],
        .view = views_[index],
        .acquired = acquired,
        .renderFinished = renderFinished_[index],
    };
}

Result<SwapchainStatus> Swapchain::present(std::uint32_t imageIndex) {
    if (swapchain_ == VK_NULL_HANDLE || imageIndex >= images_.size()) {
        return fail(ErrorCode::InvalidArgument,
                    "present of swapchain image {}, but the swapchain has {} images", imageIndex,
                    images_.size());
    }
    VkPresentInfoKHR info{};
    info.sType = VK_STRUCTURE_TYPE_PRESENT_INFO_KHR;
    info.waitSemaphoreCount = 1;
    info.pWaitSemaphores = &renderFinished_[imageIndex];
    info.swapchainCount = 1;
    info.pSwapchains = &swapchain_;
    info.pImageIndices = &imageIndex;
    const VkResult result = vkQueuePresentKHR(queue_, &info);
    switch (result) {
        case VK_SUCCESS:
            return SwapchainStatus::Ok;
        case VK_SUBOPTIMAL_KHR:
            needsRecreate_ = true;
            return SwapchainStatus::Suboptimal;
        case VK_ERROR_OUT_OF_DATE_KHR:
            // The semaphore wait still happens, so the image's semaphore is free again.
            needsRecreate_ = true;
            outOfDate_ = true;
            return SwapchainStatus::OutOfDate;
        default:
            return std::unexpected(
                presentationError(result, "vkQueuePresentKHR", "presenting a swapchain image"));
    }
}

Swapchain::Swapchain(Swapchain&& other) noexcept
    : device_(std::exchange(other.device_, VK_NULL_HANDLE)),
      physical_(std::exchange(other.physical_, VK_NULL_HANDLE)),
      queue_(std::exchange(other.queue_, VK_NULL_HANDLE)),
      surface_(std::exchange(other.surface_, VK_NULL_HANDLE)),
      swapchain_(std::exchange(other.swapchain_, VK_NULL_HANDLE)),
      format_(other.format_),
      colorSpace_(other.colorSpace_),
      presentMode_(other.presentMode_),
      usage_(other.usage_),
      extent_(other.extent_),
      images_(std::move(other.images_)),
      views_(std::move(other.views_)),
      acquireSemaphores_(std::move(other.acquireSemaphores_)),
      renderFinished_(std::move(other.renderFinished_)),
      generation_(std::exchange(other.generation_, 0U)),
      needsRecreate_(std::exchange(other.needsRecreate_, false)),
      outOfDate_(std::exchange(other.outOfDate_, false)) {
    other.images_.clear();
    other.views_.clear();
    other.acquireSemaphores_.clear();
    other.renderFinished_.clear();
}

Swapchain& Swapchain::operator=(Swapchain&& other) noexcept {
    if (this != &other) {
        destroy();
        device_ = std::exchange(other.device_, VK_NULL_HANDLE);
        physical_ = std::exchange(other.physical_, VK_NULL_HANDLE);
        queue_ = std::exchange(other.queue_, VK_NULL_HANDLE);
        surface_ = std::exchange(other.surface_, VK_NULL_HANDLE);
        swapchain_ = std::exchange(other.swapchain_, VK_NULL_HANDLE);
        format_ = other.format_;
        colorSpace_ = other.colorSpace_;
        presentMode_ = other.presentMode_;
        usage_ = other.usage_;
        extent_ = other.extent_;
        images_ = std::move(other.images_);
        views_ = std::move(other.views_);
        acquireSemaphores_ = std::move(other.acquireSemaphores_);
        renderFinished_ = std::move(other.renderFinished_);
        generation_ = std::exchange(other.generation_, 0U);
        needsRecreate_ = std::exchange(other.needsRecreate_, false);
        outOfDate_ = std::exchange(other.outOfDate_, false);
        other.images_.clear();
        other.views_.clear();
        other.acquireSemaphores_.clear();
        other.renderFinished_.clear();
    }
    return *this;
}

Swapchain::~Swapchain() {
    destroy();
}

void Swapchain::destroyViews() noexcept {
    for (const VkImageView view : views_) {
        vkDestroyImageView(device_, view, nullptr);
    }
    views_.clear();
}

void Swapchain::destroy() noexcept {
    if (device_ == VK_NULL_HANDLE) {
        return;
    }
    // Nothing to do with a failure here (device lost): everything goes regardless.
    static_cast<void>(vkQueueWaitIdle(queue_));
    destroyViews();
    if (swapchain_ != VK_NULL_HANDLE) {
        vkDestroySwapchainKHR(device_, swapchain_, nullptr);
        swapchain_ = VK_NULL_HANDLE;
    }
    images_.clear();
    for (const VkSemaphore semaphore : acquireSemaphores_) {
        vkDestroySemaphore(device_, semaphore, nullptr);
    }
    acquireSemaphores_.clear();
    for (const VkSemaphore semaphore : renderFinished_) {
        vkDestroySemaphore(device_, semaphore, nullptr);
    }
    renderFinished_.clear();
    device_ = VK_NULL_HANDLE;
}

}  // namespace vixen::gpu
