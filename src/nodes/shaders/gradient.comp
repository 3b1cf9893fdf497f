#version 460
// A moving diagonal gradient written to a storage image: the compute source of the sample
// GPU graph. One invocation per pixel; `phase` animates it frame by frame.
layout(local_size_x = 8, local_size_y = 8) in;

layout(set = 0, binding = 0, rgba8) uniform writeonly image2D target;

layout(push_constant) uniform Params {
    uvec2 size;
    float phase;
} params;

void main() {
    const uvec2 pixel = gl_GlobalInvocationID.xy;
    if (any(greaterThanEqual(pixel, params.size))) {
        return;
    }
    const vec2 uv = (vec2(pixel) + 0.5) / vec2(params.size);
    const float wave = 0.5 + 0.5 * sin(6.2831853 * (uv.x + uv.y) + params.phase);
    imageStore(target, ivec2(pixel), vec4(uv.x, uv.y * wave, 1.0 - uv.x, 1.0));
}
