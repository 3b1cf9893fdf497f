// What the voxel ray-tracing pipeline's shaders pass each other: the intersection shader
// reports the voxel hit as attributes (its coordinates, and its material with the face the
// ray entered it through), the closest-hit shader copies them into the ray's payload.

struct TracedHit {
    ivec3 voxel;
    float distance;
    uint face;  // packFace
    uint hit;   // 0: the ray missed
};

// The material (bits 0-7), the axis crossed into the voxel + 1 (bits 8-9; 0: the ray started
// inside) and whether the ray went the positive way along it (bit 10).
uint packFace(uint material, int lastAxis, ivec3 step) {
    uint face = material | (uint(lastAxis + 1) << 8u);
    if (lastAxis >= 0 && step[lastAxis] > 0) {
        face |= 1u << 10u;
    }
    return face;
}

// The face's normal, pointing back at the ray (zero from inside), as Hit.normal.
ivec3 unpackNormal(uint face) {
    ivec3 normal = ivec3(0);
    const int axis = int((face >> 8u) & 3u) - 1;
    if (axis >= 0) {
        normal[axis] = (face & (1u << 10u)) != 0u ? -1 : 1;
    }
    return normal;
}
