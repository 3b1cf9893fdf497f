#include "vixen/nodes/voxel_scene_cache.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "vixen/core/files.hpp"
#include "vixen/voxel/brick_volume.hpp"
#include "vixen/voxel/procedural.hpp"
#include "vixen/voxel/scene_files.hpp"

namespace vixen::nodes {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// A cached scene: these header words (64-bit), then the structure's words.
enum SceneField : std::size_t {
    Structure,
    SizeX,
    SizeY,
    SizeZ,
    SolidVoxels,
    Bricks,
    UniformBricks,
    WordCount,
    FieldCount
};

std::vector<std::byte> encode(const BuiltVoxelScene& scene) {
    const std::array<std::uint64_t, FieldCount> header{static_cast<std::uint64_t>(scene.structure),
                                                       static_cast<std::uint64_t>(scene.size.x),
                                                       static_cast<std::uint64_t>(scene.size.y),
                                                       static_cast<std::uint64_t>(scene.size.z),
                                                       scene.solidVoxels,
                                                       scene.bricks,
                                                       scene.uniformBricks,
                                                       scene.words->size()};
    std::vector<std::byte> bytes(sizeof header + scene.words->size() * 4);
    std::memcpy(bytes.data(), header.data(), sizeof header);
    std::memcpy(bytes.data() + sizeof header, scene.words->data(), scene.words->size() * 4);
    return bytes;
}

Result<BuiltVoxelScene> decode(std::span<const std::byte> bytes) {
    std::array<std::uint64_t, FieldCount> header{};
    if (bytes.size() < sizeof header) {
        return fail(ErrorCode::ParseError, "{} bytes, shorter than a scene's header", bytes.size());
    }
    std::memcpy(header.data(), bytes.data(), sizeof header);
    if (header[WordCount] != (bytes.size() - sizeof header) / 4 ||
        (bytes.size() - sizeof header) % 4 != 0 || header[Structure] > 1) {
        return fail(ErrorCode::ParseError, "a scene's header does not match its {} bytes",
                    bytes.size());
    }
    BuiltVoxelScene scene;
    scene.structure = static_cast<voxel::Structure>(header[Structure]);
    scene.size = {static_cast<std::int32_t>(header[SizeX]),
                  static_cast<std::int32_t>(header[SizeY]),
                  static_cast<std::int32_t>(header[SizeZ])};
    scene.solidVoxels = header[SolidVoxels];
    scene.bricks = header[Bricks];
    scene.uniformBricks = header[UniformBricks];
    auto words = std::make_shared<std::vector<std::uint32_t>>(header[WordCount]);
    std::memcpy(words->data(), bytes.data() + sizeof header, words->size() * 4);
    scene.words = std::move(words);
    scene.loaded = true;
    return scene;
}

}  // namespace

double BuiltVoxelScene::density() const noexcept {
    const double voxels = static_cast<double>(size.x) * size.y * size.z;
    return voxels > 0.0 ? static_cast<double>(solidVoxels) / voxels : 0.0;
}

Result<BuiltVoxelScene> buildVoxelScene(const VoxelSceneRequest& request) {
    const auto s = static_cast<std::int32_t>(request.side);
    // A mesh file has no size of its own: the request's side is its resolution (and part of
    // the cache key, as for procedural scenes).
    voxel::SceneFileOptions fileOptions;
    fileOptions.meshVoxels = s;
    auto scene =
        request.scene.starts_with(kSceneFilePrefix)
            ? voxel::openSceneFile(request.scene.substr(kSceneFilePrefix.size()), fileOptions)
            : voxel::makeProceduralScene(request.scene, voxel::Int3{s, s, s}, request.seed);
    if (!scene) {
        return std::unexpected(std::move(scene.error()));
    }
    voxel::VolumeBuildStats stats;
    auto volume = voxel::BrickVolume::build(**scene, &stats);
    if (!volume) {
        return std::unexpected(std::move(volume.error()));
    }
    BuiltVoxelScene built;
    built.structure = request.structure;
    built.size = volume->size();
    built.solidVoxels = volume->solidVoxels();
    built.bricks = stats.bricks;
    built.uniformBricks = stats.uniformBricks;
    built.volumeSeconds = stats.seconds;
    const auto started = Clock::now();
    built.words = std::make_shared<const std::vector<std::uint32_t>>(
        voxel::buildStructure(*volume, request.structure));
    built.structureSeconds = secondsSince(started);
    return built;
}

cache::CacheIdentity hostCacheIdentity() {
    return cache::CacheIdentity::host(voxel::kBuildVersion);
}

VoxelSceneCache::VoxelSceneCache(const std::filesystem::path& root)
    : persistent_({root / hostCacheIdentity().directoryName(), "scenes", hostCacheIdentity(),
                   cache::CacheLayout::FilePerEntry}),
      scenes_(persistent_, {encode, decode}) {}

cache::CacheKey VoxelSceneCache::keyOf(const VoxelSceneRequest& request) {
    cache::KeyBuilder key;
    key.add("voxel scene")
        .add(voxel::kBuildVersion)
        .add(request.scene)
        .add(request.side)
        .add(request.seed)
        .add(request.structure);
    // A file's scene is what the file holds now: an edited file is another scene. (One that
    // cannot be read fails when it is built, with its own error.)
    if (request.scene.starts_with(kSceneFilePrefix)) {
        if (auto bytes = core::readBinaryFile(request.scene.substr(kSceneFilePrefix.size()))) {
            key.add(std::span<const std::byte>(*bytes));
        }
    }
    return key.key();
}

Result<BuiltVoxelScene> VoxelSceneCache::getOrBuild(const VoxelSceneRequest& request) {
    const auto started = Clock::now();
    auto scene = scenes_.getOrCreate(keyOf(request), [&] { return buildVoxelScene(request); });
    if (!scene) {
        return std::unexpected(std::move(scene.error()));
    }
    BuiltVoxelScene result = **scene;
    if (result.loaded) {
        result.loadSeconds = secondsSince(started);
    }
    return result;
}

}  // namespace vixen::nodes
