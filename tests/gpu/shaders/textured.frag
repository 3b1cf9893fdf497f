#version 460
// With textured.vert: samples a combined image sampler, reads the shared uniform buffer
// and the part of the push-constant block past the vertex shader's matrix.
layout(set = 0, binding = 0) uniform Camera {
    mat4 viewProjection;
    vec4 time;
} camera;
layout(set = 0, binding = 1) uniform sampler2D albedo;

layout(push_constant) uniform Push {
    layout(offset = 64) vec4 tint;
} push;

layout(location = 0) in vec2 uv;
layout(location = 0) out vec4 colour;

void main() {
    colour = texture(albedo, uv) * push.tint * camera.time.z;
}
