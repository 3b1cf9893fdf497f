#version 460
// Temporal accumulation of jittered frames (TaaNode). Still camera: a running average of
// every frame since the camera stopped (weight 1/n, n capped), which converges to the
// supersampled image. Moving camera: the surface a pixel sees (its jittered ray and depth)
// is projected into the previous unjittered camera, the history is read there (Catmull-Rom),
// clamped to the current 3x3 neighbourhood's colour box (what disocclusion and lighting
// changes leave behind falls outside it) and blended with weight 1/n, n capped lower; where
// the previous frame's depth there says it saw another surface, the history is dropped.
// No valid history: the current frame. The accumulation's alpha counts the samples.
layout(local_size_x = 8, local_size_y = 8) in;

layout(set = 0, binding = 0, rgba8) uniform readonly image2D currentColor;
layout(set = 0, binding = 1, r32f) uniform readonly image2D currentDepth;
layout(std430, set = 0, binding = 2) readonly buffer TemporalCamera {
    vec4 tracedEye;
    vec4 tracedForward;
    vec4 tracedRight;
    vec4 tracedUp;
    vec4 eye;
    vec4 forward;
    vec4 right;
    vec4 up;
    vec4 previousEye;
    vec4 previousForward;
    vec4 previousRight;
    vec4 previousUp;
    vec4 jitter;
    uvec4 stillFrames;
} camera;
layout(set = 0, binding = 3, rgba8) uniform writeonly image2D resolved;
layout(set = 0, binding = 4, rgba16f) uniform writeonly image2D accumulated;
layout(set = 0, binding = 5, rgba16f) uniform readonly image2D history;
layout(set = 0, binding = 6, r32f) uniform writeonly image2D depthNow;
layout(set = 0, binding = 7, r32f) uniform readonly image2D depthBefore;

layout(push_constant) uniform Params {
    uvec2 size;
    uint historyValid;
    uint stillCap;
    uint movingCap;
} params;

// Where the surface seen through `pixel` was in the previous frame, in pixel coordinates
// (pixel centres at integers), and how far from the previous eye (-1: the sky); false when
// it was behind that camera or off its image.
bool reproject(ivec2 pixel, float depth, out vec2 previous, out float previousDepth) {
    const vec2 size = vec2(params.size);
    const float sx = 2.0 * (float(pixel.x) + 0.5) / size.x - 1.0;
    const float sy = 1.0 - 2.0 * (float(pixel.y) + 0.5) / size.y;
    const vec3 direction =
        normalize(camera.tracedForward.xyz + sx * camera.tracedRight.xyz + sy * camera.tracedUp.xyz);
    // A miss is at infinity: only its direction moves with the camera.
    const vec3 seen = depth >= 0.0
                          ? camera.tracedEye.xyz + direction * depth - camera.previousEye.xyz
                          : direction;
    previousDepth = depth >= 0.0 ? length(seen) : -1.0;
    const float along = dot(seen, camera.previousForward.xyz);
    if (along <= 0.0) {
        return false;
    }
    const vec3 right = camera.previousRight.xyz;
    const vec3 up = camera.previousUp.xyz;
    const float px = dot(seen, right) / (along * dot(right, right));
    const float py = dot(seen, up) / (along * dot(up, up));
    previous = vec2((px + 1.0) * 0.5 * size.x - 0.5, (1.0 - py) * 0.5 * size.y - 0.5);
    return all(greaterThanEqual(previous, vec2(-0.5))) && all(lessThan(previous, size - 0.5));
}

// The history at `at` through a Catmull-Rom filter (16 taps): bilinear reads would blur the
// image a little more every frame the camera moves.
// Whether the previous frame saw the same surface (or the sky) around `at`: one of the four
// nearest pixels' depths agrees with the expected distance. A surface revealed only now
// (the camera moved past what hid it) reads what hid it, and must not be blended in.
bool sameSurface(vec2 at, float expected) {
    const ivec2 last = ivec2(params.size) - 1;
    const ivec2 base = ivec2(floor(at));
    for (int j = 0; j <= 1; ++j) {
        for (int i = 0; i <= 1; ++i) {
            const float before = imageLoad(depthBefore, clamp(base + ivec2(i, j), ivec2(0), last)).r;
            if (expected < 0.0 ? before < 0.0
                               : before >= 0.0 && abs(before - expected) <= 0.02 * expected + 1.0) {
                return true;
            }
        }
    }
    return false;
}

vec4 historyAt(vec2 at) {
    const ivec2 last = ivec2(params.size) - 1;
    const vec2 base = floor(at);
    const vec2 t = at - base;
    const vec2 t2 = t * t;
    const vec2 t3 = t2 * t;
    const vec2 w[4] = vec2[4](-0.5 * t3 + t2 - 0.5 * t, 1.5 * t3 - 2.5 * t2 + 1.0,
                              -1.5 * t3 + 2.0 * t2 + 0.5 * t, 0.5 * t3 - 0.5 * t2);
    vec4 sum = vec4(0.0);
    for (int j = 0; j < 4; ++j) {
        for (int i = 0; i < 4; ++i) {
            const ivec2 tap = clamp(ivec2(base) + ivec2(i - 1, j - 1), ivec2(0), last);
            sum += w[i].x * w[j].y * imageLoad(history, tap);
        }
    }
    return sum;
}

void main() {
    const ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
    if (any(greaterThanEqual(uvec2(pixel), params.size))) {
        return;
    }
    const vec3 current = imageLoad(currentColor, pixel).rgb;
    const float depth = imageLoad(currentDepth, pixel).r;
    vec3 result = current;
    float samples = 1.0;
    if (params.historyValid != 0u) {
        if (camera.stillFrames.x > 0u) {
            const vec4 earlier = imageLoad(history, pixel);
            samples = min(clamp(earlier.a, 1.0, float(params.stillCap)) + 1.0,
                          float(params.stillCap));
            result = mix(earlier.rgb, current, 1.0 / samples);
        } else {
            vec2 previous;
            float previousDepth;
            if (reproject(pixel, depth, previous, previousDepth) &&
                sameSurface(previous, previousDepth)) {
                vec3 low = current;
                vec3 high = current;
                const ivec2 last = ivec2(params.size) - 1;
                for (int dy = -1; dy <= 1; ++dy) {
                    for (int dx = -1; dx <= 1; ++dx) {
                        const vec3 neighbour =
                            imageLoad(currentColor, clamp(pixel + ivec2(dx, dy), ivec2(0), last)).rgb;
                        low = min(low, neighbour);
                        high = max(high, neighbour);
                    }
                }
                const vec4 earlier = historyAt(previous);
                // The filter's negative lobes can take the count below 1 where it changes.
                samples = min(clamp(earlier.a, 1.0, float(params.movingCap)) + 1.0,
                              float(params.movingCap));
                result = mix(clamp(earlier.rgb, low, high), current, 1.0 / samples);
            }
        }
    }
    imageStore(accumulated, pixel, vec4(result, samples));
    imageStore(depthNow, pixel, vec4(depth));
    imageStore(resolved, pixel, vec4(result, 1.0));
}
