#version 460
// Declares set 0, binding 1 as a uniform buffer, where textured.frag has a sampler there.
layout(set = 0, binding = 1) uniform Offsets {
    vec4 offset;
} offsets;

void main() {
    gl_Position = offsets.offset;
}
