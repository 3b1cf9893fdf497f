#pragma once

// A pinhole camera in voxel coordinates, and the primary ray through a pixel. The GPU ray
// marchers build the same ray from the same float constants (CameraConstants), so the CPU
// reference tracer can check them pixel by pixel.

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "vixen/voxel/tracer.hpp"

namespace vixen::voxel {

struct Camera {
    std::array<float, 3> eye{0.0F, 0.0F, 0.0F};
    std::array<float, 3> target{0.0F, 0.0F, 1.0F};
    std::array<float, 3> up{0.0F, 1.0F, 0.0F};
    float verticalFovDegrees = 50.0F;

    /// Looking at the centre of a volume of `size` voxels from outside it, from the front
    /// (+z) and `elevation` (in volume heights) above the centre, turned by `orbitRadians`
    /// about the vertical axis through the centre.
    [[nodiscard]] static Camera orbit(Int3 size, float orbitRadians, float elevation = 0.55F);
    /// A procedural scene's own view: the Cornell box through its open front, the others
    /// from above, turned 35 degrees.
    [[nodiscard]] static Camera sceneView(std::string_view scene, Int3 size);
};

/// What a ray marcher needs per frame (std430: four vec4): the eye, the forward direction,
/// and right and up scaled to the image plane at distance 1 (so a pixel's direction is
/// forward + sx * right + sy * up with sx, sy in [-1, 1]).
struct CameraConstants {
    std::array<float, 4> eye{};
    std::array<float, 4> forward{};
    std::array<float, 4> right{};
    std::array<float, 4> up{};
};

[[nodiscard]] CameraConstants cameraConstants(const Camera& camera, std::uint32_t width,
                                              std::uint32_t height);

/// The constants of `constants` moved by (dx, dy) pixels on an image of width x height
/// (x right, y down): every pixel's ray passes through the point that far from its centre.
/// Subpixel jitter for temporal accumulation, exact in the shaders' own arithmetic.
[[nodiscard]] CameraConstants jittered(const CameraConstants& constants, float dx, float dy,
                                       std::uint32_t width, std::uint32_t height);

/// The radical inverse of `index` in `base` (index >= 1): the Halton sequence's value.
[[nodiscard]] float halton(std::uint32_t index, std::uint32_t base);

/// Subpixel offsets, in pixels within [-0.5, 0.5), that a jittered camera cycles through.
using JitterOffsets = std::vector<std::array<float, 2>>;
/// The first `count` points of the Halton (2, 3) sequence, centred on the pixel: well spread
/// for any prefix, so accumulation improves from the first frames.
[[nodiscard]] JitterOffsets haltonJitter(std::uint32_t count);
/// The centres of a `side` x `side` grid over the pixel: a stratified reference pattern.
[[nodiscard]] JitterOffsets gridJitter(std::uint32_t side);

/// What temporal accumulation reads per frame (std430), after what the ray marchers read: the
/// jittered constants the frame was traced with (first, so a marcher binds the same buffer),
/// this frame's and the previous frame's unjittered constants, the jitter in pixels, and
/// how many frames in a row the camera has not moved (0: it moved, or there is no previous).
struct TemporalCameraConstants {
    CameraConstants traced;
    CameraConstants current;
    CameraConstants previous;
    std::array<float, 4> jitter{};
    std::array<std::uint32_t, 4> stillFrames{};
};

/// The ray through the centre of pixel (x, y) (y down), as the GPU computes it.
[[nodiscard]] Ray primaryRay(const CameraConstants& constants, std::uint32_t x, std::uint32_t y,
                             std::uint32_t width, std::uint32_t height);

}  // namespace vixen::voxel
