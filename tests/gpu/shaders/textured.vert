#version 460
// With textured.frag: a vertex and fragment pair sharing a uniform buffer.
layout(set = 0, binding = 0) uniform Camera {
    mat4 viewProjection;
    vec4 time;
} camera;

layout(push_constant) uniform Push {
    mat4 model;
} push;

layout(location = 0) in vec3 position;
layout(location = 1) in vec2 uv;
layout(location = 0) out vec2 outUv;

void main() {
    outUv = uv + camera.time.xy;
    gl_Position = camera.viewProjection * push.model * vec4(position, 1.0);
}
