#include "vixen/voxel/structure.hpp"

#include "vixen/voxel/brick_map.hpp"
#include "vixen/voxel/sparse_octree.hpp"

namespace vixen::voxel {

std::string_view structureName(Structure structure) noexcept {
    return structure == Structure::BrickMap ? "brickmap" : "svo";
}

Result<Structure> parseStructure(std::string_view name) {
    if (name == "brickmap") {
        return Structure::BrickMap;
    }
    if (name == "svo" || name == "octree") {
        return Structure::Octree;
    }
    return fail(ErrorCode::InvalidArgument, "unknown structure '{}' (known: brickmap, svo)", name);
}

std::vector<std::uint32_t> buildStructure(const BrickVolume& volume, Structure structure) {
    return structure == Structure::BrickMap ? buildBrickMap(volume).words
                                            : buildSparseOctree(volume).words;
}

}  // namespace vixen::voxel
