#pragma once

// A voxel volume stored brick by brick: only bricks with a solid voxel exist, found through
// a table of 64^3-voxel chunks (8^3 bricks each), so memory follows the occupied bricks and
// not the bounding box. A brick whose 512 voxels are all solid and of one material stores
// that material alone.

#include <cstdint>
#include <span>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/voxel/brick.hpp"
#include "vixen/voxel/palette.hpp"
#include "vixen/voxel/scene.hpp"

namespace vixen::voxel {

/// Voxels a side a volume may have (each axis).
inline constexpr std::int32_t kMinVolumeSide = 8;
inline constexpr std::int32_t kMaxVolumeSide = 4096;

struct VolumeBuildStats {
    double seconds = 0.0;             ///< wall time of the build
    std::uint64_t bricks = 0;         ///< bricks with a solid voxel
    std::uint64_t uniformBricks = 0;  ///< of those, full and of one material
    std::uint64_t solidVoxels = 0;
    std::uint64_t bricksFilled = 0;  ///< bricks the scene had to fill voxel by voxel
};

class BrickVolume {
public:
    static constexpr std::uint32_t kNoBrick = ~std::uint32_t{0};
    static constexpr std::int32_t kChunkBricks = 8;  ///< bricks a chunk side
    static constexpr std::int32_t kChunkSide = kChunkBricks * kBrickSide;

    /// Builds the volume of `scene` in parallel (TBB), chunk by chunk; the result does not
    /// depend on the thread count. InvalidArgument for a size outside [8, 4096] per axis.
    static Result<BrickVolume> build(const SceneSource& scene, VolumeBuildStats* stats = nullptr);

    [[nodiscard]] Int3 size() const noexcept { return size_; }
    [[nodiscard]] Int3 brickGrid() const noexcept { return brickGrid_; }
    [[nodiscard]] const Palette& palette() const noexcept { return palette_; }
    [[nodiscard]] std::uint32_t brickCount() const noexcept {
        return static_cast<std::uint32_t>(masks_.size());
    }
    [[nodiscard]] std::uint64_t solidVoxels() const noexcept { return solidVoxels_; }
    /// Solid voxels over all voxels of the volume.
    [[nodiscard]] double density() const noexcept;

    /// The brick at brick coordinates `brick` (inside brickGrid()), or kNoBrick.
    [[nodiscard]] std::uint32_t brickAt(Int3 brick) const noexcept;
    [[nodiscard]] Int3 brickCoord(std::uint32_t brick) const noexcept { return coords_[brick]; }
    [[nodiscard]] const BrickMask& mask(std::uint32_t brick) const noexcept {
        return masks_[brick];
    }
    /// Whether the brick is full and of one material (uniformMaterial()).
    [[nodiscard]] bool uniform(std::uint32_t brick) const noexcept {
        return (materialRefs_[brick] & kUniformFlag) != 0;
    }
    [[nodiscard]] MaterialId uniformMaterial(std::uint32_t brick) const noexcept {
        return static_cast<MaterialId>(materialRefs_[brick] & 0xFFU);
    }
    /// The material of voxel `index` (voxelIndex) of the brick.
    [[nodiscard]] MaterialId material(std::uint32_t brick, std::int32_t index) const noexcept;
    /// The material of any voxel (kEmpty outside the volume).
    [[nodiscard]] MaterialId voxel(Int3 p) const noexcept;
    /// Bytes the volume holds (tables, masks, materials).
    [[nodiscard]] std::uint64_t memoryBytes() const noexcept;

private:
    static constexpr std::uint32_t kUniformFlag = 0x80000000U;

    Int3 size_;
    Int3 brickGrid_;
    Int3 chunkGrid_;
    Palette palette_;
    std::vector<std::uint32_t>
        chunkTable_;  // per chunk: its first slot / kChunkBricks^3, or kNoBrick
    std::vector<std::uint32_t>
        chunkSlots_;  // per allocated chunk, per brick in it: index or kNoBrick
    std::vector<BrickMask> masks_;
    std::vector<Int3> coords_;
    std::vector<std::uint32_t> materialRefs_;  // kUniformFlag | material, or offset / 512
    std::vector<MaterialId> materials_;        // 512 per brick that is not uniform
    std::uint64_t solidVoxels_ = 0;
};

}  // namespace vixen::voxel
