#pragma once

// A pinhole camera in voxel coordinates, and the primary ray through a pixel. The GPU ray
// marchers build the same ray from the same float constants (CameraConstants), so the CPU
// reference tracer can check them pixel by pixel.

#include <array>
#include <cstdint>
#include <string_view>

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

/// The ray through the centre of pixel (x, y) (y down), as the GPU computes it.
[[nodiscard]] Ray primaryRay(const CameraConstants& constants, std::uint32_t x, std::uint32_t y,
                             std::uint32_t width, std::uint32_t height);

}  // namespace vixen::voxel
