// Ray marching the sparse voxel octree (vixen/voxel/sparse_octree.hpp): from the root,
// descend to the brick or the largest empty octant holding the ray's position; skip an empty
// octant whole, and walk an occupied brick voxel by voxel with the exact DDA of the CPU
// reference tracer. Descending from the root each time beats keeping the path on a stack:
// the top levels stay in cache, and a stack indexed by level lives in local memory (2 to 2.5
// times slower on an H100, docs/benchmarks.md).
#include "voxel_common.glsl"

const uint kNoBrick = 0xFFFFFFFFu;

uint paletteOffset() {
    return words[8];
}

bool traceScene(vec3 o, vec3 d, float maxDistance, inout Hit hit) {
    const ivec3 size = ivec3(words[1], words[2], words[3]);
    const int depth = int(words[4]);
    const uint nodesOffset = words[5];
    const uint occupancyOffset = words[6];
    const uint materialsOffset = words[7];
    const ivec3 grid = (size + 7) >> 3;

    ivec3 step;
    vec3 inv;
    vec3 delta;
    ivec3 voxel;
    float t;
    float tExit;
    int lastAxis;
    if (!startRay(o, d, size, maxDistance, step, inv, delta, voxel, t, tExit, lastAxis)) {
        return false;
    }
    ivec3 brick = voxel >> 3;
    uint nodes = 0u;
    uint voxels = 0u;
    while (true) {
        // Descend to the brick, or to the empty octant holding it.
        uint node = 0u;
        int l = 0;
        uint slot = kNoBrick;
        uint uniformMaterial = 0u;
        int emptyLevel = 0;
        while (true) {
            ++nodes;
            const int shift = depth - l - 1;
            const uint octant = uint((brick.x >> shift) & 1) | (uint((brick.y >> shift) & 1) << 1u) |
                                (uint((brick.z >> shift) & 1) << 2u);
            const uint masks = words[nodesOffset + node * 2u + 1u];
            if ((masks & (1u << octant)) == 0u) {
                emptyLevel = l + 1;
                break;
            }
            const uint child = words[nodesOffset + node * 2u] +
                               uint(bitCount(masks & ((1u << octant) - 1u)));
            if (((masks >> 8u) & (1u << octant)) != 0u) {
                slot = words[nodesOffset + child * 2u];
                const uint leaf = words[nodesOffset + child * 2u + 1u];
                uniformMaterial = (leaf & kUniformRef) != 0u ? leaf & 0xFFu : 0u;
                break;
            }
            ++l;
            node = child;
        }
        if (slot != kNoBrick) {
            uint material;
            bool exited;
            if (walkBrick(slot, uniformMaterial, brick, o, inv, step, delta, tExit,
                          occupancyOffset, materialsOffset, t, voxel, lastAxis, voxels, material,
                          exited)) {
                reportHit(voxel, t, lastAxis, step, material, nodes, voxels, hit);
                return true;
            }
            if (exited) {
                break;
            }
            brick[lastAxis] += step[lastAxis];
        } else {
            // An empty octant of 2^s bricks a side: jump to where the ray leaves it.
            const int s = depth - emptyLevel;
            const ivec3 lo = (brick >> s) << s;
            if (!leaveEmptyBricks(o, d, inv, step, lo, lo + ((1 << s) - 1), tExit, t, lastAxis,
                                  brick, voxel)) {
                break;
            }
        }
        if (any(lessThan(brick, ivec3(0))) || any(greaterThanEqual(brick, grid))) {
            break;
        }
    }
    hit.steps += (nodes << 16u) + voxels;
    return false;
}
