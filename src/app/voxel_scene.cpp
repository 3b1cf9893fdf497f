#include "voxel_scene.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "vixen/cache/cache_directory.hpp"
#include "vixen/core/units.hpp"

namespace vixen::app {

std::optional<std::filesystem::path> cacheRootFor(const std::string& cacheDir, bool noCache) {
    if (noCache) {
        return std::nullopt;
    }
    auto root = cache::resolveCacheRoot(cacheDir);
    if (!root) {
        fmt::print(stderr, "warning: {}; nothing is cached this run\n", root.error().message);
        return std::nullopt;
    }
    return *root;
}

Result<nodes::BuiltVoxelScene> loadOrBuildScene(
    const nodes::VoxelSceneRequest& request,
    const std::optional<std::filesystem::path>& cacheRoot) {
    if (!cacheRoot) {
        return nodes::buildVoxelScene(request);
    }
    // Problems with the cache's files are logged as warnings by the cache itself.
    nodes::VoxelSceneCache scenes(*cacheRoot);
    auto scene = scenes.getOrBuild(request);
    // Saved at once (a built scene, or the counters of a loaded one), not at exit.
    if (Result<void> saved = scenes.save(); !saved) {
        fmt::print(stderr, "warning: the scene cache was not saved: {}\n", saved.error().message);
    }
    return scene;
}

std::string describe(const nodes::BuiltVoxelScene& scene, const std::string& name) {
    const std::uint64_t bytes = scene.words->size() * sizeof(std::uint32_t);
    const std::string how =
        scene.loaded ? fmt::format("{} loaded from the scene cache in {:.3f} s",
                                   voxel::structureName(scene.structure), scene.loadSeconds)
                     : fmt::format("built in {:.3f} s, {} in {:.3f} s", scene.volumeSeconds,
                                   voxel::structureName(scene.structure), scene.structureSeconds);
    return fmt::format(
        "scene: {} {}x{}x{}, density {:.3f}, {} bricks ({} uniform); {}: {} ({:.3f} bytes per "
        "solid voxel)\n",
        name, scene.size.x, scene.size.y, scene.size.z, scene.density(), scene.bricks,
        scene.uniformBricks, how, core::formatBytes(bytes),
        static_cast<double>(bytes) /
            static_cast<double>(std::max<std::uint64_t>(scene.solidVoxels, 1)));
}

}  // namespace vixen::app
