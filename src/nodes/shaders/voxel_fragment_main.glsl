// The fragment pipeline's entry: one fragment per pixel of a full-screen triangle, what
// shadePixel returns written to three colour attachments (the formats of the compute
// pipeline's images, so that both pipelines' outputs compare bit for bit).

#include "voxel_shade.glsl"

layout(location = 0) out vec4 colorOut;
layout(location = 1) out float depthOut;
layout(location = 2) out uint stepsOut;

void main() {
    // Fragment centres are at half-pixel positions: the pixel is the integer part.
    const Shaded shaded = shadePixel(uvec2(gl_FragCoord.xy));
    colorOut = vec4(shaded.color, 1.0);
    depthOut = shaded.depth;
    stepsOut = shaded.steps;
}
