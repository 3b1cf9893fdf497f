#pragma once

// NanoVDB .nvdb files (NanoVDB's own reader and writer, Debian's libnanovdb-dev), both ways:
// a float grid read as a scene (a level set: inside where negative; any other grid: active
// voxels above a threshold), and any VIXEN volume written as a float grid whose active voxels
// are the solid ones and whose values are their material indices.

#include <cstdint>
#include <filesystem>
#include <memory>

#include "vixen/core/error.hpp"
#include "vixen/voxel/brick_volume.hpp"
#include "vixen/voxel/scene.hpp"

namespace vixen::voxel {

/// The first float grid of the file at `path` as a scene of one material, moved so that its
/// active bounding box starts at the origin: a level set's voxels where the value is below 0,
/// any other grid's active voxels above `threshold`. NotFound for a missing file, ParseError
/// naming the file for what NanoVDB cannot read or a grid that is not of floats,
/// CapacityExceeded past `maxSide` voxels a side.
[[nodiscard]] Result<std::unique_ptr<SceneSource>> readNanoVdbScene(
    const std::filesystem::path& path, float threshold = 0.0F, std::int32_t maxSide = 4096);

/// `volume` written to `path` as an uncompressed NanoVDB float grid named "vixen": solid
/// voxels active, valued by their material index; IoError naming the file when it cannot be
/// written (a temporary renamed into place).
[[nodiscard]] Result<void> writeNanoVdbFile(const BrickVolume& volume,
                                            const std::filesystem::path& path);

}  // namespace vixen::voxel
