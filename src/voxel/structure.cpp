#include "vixen/voxel/structure.hpp"

#include "vixen/voxel/brick_map.hpp"
#include "vixen/voxel/nanovdb_scene.hpp"
#include "vixen/voxel/sparse_octree.hpp"

namespace vixen::voxel {

std::string_view structureName(Structure structure) noexcept {
    switch (structure) {
        case Structure::BrickMap:
            return "brickmap";
        case Structure::Octree:
            return "svo";
        case Structure::NanoVdb:
            return "nanovdb";
    }
    return "?";
}

Result<Structure> parseStructure(std::string_view name) {
    if (name == "brickmap") {
        return Structure::BrickMap;
    }
    if (name == "svo" || name == "octree") {
        return Structure::Octree;
    }
    if (name == "nanovdb") {
        return Structure::NanoVdb;
    }
    return fail(ErrorCode::InvalidArgument,
                "unknown structure '{}' (known: brickmap, svo, nanovdb)", name);
}

std::vector<std::uint32_t> buildStructure(const BrickVolume& volume, Structure structure) {
    switch (structure) {
        case Structure::BrickMap:
            return buildBrickMap(volume).words;
        case Structure::Octree:
            return buildSparseOctree(volume).words;
        case Structure::NanoVdb:
            return buildNanoVdbScene(volume).words;
    }
    return {};
}

}  // namespace vixen::voxel
