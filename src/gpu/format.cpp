#include "vixen/gpu/format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>
#include <vulkan/vulkan.hpp>
#include <vulkan/vulkan_format_traits.hpp>

#include "vixen/gpu/device.hpp"

namespace vixen::gpu {
namespace {

constexpr std::array<std::pair<VkImageUsageFlags, std::string_view>, 8> kUsageNames{{
    {VK_IMAGE_USAGE_TRANSFER_SRC_BIT, "transfer source"},
    {VK_IMAGE_USAGE_TRANSFER_DST_BIT, "transfer destination"},
    {VK_IMAGE_USAGE_SAMPLED_BIT, "sampled"},
    {VK_IMAGE_USAGE_STORAGE_BIT, "storage"},
    {VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT, "colour attachment"},
    {VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT, "depth/stencil attachment"},
    {VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT, "transient attachment"},
    {VK_IMAGE_USAGE_INPUT_ATTACHMENT_BIT, "input attachment"},
}};

std::string usageNames(VkImageUsageFlags usage) {
    std::string names;
    for (const auto& [bit, name] : kUsageNames) {
        if ((usage & bit) != 0) {
            names += names.empty() ? "" : ", ";
            names += name;
        }
    }
    return names.empty() ? std::string("none") : names;
}

VkResult imageProperties(VkPhysicalDevice physical, const ImageDesc& desc, VkImageUsageFlags usage,
                         VkImageFormatProperties& properties) {
    return vkGetPhysicalDeviceImageFormatProperties(physical, desc.format, desc.type(),
                                                    VK_IMAGE_TILING_OPTIMAL, usage, 0, &properties);
}

}  // namespace

std::string formatName(VkFormat format) {
    return vk::to_string(static_cast<vk::Format>(format));
}

std::uint64_t imageBytes(const ImageDesc& desc) noexcept {
    const vk::Format format = static_cast<vk::Format>(desc.format);
    if (desc.format == VK_FORMAT_UNDEFINED) {
        return 0;
    }
    const std::array<std::uint8_t, 3> block = vk::blockExtent(format);
    std::uint64_t bytes = 0;
    for (std::uint32_t level = 0; level < desc.mipLevels; ++level) {
        const auto extent = [&](std::uint32_t size, std::uint8_t blockSize) {
            const std::uint32_t levelSize = std::max(size >> level, 1U);
            return std::uint64_t{(levelSize + blockSize - 1U) / blockSize};
        };
        bytes += extent(desc.width, block[0]) * extent(desc.height, block[1]) *
                 extent(desc.depth, block[2]) * vk::blockSize(format);
    }
    return bytes * desc.arrayLayers;
}

Result<void> checkImageSupport(const Device& device, const ImageDesc& desc, std::string_view what) {
    const PhysicalDeviceInfo& physical = device.physical();
    const char* const dimension = desc.type() == VK_IMAGE_TYPE_3D ? "3D" : "2D";
    VkImageFormatProperties properties{};
    if (imageProperties(physical.handle, desc, desc.usage, properties) != VK_SUCCESS) {
        // Name the usages the format lacks, each tried on its own.
        VkImageUsageFlags missing = 0;
        for (const auto& [bit, name] : kUsageNames) {
            VkImageFormatProperties single{};
            if ((desc.usage & bit) != 0 &&
                imageProperties(physical.handle, desc, bit, single) != VK_SUCCESS) {
                missing |= bit;
            }
        }
        return fail(ErrorCode::Unsupported,
                    "{}: format {} cannot be a {} image with usage {} on {} (not supported: {}); "
                    "choose another format or drop that usage",
                    what, formatName(desc.format), dimension, usageNames(desc.usage), physical.name,
                    usageNames(missing != 0 ? missing : desc.usage));
    }
    const VkExtent3D& most = properties.maxExtent;
    if (desc.width > most.width || desc.height > most.height || desc.depth > most.depth ||
        desc.mipLevels > properties.maxMipLevels || desc.arrayLayers > properties.maxArrayLayers) {
        return fail(ErrorCode::Unsupported,
                    "{}: a {} {} image of {}x{}x{}, {} mip levels and {} layers exceeds what {} "
                    "allows ({}x{}x{}, {} mip levels, {} layers)",
                    what, dimension, formatName(desc.format), desc.width, desc.height, desc.depth,
                    desc.mipLevels, desc.arrayLayers, physical.name, most.width, most.height,
                    most.depth, properties.maxMipLevels, properties.maxArrayLayers);
    }
    return {};
}

}  // namespace vixen::gpu
