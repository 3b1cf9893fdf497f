// What every voxel ray marcher shares, whichever pipeline runs it: the scene and camera
// bindings, the primary ray (the same float arithmetic as vixen::voxel::primaryRay), the hit
// it reports, and the walks through bricks. A structure's file (voxel_brickmap.glsl) includes
// this and defines `bool traceScene(vec3 origin, vec3 direction, float maxDistance, inout Hit
// hit)` and `uint paletteOffset()`, which voxel_shade.glsl shades with; the ray-tracing
// pipeline defines them with traceRayEXT (voxel_rt.rgen), its intersection shader walks one
// brick (voxel_rt_brick.rint).

layout(std430, set = 0, binding = 0) readonly buffer SceneWords {
    uint words[];
};
layout(std430, set = 0, binding = 1) readonly buffer CameraBlock {
    vec4 eye;
    vec4 forward;
    vec4 right;  // scaled to the image plane at distance 1
    vec4 up;
} camera;

const uint kShadows = 1u;

layout(push_constant) uniform Params {
    uvec2 size;
    uint flags;
    uint pad;
    vec4 light;  // xyz: unit direction towards the light; w: ambient term
} params;

struct Hit {
    ivec3 voxel;
    float distance;  // along the unit direction, to where the ray enters the voxel
    ivec3 normal;    // the face entered, pointing back at the ray (zero from inside)
    uint material;
    uint steps;      // bricks (or nodes) and voxels visited, all rays of the pixel
};

vec3 primaryDirection(uvec2 pixel) {
    const float sx = 2.0 * (float(pixel.x) + 0.5) / float(params.size.x) - 1.0;
    const float sy = 1.0 - 2.0 * (float(pixel.y) + 0.5) / float(params.size.y);
    return camera.forward.xyz + sx * camera.right.xyz + sy * camera.up.xyz;
}

// The axis whose next boundary comes first; ties go to the lowest axis (as the CPU tracer).
int nearestAxis(vec3 next) {
    int axis = 0;
    if (next.y < next[axis]) {
        axis = 1;
    }
    if (next.z < next[axis]) {
        axis = 2;
    }
    return axis;
}

// The ray's entry into the box [0, size): the distance and the face crossed (-1: inside).
bool enterBox(vec3 o, vec3 d, vec3 size, float maxDistance, out float tEnter, out float tExit,
              out int enterAxis) {
    tEnter = 0.0;
    tExit = maxDistance;
    enterAxis = -1;
    for (int a = 0; a < 3; ++a) {
        if (d[a] == 0.0) {
            if (o[a] < 0.0 || o[a] >= size[a]) {
                return false;
            }
            continue;
        }
        float t0 = (0.0 - o[a]) / d[a];
        float t1 = (size[a] - o[a]) / d[a];
        if (t0 > t1) {
            const float swap = t0;
            t0 = t1;
            t1 = swap;
        }
        if (t0 > tEnter) {
            tEnter = t0;
            enterAxis = a;
        }
        tExit = min(tExit, t1);
    }
    return tEnter < tExit;
}

// Where the ray (origin `o`, direction `d`) enters the volume [0, size) before `maxDistance`:
// the distance `t`, the voxel and the axis crossed (-1: it starts inside), where it leaves
// (`tExit`), and what a DDA steps with: the sign per axis, the direction's reciprocals
// (computed once, so that stepping multiplies) and the distance between boundaries. False
// when it misses the volume.
bool startRay(vec3 o, vec3 d, ivec3 size, float maxDistance, out ivec3 step, out vec3 inv,
              out vec3 delta, out ivec3 voxel, out float t, out float tExit, out int lastAxis) {
    float tEnter;
    if (!enterBox(o, d, vec3(size), maxDistance, tEnter, tExit, lastAxis)) {
        return false;
    }
    step = ivec3(sign(d));
    inv = vec3(d.x != 0.0 ? 1.0 / d.x : 0.0, d.y != 0.0 ? 1.0 / d.y : 0.0,
               d.z != 0.0 ? 1.0 / d.z : 0.0);
    delta = vec3(d.x != 0.0 ? abs(inv.x) : 1e30, d.y != 0.0 ? abs(inv.y) : 1e30,
                 d.z != 0.0 ? abs(inv.z) : 1e30);
    voxel = clamp(ivec3(floor(o + tEnter * d)), ivec3(0), size - 1);
    if (lastAxis >= 0) {
        voxel[lastAxis] = step[lastAxis] > 0 ? 0 : size[lastAxis] - 1;
    }
    t = tEnter;
    return true;
}

