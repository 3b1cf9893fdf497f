#pragma once

// The unit of voxel storage: a brick of 8x8x8 voxels, its occupancy as 512 bits (one 64-bit
// word per z slice, bit x + 8 * y) and a material index per voxel (0 is empty).

#include <array>
#include <cstdint>

namespace vixen::voxel {

/// A material index; 0 is empty space, 1..255 index the palette.
using MaterialId = std::uint8_t;
inline constexpr MaterialId kEmpty = 0;

inline constexpr std::int32_t kBrickSide = 8;
inline constexpr std::int32_t kBrickVoxels = kBrickSide * kBrickSide * kBrickSide;

/// Integer voxel (or brick) coordinates.
struct Int3 {
    std::int32_t x = 0;
    std::int32_t y = 0;
    std::int32_t z = 0;
    friend constexpr bool operator==(const Int3&, const Int3&) = default;
    friend constexpr Int3 operator+(Int3 a, Int3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
    friend constexpr Int3 operator-(Int3 a, Int3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
    friend constexpr Int3 operator*(Int3 a, std::int32_t s) { return {a.x * s, a.y * s, a.z * s}; }
    [[nodiscard]] constexpr std::int64_t volume() const noexcept { return std::int64_t{x} * y * z; }
};

/// How many `side`-sized cells cover `extent` along each axis.
[[nodiscard]] constexpr Int3 cellsCovering(Int3 extent, std::int32_t side) noexcept {
    return {(extent.x + side - 1) / side, (extent.y + side - 1) / side,
            (extent.z + side - 1) / side};
}

/// A half-open box of voxels, [min, max).
struct Box {
    Int3 min;
    Int3 max;
    friend constexpr bool operator==(const Box&, const Box&) = default;
    [[nodiscard]] constexpr bool empty() const noexcept {
        return max.x <= min.x || max.y <= min.y || max.z <= min.z;
    }
    [[nodiscard]] constexpr bool contains(Int3 p) const noexcept {
        return p.x >= min.x && p.y >= min.y && p.z >= min.z && p.x < max.x && p.y < max.y &&
               p.z < max.z;
    }
    [[nodiscard]] constexpr bool overlaps(const Box& o) const noexcept {
        return min.x < o.max.x && o.min.x < max.x && min.y < o.max.y && o.min.y < max.y &&
               min.z < o.max.z && o.min.z < max.z;
    }
    [[nodiscard]] constexpr bool containsBox(const Box& o) const noexcept {
        return o.min.x >= min.x && o.min.y >= min.y && o.min.z >= min.z && o.max.x <= max.x &&
               o.max.y <= max.y && o.max.z <= max.z;
    }
};

/// Index of a voxel inside its brick: x fastest, then y, then z.
[[nodiscard]] constexpr std::int32_t voxelIndex(std::int32_t x, std::int32_t y,
                                                std::int32_t z) noexcept {
    return x + kBrickSide * (y + kBrickSide * z);
}

/// 512 occupancy bits: word z holds the slice z, bit x + 8 * y.
struct BrickMask {
    std::array<std::uint64_t, kBrickSide> words{};

    [[nodiscard]] constexpr bool test(std::int32_t x, std::int32_t y,
                                      std::int32_t z) const noexcept {
        return ((words[static_cast<std::size_t>(z)] >> (x + kBrickSide * y)) & 1U) != 0;
    }
    constexpr void set(std::int32_t x, std::int32_t y, std::int32_t z) noexcept {
        words[static_cast<std::size_t>(z)] |= std::uint64_t{1} << (x + kBrickSide * y);
    }
    [[nodiscard]] constexpr bool none() const noexcept {
        for (const std::uint64_t w : words) {
            if (w != 0) {
                return false;
            }
        }
        return true;
    }
    [[nodiscard]] constexpr bool all() const noexcept {
        for (const std::uint64_t w : words) {
            if (w != ~std::uint64_t{0}) {
                return false;
            }
        }
        return true;
    }
    [[nodiscard]] int count() const noexcept;
    friend constexpr bool operator==(const BrickMask&, const BrickMask&) = default;
};

}  // namespace vixen::voxel
