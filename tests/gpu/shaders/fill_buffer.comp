#version 460
// out[i] = in[i] * multiplier + addend for the first `count` elements: the dispatch test.
layout(local_size_x = 64) in;

layout(set = 0, binding = 0) readonly buffer Input {
    uint values[];
} inputs;

layout(set = 0, binding = 1) writeonly buffer Output {
    uint values[];
} outputs;

layout(push_constant) uniform Push {
    uint count;
    uint multiplier;
    uint addend;
} push;

void main() {
    const uint i = gl_GlobalInvocationID.x;
    if (i < push.count) {
        outputs.values[i] = inputs.values[i] * push.multiplier + push.addend;
    }
}
