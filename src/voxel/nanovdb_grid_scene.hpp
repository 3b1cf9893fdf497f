#pragma once

// A NanoVDB float grid as a scene, for the readers of .nvdb and .vdb files.

#include <cstdint>
#include <memory>
#include <string_view>

#include "vixen/core/error.hpp"
#include "vixen/voxel/detail/nanovdb.hpp"
#include "vixen/voxel/scene.hpp"

namespace vixen::voxel {

/// The float grid of `handle` as a scene of one material, its active bounding box moved to
/// the origin: a level set solid where negative, another grid where active above
/// `threshold`. Errors name `name`: InvalidArgument for a grid with no active voxel,
/// CapacityExceeded past `maxSide` voxels a side.
[[nodiscard]] Result<std::unique_ptr<SceneSource>> nanoVdbGridScene(nanovdb::GridHandle<> handle,
                                                                    float threshold,
                                                                    std::int32_t maxSide,
                                                                    std::string_view name);

}  // namespace vixen::voxel
