#version 460
// The voxel ray-tracing pipeline's closest hit: the intersection shader's attributes into
// the ray's payload.
#extension GL_EXT_ray_tracing : require
#extension GL_GOOGLE_include_directive : require

#include "voxel_rt_hit.glsl"

layout(location = 0) rayPayloadInEXT TracedHit traced;
hitAttributeEXT ivec4 attributes;

void main() {
    traced.voxel = attributes.xyz;
    traced.distance = gl_HitTEXT;
    traced.face = uint(attributes.w);
    traced.hit = 1u;
}
