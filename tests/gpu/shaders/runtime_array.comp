#version 460
// A runtime-sized descriptor array, which reflectShader refuses with a clear error.
#extension GL_EXT_nonuniform_qualifier : require
layout(local_size_x = 1) in;

layout(set = 0, binding = 0) uniform texture2D textures[];
layout(set = 0, binding = 1) uniform sampler linearSampler;
layout(set = 0, binding = 2) buffer Output {
    vec4 values[];
} outputs;

void main() {
    const uint i = gl_GlobalInvocationID.x;
    outputs.values[i] = textureLod(sampler2D(textures[nonuniformEXT(i)], linearSampler),
                                   vec2(0.5), 0.0);
}
