#version 460
// The NanoVDB baseline ray marcher as a compute shader: one invocation per pixel.
#extension GL_GOOGLE_include_directive : require

#include "voxel_nanovdb.glsl"
#include "voxel_compute_main.glsl"
