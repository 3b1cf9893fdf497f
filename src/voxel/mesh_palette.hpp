#pragma once

// Vertex colours as palette materials: the colours are counted in cells of 4 bits a channel,
// the (at most 255) most common cells become materials (each the mean of its colours), and
// every cell maps to its nearest material, so any colour between vertices finds one at once.

#include <algorithm>
#include <array>
#include <span>
#include <vector>

#include "vixen/voxel/mesh.hpp"
#include "vixen/voxel/palette.hpp"

namespace vixen::voxel {

class ColourPalette {
public:
    /// The palette of `colours` (sRGB bytes; at least one).
    explicit ColourPalette(std::span<const Rgb8> colours);

    /// The material of sRGB colour (r, g, b), each 0..255.
    [[nodiscard]] MaterialId materialOf(float r, float g, float b) const noexcept {
        const auto cell = [](float c) {
            return static_cast<std::size_t>(std::clamp(c, 0.0F, 255.0F)) >> 4U;
        };
        return nearest_[cell(r) | cell(g) << 4U | cell(b) << 8U];
    }
    /// The materials, with linear albedo.
    [[nodiscard]] Result<Palette> palette() const;

private:
    std::array<MaterialId, 4096> nearest_{};
    std::vector<std::array<float, 3>> colours_;
};

}  // namespace vixen::voxel
