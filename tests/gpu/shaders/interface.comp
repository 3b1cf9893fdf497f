#version 460
// Declares one of most descriptor kinds, set 2 left empty, for the reflection tests.
layout(local_size_x = 8, local_size_y = 4, local_size_z = 2) in;

layout(set = 0, binding = 0) buffer Output {
    uint values[];
} outputBuffer;
layout(set = 0, binding = 1, rgba8) uniform writeonly image2D targetImage;
layout(set = 0, binding = 2, r32f) uniform writeonly imageBuffer texels;
layout(set = 0, binding = 3) uniform textureBuffer lookup;

layout(set = 1, binding = 0) uniform Params {
    vec4 tint;
    uint frame;
} params;
layout(set = 1, binding = 2) uniform texture2D textures[4];

layout(set = 3, binding = 0) uniform sampler linearSampler;

layout(push_constant) uniform Push {
    uint count;
    float scale;
    vec2 offset;
} push;

void main() {
    const ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
    vec4 colour = params.tint * push.scale;
    for (int i = 0; i < 4; ++i) {
        colour += texture(sampler2D(textures[i], linearSampler), vec2(pixel) + push.offset);
    }
    colour.x += texelFetch(lookup, pixel.x).x;
    imageStore(targetImage, pixel, colour);
    imageStore(texels, pixel.x, colour);
    if (gl_GlobalInvocationID.x < push.count) {
        outputBuffer.values[gl_GlobalInvocationID.x] = params.frame;
    }
}
