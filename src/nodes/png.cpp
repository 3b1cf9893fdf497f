#include "vixen/nodes/png.hpp"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#include <stb/stb_image.h>

#include <cstdio>
#include <cstring>

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

Result<PngImage> readPngRgba8(const std::string& path) {
    int width = 0;
    int height = 0;
    int channels = 0;
    stbi_uc* data = stbi_load(path.c_str(), &width, &height, &channels, 4);
    if (data == nullptr) {
        return fail(ErrorCode::IoError, "could not read PNG '{}': {}", path,
                    stbi_failure_reason() != nullptr ? stbi_failure_reason() : "unknown error");
    }
    PngImage image;
    image.width = static_cast<std::uint32_t>(width);
    image.height = static_cast<std::uint32_t>(height);
    image.pixels.resize(std::size_t{image.width} * image.height * 4);
    std::memcpy(image.pixels.data(), data, image.pixels.size());
    stbi_image_free(data);
    return image;
}

}  // namespace vixen::nodes
