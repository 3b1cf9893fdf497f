#include "mesh_palette.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>

namespace vixen::voxel {

ColourPalette::ColourPalette(std::span<const Rgb8> colours) {
    constexpr std::size_t kCells = 4096;
    std::vector<std::uint64_t> counts(kCells);
    std::vector<std::array<double, 3>> sums(kCells);
    const auto cellOf = [](const std::array<float, 3>& c) {
        return (static_cast<std::size_t>(c[0]) >> 4U) |
               (static_cast<std::size_t>(c[1]) >> 4U) << 4U |
               (static_cast<std::size_t>(c[2]) >> 4U) << 8U;
    };
    for (const Rgb8& colour : colours) {
        const std::size_t cell =
            cellOf({static_cast<float>(colour[0]), static_cast<float>(colour[1]),
                    static_cast<float>(colour[2])});
        ++counts[cell];
        for (std::size_t c = 0; c < 3; ++c) {
            sums[cell][c] += colour[c];
        }
    }
    std::vector<std::size_t> cells(kCells);
    std::iota(cells.begin(), cells.end(), std::size_t{0});
    // Most common first; equal counts in cell order, so the palette is the same every run.
    std::ranges::stable_sort(cells,
                             [&](std::size_t a, std::size_t b) { return counts[a] > counts[b]; });
    for (const std::size_t cell : cells) {
        if (counts[cell] == 0 || colours_.size() == Palette::kMaxMaterials) {
            break;
        }
        const auto n = static_cast<double>(counts[cell]);
        colours_.push_back({static_cast<float>(sums[cell][0] / n),
                            static_cast<float>(sums[cell][1] / n),
                            static_cast<float>(sums[cell][2] / n)});
    }
    for (std::size_t cell = 0; cell < kCells; ++cell) {
        const std::array<float, 3> centre{static_cast<float>((cell & 15U) * 16U + 8U),
                                          static_cast<float>(((cell >> 4U) & 15U) * 16U + 8U),
                                          static_cast<float>((cell >> 8U) * 16U + 8U)};
        float best = std::numeric_limits<float>::max();
        for (std::size_t m = 0; m < colours_.size(); ++m) {
            // A cell with colours of its own maps to its own material.
            const bool own = counts[cell] > 0 && cellOf(colours_[m]) == cell;
            float distance = 0.0F;
            for (std::size_t c = 0; c < 3; ++c) {
                const float d = colours_[m][c] - centre[c];
                distance += d * d;
            }
            if (own) {
                distance = -1.0F;
            }
            if (distance < best) {
                best = distance;
                nearest_[cell] = static_cast<MaterialId>(m + 1);
            }
        }
    }
}

Result<Palette> ColourPalette::palette() const {
    Palette palette;
    for (const auto& colour : colours_) {
        Material material;
        for (std::size_t c = 0; c < 3; ++c) {
            material.albedo[c] = std::pow(colour[c] / 255.0F, 2.2F);  // sRGB to linear
        }
        material.name = fmt::format("#{:02x}{:02x}{:02x}", static_cast<unsigned>(colour[0] + 0.5F),
                                    static_cast<unsigned>(colour[1] + 0.5F),
                                    static_cast<unsigned>(colour[2] + 0.5F));
        VIXEN_TRY(palette.add(std::move(material)));
    }
    return palette;
}

}  // namespace vixen::voxel
