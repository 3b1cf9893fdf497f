#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <string_view>
#include <utility>

#include "vixen/core/error.hpp"
#include "vixen/gpu/memory_allocator.hpp"

namespace vixen::gpu {

class Device;

/// An image: 3D when `depth` > 1 (then one layer), else 2D with `arrayLayers` layers.
struct ImageDesc {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    VkFormat format = VK_FORMAT_R8G8B8A8_UNORM;
    VkImageUsageFlags usage = 0;
    VkImageAspectFlags aspect = VK_IMAGE_ASPECT_COLOR_BIT;
    std::uint32_t depth = 1;
    std::uint32_t mipLevels = 1;
    std::uint32_t arrayLayers = 1;

    [[nodiscard]] VkImageType type() const noexcept {
        return depth > 1 ? VK_IMAGE_TYPE_3D : VK_IMAGE_TYPE_2D;
    }
    [[nodiscard]] VkImageViewType viewType() const noexcept {
        if (depth > 1) {
            return VK_IMAGE_VIEW_TYPE_3D;
        }
        return arrayLayers > 1 ? VK_IMAGE_VIEW_TYPE_2D_ARRAY : VK_IMAGE_VIEW_TYPE_2D;
    }
    friend bool operator==(const ImageDesc&, const ImageDesc&) = default;
};

/// An optimally tiled VkImage (2D, 2D array or 3D, with mip levels) in device-local memory
/// from a DeviceMemoryAllocator, with one view of every level and layer (none for an image
/// only copied to and from, which nothing may view); owned. Starts in
/// VK_IMAGE_LAYOUT_UNDEFINED. The device and the allocator must outlive it.
class Image {
public:
    Image() = default;
    /// Errors name `what`: InvalidArgument for a zero extent, the allocator's errors, the
    /// Vulkan error of the failing call; nothing is left behind.
    static Result<Image> create(const Device& device, DeviceMemoryAllocator& allocator,
                                const ImageDesc& desc, std::string_view what);
    /// An image in memory the caller owns and frees after reset() (memory shared by aliased
    /// transients, say): `memoryFor(requirements)` provides it, and `release(memory)` gets
    /// it back when binding fails.
    template <class MemoryFor, class Release>
    static Result<Image> createInMemory(const Device& device, const ImageDesc& desc,
                                        std::string_view what, MemoryFor&& memoryFor,
                                        Release&& release) {
        auto image = createUnbound(device, desc, what);
        if (!image) {
            return image;
        }
        Result<MemoryAllocation> memory = memoryFor(image->requirements());
        if (!memory) {
            return std::unexpected(std::move(memory.error()));
        }
        if (Result<void> bound = image->bind(*memory, nullptr, what); !bound) {
            image->reset();
            release(*memory);
            return std::unexpected(std::move(bound.error()));
        }
        return image;
    }

    /// A view of an image someone else owns (imported into a graph, a swapchain's): never
    /// destroyed here. The owner keeps it alive while this is used.
    [[nodiscard]] static Image borrow(VkImage image, VkImageView view,
                                      const ImageDesc& desc) noexcept;

    Image(Image&& other) noexcept;
    Image& operator=(Image&& other) noexcept;
    Image(const Image&) = delete;
    Image& operator=(const Image&) = delete;
    ~Image();

    /// Destroys the view and the image and frees the memory it owns now; the image becomes
    /// empty. Memory given by createInMemory stays the caller's.
    void reset() noexcept;

    [[nodiscard]] VkImage handle() const noexcept { return image_; }
    [[nodiscard]] VkImageView view() const noexcept { return view_; }
    [[nodiscard]] const ImageDesc& desc() const noexcept { return desc_; }
    [[nodiscard]] bool valid() const noexcept { return image_ != VK_NULL_HANDLE; }
    [[nodiscard]] const MemoryAllocation& allocation() const noexcept { return allocation_; }
    /// False for a borrowed image, which reset() forgets without destroying.
    [[nodiscard]] bool owned() const noexcept { return owned_; }

private:
    static Result<Image> createUnbound(const Device& device, const ImageDesc& desc,
                                       std::string_view what);
    [[nodiscard]] VkMemoryRequirements requirements() const noexcept;
    /// Binds `memory` (owned by `owner` when not null) and creates the view.
    Result<void> bind(const MemoryAllocation& memory, DeviceMemoryAllocator* owner,
                      std::string_view what);

    VkDevice device_ = VK_NULL_HANDLE;
    DeviceMemoryAllocator* allocator_ = nullptr;
    VkImage image_ = VK_NULL_HANDLE;
    VkImageView view_ = VK_NULL_HANDLE;
    ImageDesc desc_{};
    MemoryAllocation allocation_{};
    bool owned_ = true;
};

}  // namespace vixen::gpu