// Leaves the empty box of bricks [lo, hi] the ray is in: the distance `t` and the axis
// `lastAxis` where it leaves, and the brick and voxel it enters there. False when that is past
// `tExit`.
bool leaveEmptyBricks(vec3 o, vec3 d, vec3 inv, ivec3 step, ivec3 lo, ivec3 hi, float tExit,
                      inout float t, inout int lastAxis, inout ivec3 brick, inout ivec3 voxel) {
    vec3 next;
    for (int a = 0; a < 3; ++a) {
        const int boundary = step[a] > 0 ? hi[a] + 1 : lo[a];
        next[a] = step[a] == 0 ? 1e30 : (float(boundary * 8) - o[a]) * inv[a];
    }
    const int a = nearestAxis(next);
    t = next[a];
    lastAxis = a;
    if (t > tExit) {
        return false;
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
    return true;
}

vec3 paletteAlbedo(uint paletteOffset, uint material) {
    const uint base = paletteOffset + material * 8u;
    return vec3(uintBitsToFloat(words[base]), uintBitsToFloat(words[base + 1u]),
                uintBitsToFloat(words[base + 2u]));
}

vec3 paletteEmission(uint paletteOffset, uint material) {
    const uint base = paletteOffset + material * 8u + 4u;
    return vec3(uintBitsToFloat(words[base]), uintBitsToFloat(words[base + 1u]),
                uintBitsToFloat(words[base + 2u]));
}

const uint kUniformRef = 0x80000000u;

// Walks the ray (origin `o`, direction reciprocals `inv`) voxel by voxel through the brick
// at brick coordinates `brick`, stored in `slot`, from `voxel`, entered at distance `t`
// through axis `lastAxis`: true at the first solid voxel, with its material; false when the
// ray leaves the brick (through `lastAxis`) or passes `tExit` (`exited`). A full brick of one
// material (`uniformMaterial` not 0) has no slot and needs no walk: the voxel entered is
// solid. Occupancy is read a z slice (two words) at a time, the slot's materials only at a
// hit.
bool walkBrick(uint slot, uint uniformMaterial, ivec3 brick, vec3 o, vec3 inv, ivec3 step,
               vec3 delta, float tExit, uint occupancyOffset, uint materialsOffset,
               inout float t, inout ivec3 voxel, inout int lastAxis, inout uint voxels,
               out uint material, out bool exited) {
    exited = false;
    material = uniformMaterial;
    if (uniformMaterial != 0u) {
        if (t > tExit) {
            exited = true;
            return false;
        }
        ++voxels;
        return true;
    }
    vec3 next;
    for (int a = 0; a < 3; ++a) {
        next[a] = step[a] == 0 ? 1e30 : (float(voxel[a] + (step[a] > 0 ? 1 : 0)) - o[a]) * inv[a];
    }
    const uint occupancy = occupancyOffset + slot * 16u;
    ivec3 local = voxel - brick * 8;
    uvec2 slice = uvec2(words[occupancy + uint(local.z) * 2u],
                        words[occupancy + uint(local.z) * 2u + 1u]);
    while (t <= tExit) {
        ++voxels;
        const uint bit = uint(local.x + 8 * local.y);
        if ((((bit < 32u ? slice.x : slice.y) >> (bit & 31u)) & 1u) != 0u) {
            const uint index = uint(local.x + 8 * (local.y + 8 * local.z));
            material = (words[materialsOffset + slot * 128u + (index >> 2u)] >> (8u * (index & 3u))) &
                       0xFFu;
            return true;
        }
        const int a = nearestAxis(next);
        t = next[a];
        voxel[a] += step[a];
        local[a] += step[a];
        next[a] += delta[a];
        lastAxis = a;
        if (uint(local[a]) > 7u) {
            return false;
        }
        if (a == 2) {
            slice = uvec2(words[occupancy + uint(local.z) * 2u],
                          words[occupancy + uint(local.z) * 2u + 1u]);
        }
    }
    exited = true;
    return false;
}

// Fills `hit` for a solid voxel found by walkBrick.
void reportHit(ivec3 voxel, float t, int lastAxis, ivec3 step, uint material, uint coarse,
               uint voxels, inout Hit hit) {
    hit.voxel = voxel;
    hit.distance = t;
    hit.normal = ivec3(0);
    if (lastAxis >= 0) {
        hit.normal[lastAxis] = -step[lastAxis];
    }
    hit.material = material;
    hit.steps += (coarse << 16u) + voxels;
}
