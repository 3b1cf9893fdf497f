#pragma once

// The acceleration structures a voxel scene can be laid out as for the GPU, by name.

#include <cstdint>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/voxel/brick_volume.hpp"

namespace vixen::voxel {

/// The version of what the builders make (procedural scenes, volumes, the structures'
/// layouts): part of a cached scene's key. Bump it with any change to their output.
inline constexpr std::uint32_t kBuildVersion = 2;

enum class Structure : std::uint8_t {
    BrickMap,  ///< brick_map.hpp
    Octree,    ///< sparse_octree.hpp
    NanoVdb,   ///< nanovdb_scene.hpp: the outside baseline
};

/// "brickmap", "svo" or "nanovdb".
[[nodiscard]] std::string_view structureName(Structure structure) noexcept;
/// "brickmap", "svo" (or "octree") or "nanovdb"; InvalidArgument naming the known ones
/// otherwise.
[[nodiscard]] Result<Structure> parseStructure(std::string_view name);
/// The words of `volume` laid out as `structure`.
[[nodiscard]] std::vector<std::uint32_t> buildStructure(const BrickVolume& volume,
                                                        Structure structure);

}  // namespace vixen::voxel
