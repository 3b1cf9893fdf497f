#pragma once

// A scene given voxel by voxel or brick by brick (imported files, voxelized meshes): only the
// bricks that hold a solid voxel are stored, 512 materials each, or one material for a brick
// of one material throughout (a solid interior), so memory follows what is there and not the
// scene's bounding box.

#include <array>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "vixen/voxel/palette.hpp"
#include "vixen/voxel/scene.hpp"

namespace vixen::voxel {

class SparseVoxelScene final : public SceneSource {
public:
    SparseVoxelScene(Int3 size, Palette palette);

    /// Sets the voxel at `p` (inside [0, size)) to `material` (kEmpty clears it).
    void set(Int3 p, MaterialId material);
    /// Replaces the brick at brick coordinates `brick` (inside the scene) with `materials`
    /// (x fastest, then y, then z).
    void setBrick(Int3 brick, std::span<const MaterialId, kBrickVoxels> materials);
    /// Makes every voxel of the brick at `brick` `material` (not kEmpty), stored as one value.
    void setUniformBrick(Int3 brick, MaterialId material);
    /// Room for `bricks` stored bricks, `materialBricks` of them with 512 materials.
    void reserve(std::size_t bricks, std::size_t materialBricks);

    [[nodiscard]] Int3 size() const noexcept override { return size_; }
    [[nodiscard]] const Palette& palette() const noexcept override { return palette_; }
    /// Empty where no stored brick meets `box`; Solid inside one uniform brick; otherwise
    /// Mixed (always correct).
    [[nodiscard]] BoxContent classify(const Box& box) const override;
    void fillBrick(Int3 origin, std::span<MaterialId, kBrickVoxels> materials) const override;
    [[nodiscard]] std::size_t storedBricks() const noexcept { return entries_.size(); }

private:
    using Brick = std::array<MaterialId, kBrickVoxels>;
    /// An entry with this bit is a uniform brick (its material in the low byte); without it,
    /// the index of the brick's materials in bricks_.
    static constexpr std::uint32_t kUniformEntry = 0x80000000U;
    [[nodiscard]] static std::uint64_t keyOf(Int3 brick) noexcept;
    /// The materials of the brick at `key`, made from a uniform entry first if need be.
    Brick& materialsOf(std::uint64_t key);

    Int3 size_;
    Palette palette_;
    std::unordered_map<std::uint64_t, std::uint32_t> entries_;
    std::vector<Brick> bricks_;
};

}  // namespace vixen::voxel
