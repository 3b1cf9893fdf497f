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

CameraConstants jittered(const CameraConstants& constants, float dx, float dy, std::uint32_t width,
                         std::uint32_t height) {
    // A pixel's direction is forward + sx * right + sy * up with sx = 2 (x + 0.5) / width - 1
    // and sy = 1 - 2 (y + 0.5) / height: moving x by dx moves sx by 2 dx / width, and y by dy
    // moves sy by -2 dy / height, the same for every pixel, so forward takes it all.
    const float shiftX = 2.0F * dx / static_cast<float>(width);
    const float shiftY = -2.0F * dy / static_cast<float>(height);
    CameraConstants moved = constants;
    for (std::size_t a = 0; a < 3; ++a) {
        moved.forward[a] += shiftX * constants.right[a] + shiftY * constants.up[a];
    }
    return moved;
}

float halton(std::uint32_t index, std::uint32_t base) {
    float fraction = 1.0F;
    float value = 0.0F;
    while (index > 0) {
        fraction /= static_cast<float>(base);
        value += fraction * static_cast<float>(index % base);
        index /= base;
    }
    return value;
}

JitterOffsets haltonJitter(std::uint32_t count) {
    JitterOffsets offsets(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        offsets[i] = {halton(i + 1, 2) - 0.5F, halton(i + 1, 3) - 0.5F};
    }
    return offsets;
}

JitterOffsets gridJitter(std::uint32_t side) {
    JitterOffsets offsets;
    offsets.reserve(std::size_t{side} * side);
    for (std::uint32_t y = 0; y < side; ++y) {
        for (std::uint32_t x = 0; x < side; ++x) {
            offsets.push_back({(static_cast<float>(x) + 0.5F) / static_cast<float>(side) - 0.5F,
                               (static_cast<float>(y) + 0.5F) / static_cast<float>(side) - 0.5F});
        }
    }
    return offsets;
}

}  // namespace vixen::voxel
