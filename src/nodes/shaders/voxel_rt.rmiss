#version 460
// The voxel ray-tracing pipeline's miss: the ray hit no voxel.
#extension GL_EXT_ray_tracing : require
#extension GL_GOOGLE_include_directive : require

#include "voxel_rt_hit.glsl"

layout(location = 0) rayPayloadInEXT TracedHit traced;

void main() {
    traced.hit = 0u;
}
