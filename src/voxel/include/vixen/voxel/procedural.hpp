#pragma once

// The procedural scenes VIXEN benchmarks (those of the reference engine): each from a size
// and a seed, answering for whole boxes where it can so that large volumes build quickly.
//   cornell    a Cornell box: red and green side walls, a ceiling light, two blocks
//   noise      caves carved by 3D fBm value noise (evaluated on a 4-voxel lattice,
//              trilinear in between)
//   tunnels    solid rock crossed by winding tunnels along x and z
//   cityscape  a street grid of blocks, each with four buildings of seeded heights

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "vixen/core/error.hpp"
#include "vixen/voxel/scene.hpp"

namespace vixen::voxel {

[[nodiscard]] std::span<const std::string_view> proceduralSceneNames() noexcept;

/// The scene `name` of `size` voxels (each side 8 to 4096). InvalidArgument names an unknown
/// scene (and lists the known ones) or a bad size.
[[nodiscard]] Result<std::unique_ptr<SceneSource>> makeProceduralScene(std::string_view name,
                                                                       Int3 size,
                                                                       std::uint64_t seed = 1);

}  // namespace vixen::voxel
