#include "vixen/voxel/camera.hpp"

#include <cmath>
#include <numbers>

namespace vixen::voxel {
namespace {

using Vec = std::array<float, 3>;

Vec sub(Vec a, Vec b) {
    return {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
}
Vec cross(Vec a, Vec b) {
    return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
Vec normalize(Vec a) {
    const float length = std::sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
    return length > 0.0F ? Vec{a[0] / length, a[1] / length, a[2] / length} : a;
}

}  // namespace

Camera Camera::sceneView(std::string_view scene, Int3 size) {
    return scene == "cornell" ? orbit(size, 0.0F, 0.0F)
                              : orbit(size, 35.0F * std::numbers::pi_v<float> / 180.0F);
}

Camera Camera::orbit(Int3 size, float orbitRadians, float elevation) {
    const float cx = 0.5F * static_cast<float>(size.x);
    const float cy = 0.5F * static_cast<float>(size.y);
    const float cz = 0.5F * static_cast<float>(size.z);
    const float radius = 1.4F * static_cast<float>(std::max({size.x, size.y, size.z}));
    Camera camera;
    camera.target = {cx, cy * (elevation > 0.0F ? 0.8F : 1.0F), cz};
    camera.eye = {cx + radius * std::sin(orbitRadians), cy + elevation * radius,
                  cz + radius * std::cos(orbitRadians)};
    return camera;
}

CameraConstants cameraConstants(const Camera& camera, std::uint32_t width, std::uint32_t height) {
    const Vec forward = normalize(sub(camera.target, camera.eye));
    const Vec right = normalize(cross(forward, camera.up));
    const Vec up = cross(right, forward);
    const float halfHeight =
        std::tan(0.5F * camera.verticalFovDegrees * std::numbers::pi_v<float> / 180.0F);
    const float halfWidth = halfHeight * static_cast<float>(width) / static_cast<float>(height);
    CameraConstants constants;
    constants.eye = {camera.eye[0], camera.eye[1], camera.eye[2], 0.0F};
    constants.forward = {forward[0], forward[1], forward[2], 0.0F};
    constants.right = {right[0] * halfWidth, right[1] * halfWidth, right[2] * halfWidth, 0.0F};
    constants.up = {up[0] * halfHeight, up[1] * halfHeight, up[2] * halfHeight, 0.0F};
    return constants;
}

Ray primaryRay(const CameraConstants& c, std::uint32_t x, std::uint32_t y, std::uint32_t width,
               std::uint32_t height) {
    // The same float arithmetic as the shaders' primaryDirection().
    const float sx = 2.0F * (static_cast<float>(x) + 0.5F) / static_cast<float>(width) - 1.0F;
    const float sy = 1.0F - 2.0F * (static_cast<float>(y) + 0.5F) / static_cast<float>(height);
    Ray ray;
    for (std::size_t a = 0; a < 3; ++a) {
        ray.origin[a] = c.eye[a];
        ray.direction[a] = c.forward[a] + sx * c.right[a] + sy * c.up[a];
    }
    return ray;
}

}  // namespace vixen::voxel
