#pragma once

// The bricks as the GPU structures store them, shared by the brick map and the octree:
// occupancy (16 words a brick), refs (a word a brick: kUniformRef | material, or a slot in
// materials) and materials (128 words a brick that is not uniform).

#include <cstdint>
#include <vector>

#include "vixen/voxel/brick_volume.hpp"

namespace vixen::voxel {

struct BrickPayload {
    std::uint32_t occupancyOffset = 0;
    std::uint32_t refsOffset = 0;
    std::uint32_t materialsOffset = 0;
};

/// Appends every brick of `volume` (in its index order) to `words`.
BrickPayload appendBrickPayload(const BrickVolume& volume, std::vector<std::uint32_t>& words);

}  // namespace vixen::voxel
