#pragma once

// The CPU reference tracer: an exact 3D DDA (Amanatides and Woo) over the volume's voxels,
// stepping brick by brick through empty bricks and voxel by voxel inside occupied ones, in
// double precision. Every GPU tracer is checked against it.

#include <array>
#include <cstdint>
#include <optional>

#include "vixen/voxel/brick_volume.hpp"

namespace vixen::voxel {

/// A ray in voxel coordinates (the volume spans [0, size]); `direction` need not be unit.
struct Ray {
    std::array<double, 3> origin{};
    std::array<double, 3> direction{0.0, 0.0, 1.0};
};

struct Hit {
    Int3 voxel;
    /// Distance from the origin to where the ray enters the voxel, along the unit direction
    /// (0 when the origin is inside it).
    double distance = 0.0;
    /// The face the ray entered through, pointing back at it (zero when the origin was inside).
    Int3 normal;
    MaterialId material = kEmpty;
};

/// What a trace visited: bricks looked up and voxels tested (a miss counts too).
struct TraceSteps {
    std::uint32_t bricks = 0;
    std::uint32_t voxels = 0;
};

/// The first solid voxel along `ray` within `maxDistance`, or nothing.
[[nodiscard]] std::optional<Hit> trace(const BrickVolume& volume, const Ray& ray,
                                       double maxDistance = 1e30, TraceSteps* steps = nullptr);

}  // namespace vixen::voxel
