#pragma once

// The procedural voxel scene `vixen render` and `vixen view` ask for: loaded from the scene
// cache when it was built before, else built (and kept there).

#include <filesystem>
#include <optional>
#include <string>

#include "vixen/core/error.hpp"
#include "vixen/nodes/voxel_scene_cache.hpp"

namespace vixen::app {

/// Where a command keeps its caches: `--cache-dir` (empty: the default root), or nowhere
/// with `--no-cache` or when no root can be found (said once on stderr).
[[nodiscard]] std::optional<std::filesystem::path> cacheRootFor(const std::string& cacheDir,
                                                                bool noCache);

/// The scene, from the cache under `cacheRoot` when there is one. A problem with the cache
/// (damaged files, a failed save) is a warning: the scene is then built as without it.
[[nodiscard]] Result<nodes::BuiltVoxelScene> loadOrBuildScene(
    const nodes::VoxelSceneRequest& request, const std::optional<std::filesystem::path>& cacheRoot);

/// One line: scene, size, density, bricks, build or load times, the structure's bytes.
[[nodiscard]] std::string describe(const nodes::BuiltVoxelScene& scene, const std::string& name);

}  // namespace vixen::app
