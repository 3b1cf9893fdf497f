// What a pixel shows, whichever pipeline and structure trace it: the first hit, Lambert
// shading with one directional light, an optional hard shadow and emission. Included after
// voxel_common.glsl by each pipeline's main; the structure (or the ray-tracing pipeline)
// defines traceScene and paletteOffset.

bool traceScene(vec3 origin, vec3 direction, float maxDistance, inout Hit hit);
uint paletteOffset();

// What one pixel shows: its colour (gamma-encoded), the distance to the first hit along the
// unit ray (-1 for a miss) and the steps of all its rays.
struct Shaded {
    vec3 color;
    float depth;
    uint steps;
};

Shaded shadePixel(uvec2 pixel) {
    const vec3 direction = normalize(primaryDirection(pixel));
    const vec3 origin = camera.eye.xyz;
    Hit hit;
    hit.steps = 0u;
    vec3 color;
    float depth = -1.0;
    if (traceScene(origin, direction, 1e30, hit)) {
        depth = hit.distance;
        const vec3 normal = hit.normal == ivec3(0) ? -direction : vec3(hit.normal);
        float lit = max(dot(normal, params.light.xyz), 0.0);
        if (lit > 0.0 && (params.flags & kShadows) != 0u) {
            // Leave the surface along its normal, then look for anything towards the light.
            const vec3 point = origin + direction * hit.distance + normal * 1e-3;
            Hit blocker;
            blocker.steps = 0u;
            if (traceScene(point, params.light.xyz, 1e30, blocker)) {
                lit = 0.0;
            }
            hit.steps += blocker.steps;
        }
        const uint palette = paletteOffset();
        color = paletteAlbedo(palette, hit.material) * (params.light.w + lit) +
                paletteEmission(palette, hit.material);
    } else {
        // Sky: a vertical gradient.
        color = mix(vec3(0.60, 0.70, 0.85), vec3(0.20, 0.35, 0.65), clamp(direction.y, 0.0, 1.0));
    }
    return Shaded(pow(clamp(color, 0.0, 1.0), vec3(1.0 / 2.2)), depth, hit.steps);
}
