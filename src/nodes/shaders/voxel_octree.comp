#version 460
// Ray marching the sparse voxel octree (vixen/voxel/sparse_octree.hpp): from the deepest node
// the ray's last brick shares with its next one, descend to the brick or the largest empty
// octant holding the ray's position; skip an empty octant whole, and walk an occupied brick
// voxel by voxel with the exact DDA of the CPU reference tracer.
#extension GL_GOOGLE_include_directive : require

#include "voxel_common.glsl"

const uint kNoBrick = 0xFFFFFFFFu;

uint paletteOffset() {
    return words[9];
}

bool traceScene(vec3 o, vec3 d, float maxDistance, inout Hit hit) {
    const ivec3 size = ivec3(words[1], words[2], words[3]);
    const int depth = int(words[4]);
    const uint nodesOffset = words[5];
    const uint occupancyOffset = words[6];
    const uint refsOffset = words[7];
    const uint materialsOffset = words[8];
    const ivec3 grid = (size + 7) >> 3;

    float tEnter;
    float tExit;
    int enterAxis;
    if (!enterBox(o, d, vec3(size), maxDistance, tEnter, tExit, enterAxis)) {
        return false;
    }
    const ivec3 step = ivec3(sign(d));
    const vec3 delta = vec3(d.x != 0.0 ? abs(1.0 / d.x) : 1e30, d.y != 0.0 ? abs(1.0 / d.y) : 1e30,
                            d.z != 0.0 ? abs(1.0 / d.z) : 1e30);
    ivec3 voxel = clamp(ivec3(floor(o + tEnter * d)), ivec3(0), size - 1);
    if (enterAxis >= 0) {
        voxel[enterAxis] = step[enterAxis] > 0 ? 0 : size[enterAxis] - 1;
    }
    float t = tEnter;
    int lastAxis = enterAxis;
    ivec3 brick = voxel >> 3;
    uint path[16];  // path[l]: the node at level l above the current brick
    path[0] = 0u;
    int level = 0;  // path[0..level] holds for the current brick
    uint nodes = 0u;
    uint voxels = 0u;
    while (true) {
        // Descend to the brick, or to the empty octant holding it.
        uint node = path[level];
        int l = level;
        uint brickIndex = kNoBrick;
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
                brickIndex = words[nodesOffset + child * 2u];
                break;
            }
            ++l;
            path[l] = child;
            node = child;
        }
        level = l;
        const ivec3 previous = brick;
        if (brickIndex != kNoBrick) {
            uint material;
            bool exited;
            if (walkBrick(brickIndex, brick, o, d, step, delta, tExit, occupancyOffset, refsOffset,
                          materialsOffset, t, voxel, lastAxis, voxels, material, exited)) {
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
            const ivec3 hi = lo + ((1 << s) - 1);
            vec3 next;
            for (int a = 0; a < 3; ++a) {
                const int boundary = step[a] > 0 ? hi[a] + 1 : lo[a];
                next[a] = step[a] == 0 ? 1e30 : (float(boundary * 8) - o[a]) / d[a];
            }
            const int a = nearestAxis(next);
            t = next[a];
            lastAxis = a;
            if (t > tExit) {
                break;
            }
            const int crossed = step[a] > 0 ? hi[a] + 1 : lo[a] - 1;
            brick = clamp(ivec3(floor((o + t * d) / 8.0)), lo, hi);
            brick[a] = crossed;
            for (int b = 0; b < 3; ++b) {
                if (b == a) {
                    voxel[b] = step[b] > 0 ? brick[b] * 8 : brick[b] * 8 + 7;
                } else {
                    voxel[b] = clamp(int(floor(o[b] + t * d[b])), brick[b] * 8, brick[b] * 8 + 7);
                }
            }
        }
        if (any(lessThan(brick, ivec3(0))) || any(greaterThanEqual(brick, grid))) {
            break;
        }
        // Keep the nodes the new brick shares with the last: those above the highest bit
        // in which their coordinates differ.
        const ivec3 moved = previous ^ brick;
        const int highest = findMSB(moved.x | moved.y | moved.z);
        level = min(level, depth - highest - 1);
    }
    hit.steps += (nodes << 16u) + voxels;
    return false;
}
