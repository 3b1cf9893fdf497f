#pragma once

// A scene given voxel by voxel (imported files, voxelized meshes): only the bricks that hold
// a solid voxel are stored, 512 materials each, so memory follows what is there and not the
// scene's bounding box.

#include <array>
#include <cstdint>
#include <span>
#include <unordered_map>

#include "vixen/voxel/palette.hpp"
#include "vixen/voxel/scene.hpp"

namespace vixen::voxel {

class SparseVoxelScene final : public SceneSource {
public:
    SparseVoxelScene(Int3 size, Palette palette);

    /// Sets the voxel at `p` (inside [0, size)) to `material` (kEmpty clears it).
    void set(Int3 p, MaterialId material);

    [[nodiscard]] Int3 size() const noexcept override { return size_; }
    [[nodiscard]] const Palette& palette() const noexcept override { return palette_; }
    /// Empty where no stored brick meets `box`; otherwise Mixed (always correct).
    [[nodiscard]] BoxContent classify(const Box& box) const override;
    void fillBrick(Int3 origin, std::span<MaterialId, kBrickVoxels> materials) const override;
    [[nodiscard]] std::size_t storedBricks() const noexcept { return bricks_.size(); }

private:
    using Brick = std::array<MaterialId, kBrickVoxels>;
    [[nodiscard]] static std::uint64_t keyOf(Int3 brick) noexcept;

    Int3 size_;
    Palette palette_;
    std::unordered_map<std::uint64_t, Brick> bricks_;
};

}  // namespace vixen::voxel
