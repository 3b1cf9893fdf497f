#version 460
// The NanoVDB baseline ray marcher as a fragment shader, over a full-screen triangle
// (fullscreen.vert).
#extension GL_GOOGLE_include_directive : require

#include "voxel_nanovdb.glsl"
#include "voxel_fragment_main.glsl"
