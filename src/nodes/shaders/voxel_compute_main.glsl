// The compute pipeline's entry: one invocation per pixel in 8x8 workgroups, what shadePixel
// returns stored to three storage images.

#include "voxel_shade.glsl"

layout(local_size_x = 8, local_size_y = 8) in;

layout(set = 0, binding = 2, rgba8) uniform writeonly image2D colorImage;
layout(set = 0, binding = 3, r32f) uniform writeonly image2D depthImage;
layout(set = 0, binding = 4, r32ui) uniform writeonly uimage2D stepImage;

void main() {
    const uvec2 pixel = gl_GlobalInvocationID.xy;
    if (any(greaterThanEqual(pixel, params.size))) {
        return;
    }
    const Shaded shaded = shadePixel(pixel);
    imageStore(colorImage, ivec2(pixel), vec4(shaded.color, 1.0));
    imageStore(depthImage, ivec2(pixel), vec4(shaded.depth));
    imageStore(stepImage, ivec2(pixel), uvec4(shaded.steps));
}
