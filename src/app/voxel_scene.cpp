#include "voxel_scene.hpp"

#include <fmt/format.h>

#include <chrono>

#include "vixen/core/units.hpp"
#include "vixen/voxel/procedural.hpp"
#include "vixen/voxel/structure.hpp"

namespace vixen::app {

Result<BuiltScene> buildScene(const std::string& name, std::uint32_t side, std::uint64_t seed,
                              nodes::VoxelStructure structure) {
    const auto s = static_cast<std::int32_t>(side);
    auto scene = voxel::makeProceduralScene(name, voxel::Int3{s, s, s}, seed);
    if (!scene) {
        return std::unexpected(std::move(scene.error()));
    }
    voxel::VolumeBuildStats stats;
    auto volume = voxel::BrickVolume::build(**scene, &stats);
    if (!volume) {
        return std::unexpected(std::move(volume.error()));
    }
    BuiltScene built{std::move(*volume), nullptr, structure, stats.seconds, 0.0, stats};
    const auto started = std::chrono::steady_clock::now();
    built.words = std::make_shared<const std::vector<std::uint32_t>>(
        voxel::buildStructure(built.volume, structure));
    built.structureSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return built;
}

std::string describe(const BuiltScene& scene, const std::string& name) {
    const voxel::Int3 size = scene.volume.size();
    const std::uint64_t bytes = scene.words->size() * sizeof(std::uint32_t);
    return fmt::format(
        "scene: {} {}x{}x{}, density {:.3f}, {} bricks ({} uniform); built in {:.3f} s, {} in "
        "{:.3f} s: {} ({:.3f} bytes per solid voxel)\n",
        name, size.x, size.y, size.z, scene.volume.density(), scene.stats.bricks,
        scene.stats.uniformBricks, scene.volumeSeconds, voxel::structureName(scene.structure),
        scene.structureSeconds, core::formatBytes(bytes),
        static_cast<double>(bytes) /
            static_cast<double>(std::max<std::uint64_t>(scene.volume.solidVoxels(), 1)));
}

}  // namespace vixen::app
