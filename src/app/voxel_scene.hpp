#pragma once

// A procedural voxel scene built for the GPU: the volume (the CPU oracle's), the chosen
// acceleration structure's words, and what building them took.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/nodes/voxel_nodes.hpp"
#include "vixen/voxel/brick_volume.hpp"

namespace vixen::app {

struct BuiltScene {
    voxel::BrickVolume volume;
    std::shared_ptr<const std::vector<std::uint32_t>> words;
    nodes::VoxelStructure structure = nodes::VoxelStructure::BrickMap;
    double volumeSeconds = 0.0;
    double structureSeconds = 0.0;
    voxel::VolumeBuildStats stats;
};

/// Builds scene `name` at `side`^3 voxels and lays it out as `structure`.
[[nodiscard]] Result<BuiltScene> buildScene(const std::string& name, std::uint32_t side,
                                            std::uint64_t seed, nodes::VoxelStructure structure);

/// One line: scene, size, density, bricks, build times, the structure's bytes.
[[nodiscard]] std::string describe(const BuiltScene& scene, const std::string& name);

}  // namespace vixen::app
