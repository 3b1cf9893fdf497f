#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "vixen/core/error.hpp"

namespace vixen::nodes {

/// Writes tightly packed RGBA8 rows as a PNG (stb_image_write): to `path` + ".tmp" first,
/// renamed into place once complete, so a failed write never leaves a partial file.
[[nodiscard]] Result<void> writePngRgba8(const std::string& path, std::uint32_t width,
                                         std::uint32_t height, std::span<const std::byte> pixels);

}  // namespace vixen::nodes
