#pragma once

// Scenes from files, by extension: MagicaVoxel .vox (vox_file.hpp), NanoVDB .nvdb
// (nanovdb_file.hpp). The one door through which every importer is reached.

#include <cstdint>
#include <filesystem>
#include <memory>

#include "vixen/core/error.hpp"
#include "vixen/voxel/scene.hpp"

namespace vixen::voxel {

/// The scene in the file at `path`, at most `maxSide` voxels along an axis. NotFound for a
/// missing file, InvalidArgument for an extension no importer reads (naming the known ones),
/// and the importer's errors (ParseError with the offset, CapacityExceeded).
[[nodiscard]] Result<std::unique_ptr<SceneSource>> openSceneFile(const std::filesystem::path& path,
                                                                 std::int32_t maxSide = 4096);

}  // namespace vixen::voxel
