#include "vixen/gpu/image.hpp"

#include <utility>

#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {

Result<Image> Image::createUnbound(const Device& device, const ImageDesc& desc,
                                   std::string_view what) {
    if (desc.width == 0 || desc.height == 0 || desc.depth == 0 || desc.mipLevels == 0 ||
        desc.arrayLayers == 0) {
        return fail(ErrorCode::InvalidArgument,
                    "image for {} has extent {}x{}x{}, {} mip levels and {} layers (none may be 0)",
                    what, desc.width, desc.height, desc.depth, desc.mipLevels, desc.arrayLayers);
    }
    if (desc.depth > 1 && desc.arrayLayers > 1) {
        return fail(ErrorCode::InvalidArgument,
                    "image for {}: a 3D image (depth {}) has one layer, not {}", what, desc.depth,
                    desc.arrayLayers);
    }
    Image image;
    image.device_ = device.handle();
    image.desc_ = desc;

    VkImageCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO;
    info.imageType = desc.type();
    info.format = desc.format;
    info.extent = {desc.width, desc.height, desc.depth};
    info.mipLevels = desc.mipLevels;
    info.arrayLayers = desc.arrayLayers;
    info.samples = VK_SAMPLE_COUNT_1_BIT;
    info.tiling = VK_IMAGE_TILING_OPTIMAL;
    info.usage = desc.usage;
    // With a compute queue of another family, every queue may use it with semaphores alone
    // (no ownership transfers; see Device).
    const std::span<const std::uint32_t> families = device.queueFamilies();
    info.sharingMode = families.size() > 1 ? VK_SHARING_MODE_CONCURRENT : VK_SHARING_MODE_EXCLUSIVE;
    info.queueFamilyIndexCount =
        families.size() > 1 ? static_cast<std::uint32_t>(families.size()) : 0;
    info.pQueueFamilyIndices = families.size() > 1 ? families.data() : nullptr;
    info.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    VIXEN_TRY_VK_CREATE(vkCreateImage(image.device_, &info, nullptr, &image.image_), what);
    return image;
}

VkMemoryRequirements Image::requirements() const noexcept {
    VkMemoryRequirements requirements{};
    vkGetImageMemoryRequirements(device_, image_, &requirements);
    return requirements;
}

Result<void> Image::bind(const MemoryAllocation& memory, DeviceMemoryAllocator* owner,
                         std::string_view what) {
    allocation_ = memory;
    allocator_ = owner;
    VIXEN_TRY_VK(vkBindImageMemory(device_, image_, memory.memory, memory.offset), what);

    constexpr VkImageUsageFlags kViewed =
        VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_STORAGE_BIT |
        VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT |
        VK_IMAGE_USAGE_INPUT_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT;
    if ((desc_.usage & kViewed) == 0) {
        return {};  // copied to and from only: nothing may view it
    }
    VkImageViewCreateInfo viewInfo{};
    viewInfo.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO;
    viewInfo.image = image_;
    viewInfo.viewType = desc_.viewType();
    viewInfo.format = desc_.format;
    viewInfo.subresourceRange = {desc_.aspect, 0, desc_.mipLevels, 0, desc_.arrayLayers};
    VIXEN_TRY_VK_CREATE(vkCreateImageView(device_, &viewInfo, nullptr, &view_), what);
    return {};
}

Result<Image> Image::create(const Device& device, DeviceMemoryAllocator& allocator,
                            const ImageDesc& desc, std::string_view what) {
    auto image = createUnbound(device, desc, what);
    if (!image) {
        return image;
    }
    auto memory = allocator.allocate(image->requirements(), 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                                     AllocationKind::Optimal, what);
    if (!memory) {
        return std::unexpected(std::move(memory.error()));  // ~Image destroys the VkImage
    }
    if (Result<void> bound = image->bind(*memory, &allocator, what); !bound) {
        return std::unexpected(std::move(bound.error()));
    }
    return image;
}

Image Image::borrow(VkImage image, VkImageView view, const ImageDesc& desc) noexcept {
    Image borrowed;
    borrowed.image_ = image;
    borrowed.view_ = view;
    borrowed.desc_ = desc;
    borrowed.owned_ = false;
    return borrowed;
}

Image::Image(Image&& other) noexcept
    : device_(other.device_),
      allocator_(other.allocator_),
      image_(std::exchange(other.image_, VK_NULL_HANDLE)),
      view_(std::exchange(other.view_, VK_NULL_HANDLE)),
      desc_(other.desc_),
      allocation_(std::exchange(other.allocation_, MemoryAllocation{})),
      owned_(std::exchange(other.owned_, true)) {}

Image& Image::operator=(Image&& other) noexcept {
    if (this != &other) {
        reset();
        device_ = other.device_;
        allocator_ = other.allocator_;
        image_ = std::exchange(other.image_, VK_NULL_HANDLE);
        view_ = std::exchange(other.view_, VK_NULL_HANDLE);
        desc_ = other.desc_;
        allocation_ = std::exchange(other.allocation_, MemoryAllocation{});
        owned_ = std::exchange(other.owned_, true);
    }
    return *this;
}

Image::~Image() {
    reset();
}

void Image::reset() noexcept {
    if (view_ != VK_NULL_HANDLE && owned_) {
        vkDestroyImageView(device_, view_, nullptr);
    }
    if (image_ != VK_NULL_HANDLE && owned_) {
        vkDestroyImage(device_, image_, nullptr);
    }
    view_ = VK_NULL_HANDLE;
    image_ = VK_NULL_HANDLE;
    owned_ = true;
    if (allocation_.valid() && allocator_ != nullptr) {
        allocator_->free(allocation_);
    }
    allocation_ = MemoryAllocation{};
}

}  // namespace vixen::gpu
