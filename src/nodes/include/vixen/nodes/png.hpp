#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vixen/core/error.hpp"

namespace vixen::nodes {

/// Writes tightly packed RGBA8 rows as a PNG (stb_image_write): to `path` + ".tmp" first,
/// renamed into place once complete, so a failed write never leaves a partial file.
[[nodiscard]] Result<void> writePngRgba8(const std::string& path, std::uint32_t width,
                                         std::uint32_t height, std::span<const std::byte> pixels);

/// Tightly packed RGBA8 rows.
struct PngImage {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::vector<std::byte> pixels;
};

/// Reads a PNG (stb_image) as RGBA8; IoError naming the file and what is wrong with it.
[[nodiscard]] Result<PngImage> readPngRgba8(const std::string& path);

}  // namespace vixen::nodes
