#pragma once

// The voxels a surface encloses, found from the outside in: everything reached from the
// grid's border through voxels off the surface (6-connected) is outside, and the rest is
// inside. A surface with holes then fills only what its holes do not open, instead of
// flooding the whole box as parity counting along rays would.

#include <cstdint>
#include <vector>

#include "vixen/voxel/brick.hpp"

namespace vixen::voxel {

/// One bit a voxel over a box of `size`: rows along x of 64-bit words (bit x % 64 of word
/// x / 64), rows in y order, then slices in z order.
class VoxelBits {
public:
    explicit VoxelBits(Int3 size);

    [[nodiscard]] Int3 size() const noexcept { return size_; }
    [[nodiscard]] std::int32_t wordsPerRow() const noexcept { return wordsPerRow_; }
    /// The words of row (y, z).
    [[nodiscard]] std::uint64_t* row(std::int32_t y, std::int32_t z) noexcept {
        return words_.data() + rowOffset(y, z);
    }
    [[nodiscard]] const std::uint64_t* row(std::int32_t y, std::int32_t z) const noexcept {
        return words_.data() + rowOffset(y, z);
    }
    [[nodiscard]] bool test(Int3 p) const noexcept {
        return ((row(p.y, p.z)[p.x / 64] >> (p.x % 64)) & 1U) != 0;
    }
    /// The bits of word `w` that are voxels of the box (all but the last word's tail).
    [[nodiscard]] std::uint64_t validBits(std::int32_t w) const noexcept {
        const std::int32_t tail = size_.x - 64 * w;
        return tail >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << tail) - 1U;
    }

private:
    [[nodiscard]] std::size_t rowOffset(std::int32_t y, std::int32_t z) const noexcept {
        return (static_cast<std::size_t>(z) * static_cast<std::size_t>(size_.y) +
                static_cast<std::size_t>(y)) *
               static_cast<std::size_t>(wordsPerRow_);
    }

    Int3 size_;
    std::int32_t wordsPerRow_;
    std::vector<std::uint64_t> words_;
};

/// The voxels of `surface`'s box that are neither on the surface nor reachable from the box's
/// border without crossing it (in parallel).
[[nodiscard]] VoxelBits enclosedBy(const VoxelBits& surface);

}  // namespace vixen::voxel
