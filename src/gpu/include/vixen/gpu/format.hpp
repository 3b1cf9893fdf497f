#pragma once

// Image formats: their names for messages, the bytes an image takes for estimates, and whether a
// device supports an image description before anything is created.

#include <vulkan/vulkan.h>

#include <cstdint>
#include <string>

#include "vixen/core/error.hpp"
#include "vixen/gpu/image.hpp"

namespace vixen::gpu {

class Device;

/// The format's name as the Vulkan headers spell it without the prefix: "R8G8B8A8Unorm".
[[nodiscard]] std::string formatName(VkFormat format);

/// Device-local bytes the image's texels take, every mip level and layer counted (the
/// driver may add padding and alignment; this is what estimates use).
[[nodiscard]] std::uint64_t imageBytes(const ImageDesc& desc) noexcept;

/// Whether the device can create `desc` (format, type, every usage bit, extent, mip levels
/// and layers) with optimal tiling. The error names the format, the usages it lacks, and
/// the device; `what` says whose image it is.
[[nodiscard]] Result<void> checkImageSupport(const Device& device, const ImageDesc& desc,
                                             std::string_view what);

}  // namespace vixen::gpu
