// The NanoVDB baseline (vixen/voxel/nanovdb_scene.hpp): the scene as a NanoVDB grid, walked
// by NanoVDB's own HDDA and read accessor from its portable header, PNanoVDB.h. Only this
// driver is VIXEN's: NanoVDB's firstActive (nanovdb/util/HDDA.h) with its HDDA steps taken
// as they come, looking up the voxel entered (the HDDA's own at voxel level, the one just
// past the crossing after a node) instead of a whole voxel further (its level-set margin),
// so that it finds the first solid voxel exactly, as the CPU oracle.
#include "voxel_common.glsl"

#define PNANOVDB_GLSL
#define pnanovdb_buf_data words
#include "nanovdb/PNanoVDB.h"

// How far past a node's crossing the voxel entered is looked up: in voxels, and relative to
// the distance (a float's rounding there is about 1.2e-7 of it).
const float kPastCrossing = 1e-4;
const float kPastCrossingRelative = 2e-6;

uint paletteOffset() {
    return words[4];
}

// Where the ray enters voxel `ijk` (the latest of its entries into the voxel's three slabs)
// and the face it enters through (pointing back at the ray); exact, where the HDDA's own
// distance adds up rounding over its steps.
float enterVoxel(vec3 o, vec3 d, ivec3 ijk, out ivec3 normal) {
    float t = -1e30;
    int axis = 0;
    for (int a = 0; a < 3; ++a) {
        if (d[a] != 0.0) {
            const float plane = float(ijk[a]) + (d[a] > 0.0 ? 0.0 : 1.0);
            const float enter = (plane - o[a]) / d[a];
            if (enter > t) {
                t = enter;
                axis = a;
            }
        }
    }
    normal = ivec3(0);
    normal[axis] = d[axis] > 0.0 ? -1 : 1;
    return t;
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
    ivec3 ijk = pnanovdb_hdda_pos_to_ijk(pnanovdb_hdda_ray_start(o, tmin, d));
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
        // At voxel level the HDDA's own voxel is exact; past a node's crossing, the voxel just
        // beyond it (far enough to be past the rounding of the position there).
        if (hdda.dim == 1) {
            ijk = hdda.voxel;
        } else {
            const float past = max(kPastCrossing, hdda.tmin * kPastCrossingRelative);
            ijk = pnanovdb_hdda_pos_to_ijk(pnanovdb_hdda_ray_start(o, hdda.tmin + past, d));
        }
        dim = int(pnanovdb_readaccessor_get_dim(PNANOVDB_GRID_TYPE_FP8, buf, acc, ijk));
        pnanovdb_hdda_update(hdda, o, d, dim);
    }
    ++voxels;
    uint level;
    const pnanovdb_address_t value = pnanovdb_readaccessor_get_value_address_and_level(
        PNANOVDB_GRID_TYPE_FP8, buf, acc, ijk, level);
    hit.voxel = ijk;
    hit.distance = max(enterVoxel(o, d, ijk, hit.normal), 0.0);
    // Materials are whole numbers, quantised to 8 bits within each leaf: round them back.
    hit.material = uint(pnanovdb_root_fp8_read_float(buf, value, ijk, level) + 0.5);
    hit.steps += (nodes << 16u) + voxels;
    return true;
}
