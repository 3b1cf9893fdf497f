#version 460
// Two colour outputs (locations 0 and 1) and a storage buffer: what GraphicsPipeline reflects.
layout(set = 0, binding = 0) readonly buffer Scale {
    float scale;
} scale;

layout(push_constant) uniform Push {
    vec4 tint;
} push;

layout(location = 0) out vec4 colour;
layout(location = 1) out uint index;

void main() {
    colour = push.tint * scale.scale;
    index = uint(gl_FragCoord.x) + 1000u * uint(gl_FragCoord.y);
}
