#include "vixen/nodes/png.hpp"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

#include <cstdio>

#include "vixen/core/files.hpp"

namespace vixen::nodes {

Result<void> writePngRgba8(const std::string& path, std::uint32_t width, std::uint32_t height,
                           std::span<const std::byte> pixels) {
    const std::size_t rowBytes = std::size_t{width} * 4;
    if (width == 0 || height == 0 || pixels.size() < rowBytes * height) {
        return fail(ErrorCode::InvalidArgument,
                    "PNG '{}': {}x{} RGBA8 needs {} bytes, {} were given", path, width, height,
                    rowBytes * height, pixels.size());
    }
    const std::string temporary = path + ".tmp";
    if (stbi_write_png(temporary.c_str(), static_cast<int>(width), static_cast<int>(height), 4,
                       pixels.data(), static_cast<int>(rowBytes)) == 0) {
        std::remove(temporary.c_str());
        return fail(ErrorCode::IoError, "could not write PNG '{}' (is the directory writable?)",
                    path);
    }
    return core::moveIntoPlace(temporary, path);
}

}  // namespace vixen::nodes
