#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>

#include "vixen/voxel/sparse_scene.hpp"
#include "vixen/voxel/vox_file.hpp"

namespace vixen::voxel {

Result<std::unique_ptr<SceneSource>> makeVoxScene(const VoxDocument& document,
                                                  std::string_view name, std::int32_t maxSide) {
    // MagicaVoxel's z is up, VIXEN's y: (x, y, z) -> (x, z, -y), a rotation. In 64 bits:
    // placements add up translations (each within +-2^20) and models (2048 a side).
    using Long3 = std::array<std::int64_t, 3>;
    const auto worldOf = [](const VoxPlacement& placement, const VoxModel& model,
                            const VoxModel::Voxel& v) {
        const Long3 centred{std::int64_t{v.x} - model.size.x / 2,
                            std::int64_t{v.y} - model.size.y / 2,
                            std::int64_t{v.z} - model.size.z / 2};
        Long3 world{placement.translation.x, placement.translation.y, placement.translation.z};
        for (std::size_t r = 0; r < 3; ++r) {
            for (std::size_t c = 0; c < 3; ++c) {
                world[r] += std::int64_t{placement.rotation[r][c]} * centred[c];
            }
        }
        return Long3{world[0], world[2], -world[1]};
    };
    constexpr std::int64_t kFar = std::numeric_limits<std::int64_t>::max();
    Long3 low{kFar, kFar, kFar};
    Long3 high{-kFar, -kFar, -kFar};
    std::uint64_t voxels = 0;
    for (const VoxPlacement& placement : document.placements) {
        const VoxModel& model = document.models[placement.model];
        for (const VoxModel::Voxel& v : model.voxels) {
            const Long3 p = worldOf(placement, model, v);
            for (std::size_t a = 0; a < 3; ++a) {
                low[a] = std::min(low[a], p[a]);
                high[a] = std::max(high[a], p[a]);
            }
            ++voxels;
        }
    }
    if (voxels == 0) {
        return fail(ErrorCode::InvalidArgument, "{}: no visible voxel in the scene", name);
    }
    const Long3 extent{high[0] - low[0] + 1, high[1] - low[1] + 1, high[2] - low[2] + 1};
    if (extent[0] > maxSide || extent[1] > maxSide || extent[2] > maxSide) {
        return fail(ErrorCode::CapacityExceeded,
                    "{}: the scene is {}x{}x{} voxels; at most {} a side", name, extent[0],
                    extent[1], extent[2], maxSide);
    }
    // At least a brick a side, the smallest volume VIXEN builds.
    const Int3 size{std::max(static_cast<std::int32_t>(extent[0]), kBrickSide),
                    std::max(static_cast<std::int32_t>(extent[1]), kBrickSide),
                    std::max(static_cast<std::int32_t>(extent[2]), kBrickSide)};
    Palette palette;
    for (std::size_t i = 0; i < document.palette.size(); ++i) {
        const auto& rgba = document.palette[i];
        Material material;
        for (std::size_t c = 0; c < 3; ++c) {
            // sRGB bytes to linear albedo.
            material.albedo[c] = std::pow(static_cast<float>(rgba[c]) / 255.0F, 2.2F);
            material.emission[c] = material.albedo[c] * document.materials[i].emission;
        }
        material.roughness = document.materials[i].roughness;
        VIXEN_TRY(palette.add(std::move(material)));
    }
    auto scene = std::make_unique<SparseVoxelScene>(size, std::move(palette));
    for (const VoxPlacement& placement : document.placements) {
        const VoxModel& model = document.models[placement.model];
        for (const VoxModel::Voxel& v : model.voxels) {
            const Long3 p = worldOf(placement, model, v);
            scene->set(
                {static_cast<std::int32_t>(p[0] - low[0]), static_cast<std::int32_t>(p[1] - low[1]),
                 static_cast<std::int32_t>(p[2] - low[2])},
                v.colour);
        }
    }
    return std::unique_ptr<SceneSource>(std::move(scene));
}

}  // namespace vixen::voxel
