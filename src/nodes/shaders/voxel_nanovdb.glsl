// The NanoVDB baseline (vixen/voxel/nanovdb_scene.hpp): the scene as a NanoVDB grid, walked
// by NanoVDB's own HDDA and read accessor from its portable header, PNanoVDB.h. Only this
// driver is VIXEN's: NanoVDB's firstActive (nanovdb/util/HDDA.h) with its HDDA steps taken
// as they come, looking up the voxel just past each crossing instead of a whole voxel further
// (its level-set margin), so that it finds the first solid voxel exactly, as the CPU oracle.
#include "voxel_common.glsl"

#define PNANOVDB_GLSL
#define pnanovdb_buf_data words
#include "nanovdb/PNanoVDB.h"

// How far past a crossing the voxel entered is looked up, in voxels.
const float kPastCrossing = 1e-4;

uint paletteOffset() {
    return words[4];
}

// The face entered at `point` of voxel `ijk` by a ray along `d`: the one the point lies on.
ivec3 enteredFace(vec3 point, ivec3 ijk, vec3 d) {
    const vec3 local = point - vec3(ijk);
    const vec3 fromFace = mix(1.0 - local, local, greaterThan(d, vec3(0.0)));
    const int axis = nearestAxis(mix(vec3(1e30), abs(fromFace), notEqual(d, vec3(0.0))));
    ivec3 normal = ivec3(0);
    normal[axis] = d[axis] > 0.0 ? -1 : 1;
    return normal;
}

bool traceScene(vec3 o, vec3 d, float maxDistance, inout Hit hit) {
    const pnanovdb_buf_t buf = pnanovdb_buf_t(0u);
    pnanovdb_grid_handle_t grid;
    grid.address.byte_offset = words[5] * 4u;
    const pnanovdb_root_handle_t root =
        pnanovdb_tree_get_root(buf, pnanovdb_grid_get_tree(buf, grid));
    pnanovdb_readaccessor_t acc;
    pnanovdb_readaccessor_init(acc, root);

    // Clip to the grid's active bounding box, as firstActive does; a grid with no active
    // voxel has an inverted one.
    const ivec3 activeMin = pnanovdb_root_get_bbox_min(buf, root);
    const ivec3 activeMax = pnanovdb_root_get_bbox_max(buf, root);
    if (any(greaterThan(activeMin, activeMax))) {
        return false;
    }
    const vec3 boxMin = vec3(activeMin);
    const vec3 boxMax = vec3(activeMax + 1);
    float tmin = 0.0;
    float tmax = maxDistance;
    if (!pnanovdb_hdda_ray_clip(boxMin, boxMax, o, tmin, d, tmax) || tmax > 1e20) {
        return false;
    }
    float t = tmin;
    ivec3 ijk = pnanovdb_hdda_pos_to_ijk(pnanovdb_hdda_ray_start(o, t, d));
    pnanovdb_hdda_t hdda;
    int dim = int(pnanovdb_readaccessor_get_dim(PNANOVDB_GRID_TYPE_FP8, buf, acc, ijk));
    pnanovdb_hdda_init(hdda, o, tmin, d, tmax, dim);
    uint nodes = 0u;
    uint voxels = 0u;
    while (!pnanovdb_readaccessor_is_active(PNANOVDB_GRID_TYPE_FP8, buf, acc, ijk)) {
        if (dim > 1) {
            ++nodes;
        } else {
            ++voxels;
        }
        if (!pnanovdb_hdda_step(hdda)) {
            hit.steps += (nodes << 16u) + voxels;
            return false;
        }
        t = hdda.tmin;
        ijk = pnanovdb_hdda_pos_to_ijk(pnanovdb_hdda_ray_start(o, t + kPastCrossing, d));
        dim = int(pnanovdb_readaccessor_get_dim(PNANOVDB_GRID_TYPE_FP8, buf, acc, ijk));
        pnanovdb_hdda_update(hdda, o, d, dim);
    }
    ++voxels;
    uint level;
    const pnanovdb_address_t value = pnanovdb_readaccessor_get_value_address_and_level(
        PNANOVDB_GRID_TYPE_FP8, buf, acc, ijk, level);
    hit.voxel = ijk;
    hit.distance = t;
    hit.normal = enteredFace(o + t * d, ijk, d);
    // Materials are whole numbers, quantised to 8 bits within each leaf: round them back.
    hit.material = uint(pnanovdb_root_fp8_read_float(buf, value, ijk, level) + 0.5);
    hit.steps += (nodes << 16u) + voxels;
    return true;
}
