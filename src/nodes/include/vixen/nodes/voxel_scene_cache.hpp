#pragma once

// Built voxel scenes kept between runs: a procedural scene laid out as a GPU structure is
// keyed by everything it depends on (scene, seed, size, structure and the builders' version,
// voxel::kBuildVersion) and stored in the host's cache directory, one file per scene,
// compressed. The second run of a large scene loads its words instead of building them.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vixen/cache/persistent_cache.hpp"
#include "vixen/cache/typed_cache.hpp"
#include "vixen/core/error.hpp"
#include "vixen/voxel/brick.hpp"
#include "vixen/voxel/structure.hpp"

namespace vixen::nodes {

/// Whose files device-independent caches are (built scenes, SPIR-V): this build's, so a
/// change of what the builders make (voxel::kBuildVersion) never reads an older layout.
[[nodiscard]] cache::CacheIdentity hostCacheIdentity();

/// What names a scene file in VoxelSceneRequest::scene: "file:PATH".
inline constexpr std::string_view kSceneFilePrefix = "file:";

struct VoxelSceneRequest {
    std::string scene;  ///< a procedural scene's name, or kSceneFilePrefix + a file's path
    /// Voxels a side of a procedural scene, or along a mesh file's longest side; other files
    /// have their own size.
    std::uint32_t side = 256;
    std::uint64_t seed = 1;
    voxel::Structure structure = voxel::Structure::BrickMap;
};

/// A scene ready for VoxelSceneNode, and what it took.
struct BuiltVoxelScene {
    std::shared_ptr<const std::vector<std::uint32_t>> words;
    voxel::Structure structure = voxel::Structure::BrickMap;
    voxel::Int3 size{};
    std::uint64_t solidVoxels = 0;
    std::uint64_t bricks = 0;
    std::uint64_t uniformBricks = 0;
    double volumeSeconds = 0.0;     ///< building the volume (when it was built)
    double structureSeconds = 0.0;  ///< laying it out
    bool loaded = false;            ///< from the cache, in loadSeconds
    double loadSeconds = 0.0;

    [[nodiscard]] double density() const noexcept;
};

/// Builds a procedural scene (all cores) or imports a file's, and lays it out: what a cache
/// miss does.
[[nodiscard]] Result<BuiltVoxelScene> buildVoxelScene(const VoxelSceneRequest& request);

class VoxelSceneCache {
public:
    /// Keeps scenes under `root` (the cache root; a directory per identity below it).
    explicit VoxelSceneCache(const std::filesystem::path& root);

    /// The scene from memory or disk, or built (and kept) when it is in neither.
    [[nodiscard]] Result<BuiltVoxelScene> getOrBuild(const VoxelSceneRequest& request);
    /// Writes what was built to disk.
    [[nodiscard]] Result<void> save() { return persistent_.save(); }

    [[nodiscard]] static cache::CacheKey keyOf(const VoxelSceneRequest& request);
    [[nodiscard]] const cache::PersistentCache& persistent() const noexcept { return persistent_; }

private:
    cache::PersistentCache persistent_;
    cache::TypedCache<BuiltVoxelScene> scenes_;
};

}  // namespace vixen::nodes
