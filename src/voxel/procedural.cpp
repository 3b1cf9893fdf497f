#include "vixen/voxel/procedural.hpp"

#include <array>

#include "procedural_scenes.hpp"
#include "vixen/voxel/brick_volume.hpp"

namespace vixen::voxel {
namespace {

constexpr std::array<std::string_view, 4> kNames{"cornell", "noise", "tunnels", "cityscape"};

}  // namespace

std::span<const std::string_view> proceduralSceneNames() noexcept {
    return kNames;
}

Result<std::unique_ptr<SceneSource>> makeProceduralScene(std::string_view name, Int3 size,
                                                         std::uint64_t seed) {
    for (const std::int32_t side : {size.x, size.y, size.z}) {
        if (side < kMinVolumeSide || side > kMaxVolumeSide) {
            return fail(ErrorCode::InvalidArgument,
                        "scene '{}': {}x{}x{} voxels; each side must be {} to {}", name, size.x,
                        size.y, size.z, kMinVolumeSide, kMaxVolumeSide);
        }
    }
    if (name == "cornell") {
        return detail::makeCornell(size, seed);
    }
    if (name == "noise") {
        return detail::makeNoiseCaves(size, seed);
    }
    if (name == "tunnels") {
        return detail::makeTunnels(size, seed);
    }
    if (name == "cityscape") {
        return detail::makeCityscape(size, seed);
    }
    return fail(ErrorCode::InvalidArgument,
                "unknown scene '{}' (known: cornell, noise, tunnels, "
                "cityscape)",
                name);
}

}  // namespace vixen::voxel
