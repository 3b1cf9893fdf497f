#version 460
// target(x, y) = 1 - source(x, y) in every channel but alpha: a compute node with an image
// input, for the async compute tests.
layout(local_size_x = 8, local_size_y = 8) in;

layout(set = 0, binding = 0, rgba8) uniform readonly image2D source;
layout(set = 0, binding = 1, rgba8) uniform writeonly image2D target;

layout(push_constant) uniform Params {
    uvec2 size;
} params;

void main() {
    const uvec2 pixel = gl_GlobalInvocationID.xy;
    if (any(greaterThanEqual(pixel, params.size))) {
        return;
    }
    const vec4 value = imageLoad(source, ivec2(pixel));
    imageStore(target, ivec2(pixel), vec4(1.0 - value.rgb, value.a));
}
