#pragma once

// The bricks as the GPU structures store them, shared by the brick map and the octree. Only
// bricks that are not full of one material are stored: a brick full of one material is
// answered from the word that leads to it (grid cell, octree leaf). Each stored brick has a
// slot, and its slot alone finds its occupancy (16 words a slot) and its materials (128
// words a slot), with no reference to read between them.

#include <cstdint>
#include <vector>

#include "vixen/voxel/brick_volume.hpp"

namespace vixen::voxel {

struct BrickPayload {
    static constexpr std::uint32_t kNoSlot = 0xFFFFFFFFU;
    std::uint32_t occupancyOffset = 0;
    std::uint32_t materialsOffset = 0;
    std::uint32_t slots = 0;
    std::vector<std::uint32_t> slotOfBrick;  ///< kNoSlot for a full brick of one material
};

/// Appends the stored bricks of `volume` (in its index order) to `words`.
BrickPayload appendBrickPayload(const BrickVolume& volume, std::vector<std::uint32_t>& words);

}  // namespace vixen::voxel
