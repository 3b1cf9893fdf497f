#version 460
// A full-screen triangle from gl_VertexIndex alone, with a push-constant block it shares with
// two_outputs.frag.
layout(push_constant) uniform Push {
    vec4 tint;
} push;

void main() {
    const vec2 corner = vec2((gl_VertexIndex << 1) & 2, gl_VertexIndex & 2);
    gl_Position = vec4(corner * 2.0 - 1.0, push.tint.w * 0.0, 1.0);
}
