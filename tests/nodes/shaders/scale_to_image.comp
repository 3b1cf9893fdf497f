#version 460
// target(x, y) = values[y * width + x] * scale: a buffer read, a float image written.
layout(local_size_x = 8, local_size_y = 8) in;

layout(set = 0, binding = 0) readonly buffer Values {
    float values[];
};
layout(set = 0, binding = 1, r32f) uniform writeonly image2D target;

layout(push_constant) uniform Params {
    uint width;
    uint height;
    float scale;
} params;

void main() {
    const uvec2 at = gl_GlobalInvocationID.xy;
    if (at.x >= params.width || at.y >= params.height) {
        return;
    }
    imageStore(target, ivec2(at), vec4(values[at.y * params.width + at.x] * params.scale));
}
