#pragma once

// OpenVDB .vdb files (OpenVDB's own reader, Debian's libopenvdb-dev): the first float grid
// read as a scene, a level set solid where negative, a fog volume where active above a
// threshold. The grid is converted to NanoVDB's layout by NanoVDB's converter and answered
// brick by brick like a .nvdb file, so nothing the size of its bounding box is made.

#include <cstdint>
#include <filesystem>
#include <memory>

#include "vixen/core/error.hpp"
#include "vixen/voxel/scene.hpp"

namespace vixen::voxel {

/// The first float grid of the .vdb file at `path` as a scene of one material, moved so that
/// its active bounding box starts at the origin. NotFound for a missing file; ParseError
/// naming the file for a wrong magic number or what OpenVDB cannot read; InvalidArgument for
/// a file without a float grid (naming the grids it has) or a grid with no active voxel;
/// CapacityExceeded past `maxSide` voxels a side.
[[nodiscard]] Result<std::unique_ptr<SceneSource>> readOpenVdbScene(
    const std::filesystem::path& path, float threshold = 0.0F, std::int32_t maxSide = 4096);

}  // namespace vixen::voxel
