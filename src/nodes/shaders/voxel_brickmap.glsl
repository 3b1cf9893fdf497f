// Ray marching the two-level brick map (vixen/voxel/brick_map.hpp): a DDA over bricks that
// skips the cube of empty bricks each empty cell's distance allows, and an exact voxel DDA
// (Amanatides-Woo, as the CPU reference tracer) inside occupied bricks.
#include "voxel_common.glsl"

const uint kEmptyCell = 0x80000000u;
const uint kUniformCell = 0x40000000u;

uint paletteOffset() {
    return words[10];
}

bool traceScene(vec3 o, vec3 d, float maxDistance, inout Hit hit) {
    const ivec3 size = ivec3(words[1], words[2], words[3]);
    const ivec3 grid = ivec3(words[4], words[5], words[6]);
    const uint gridOffset = words[7];
    const uint occupancyOffset = words[8];
    const uint materialsOffset = words[9];

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
    uint bricks = 0u;
    uint voxels = 0u;
    while (true) {
        ++bricks;
        const uint cell = words[gridOffset + uint(brick.x + grid.x * (brick.y + grid.y * brick.z))];
        if ((cell & kEmptyCell) == 0u) {
            uint material;
            bool exited;
            const uint uniformMaterial = (cell & kUniformCell) != 0u ? cell & 0xFFu : 0u;
            if (walkBrick(cell, uniformMaterial, brick, o, inv, step, delta, tExit,
                          occupancyOffset, materialsOffset, t, voxel, lastAxis, voxels, material,
                          exited)) {
                reportHit(voxel, t, lastAxis, step, material, bricks, voxels, hit);
                return true;
            }
            if (exited) {
                break;
            }
            brick[lastAxis] += step[lastAxis];
        } else {
            // An empty cell: the cube of distance - 1 bricks around it is empty too; jump to
            // where the ray leaves that cube.
            const int reach = int(cell & 0xFFu) - 1;
            if (!leaveEmptyBricks(o, d, inv, step, brick - reach, brick + reach, tExit, t,
                                  lastAxis, brick, voxel)) {
                break;
            }
        }
        if (any(lessThan(brick, ivec3(0))) || any(greaterThanEqual(brick, grid))) {
            break;
        }
    }
    hit.steps += (bricks << 16u) + voxels;
    return false;
}
