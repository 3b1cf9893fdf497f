#version 460
// A workgroup width from specialization constant 0 (default 32): SPIR-V 1.6 LocalSizeId.
layout(local_size_x_id = 0, local_size_x = 32, local_size_y = 2) in;

layout(set = 0, binding = 0) buffer Output {
    uint values[];
} outputs;

void main() {
    outputs.values[gl_GlobalInvocationID.x] = gl_LocalInvocationIndex;
}
