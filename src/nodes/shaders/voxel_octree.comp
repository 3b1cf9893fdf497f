#version 460
// The sparse voxel octree ray marcher as a compute shader: one invocation per pixel.
#extension GL_GOOGLE_include_directive : require

#include "voxel_octree.glsl"
#include "voxel_compute_main.glsl"
