#include "vixen/voxel/tracer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vixen::voxel {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
using Axis = std::size_t;
constexpr Axis kNoAxis = 3;  ///< the origin was inside the volume: no face crossed

/// The axis whose next boundary comes first; ties go to the lowest axis, as in every tracer.
Axis nearestAxis(const std::array<double, 3>& next) noexcept {
    Axis axis = 0;
    if (next[1] < next[axis]) {
        axis = 1;
    }
    if (next[2] < next[axis]) {
        axis = 2;
    }
    return axis;
}

std::int32_t& at(Int3& v, Axis axis) noexcept {
    return axis == 0 ? v.x : (axis == 1 ? v.y : v.z);
}
std::int32_t at(const Int3& v, Axis axis) noexcept {
    return axis == 0 ? v.x : (axis == 1 ? v.y : v.z);
}

}  // namespace

std::optional<Hit> trace(const BrickVolume& volume, const Ray& ray, double maxDistance,
                         TraceSteps* steps) {
    TraceSteps counted;
    const double length =
        std::sqrt(ray.direction[0] * ray.direction[0] + ray.direction[1] * ray.direction[1] +
                  ray.direction[2] * ray.direction[2]);
    if (!(length > 0.0)) {
        return std::nullopt;
    }
    const std::array<double, 3> o = ray.origin;
    const std::array<double, 3> d{ray.direction[0] / length, ray.direction[1] / length,
                                  ray.direction[2] / length};
    const Int3 size = volume.size();
    const std::array<double, 3> extent{static_cast<double>(size.x), static_cast<double>(size.y),
                                       static_cast<double>(size.z)};

    // Enter the volume: the slab test gives the entry distance and the face crossed.
    double tEnter = 0.0;
    double tExit = maxDistance;
    Axis enterAxis = kNoAxis;
    for (Axis a = 0; a < 3; ++a) {
        if (d[a] == 0.0) {
            if (o[a] < 0.0 || o[a] >= extent[a]) {
                return std::nullopt;
            }
            continue;
        }
        double t0 = (0.0 - o[a]) / d[a];
        double t1 = (extent[a] - o[a]) / d[a];
        if (t0 > t1) {
            std::swap(t0, t1);
        }
        if (t0 > tEnter) {
            tEnter = t0;
            enterAxis = a;
        }
        tExit = std::min(tExit, t1);
    }
    if (tEnter >= tExit) {
        return std::nullopt;
    }

    std::array<std::int32_t, 3> step{};
    std::array<double, 3> delta{};
    for (Axis a = 0; a < 3; ++a) {
        step[a] = d[a] > 0.0 ? 1 : (d[a] < 0.0 ? -1 : 0);
        delta[a] = d[a] != 0.0 ? std::abs(1.0 / d[a]) : kInfinity;
    }
    // The voxel the ray starts in (on the entry face, that face's voxel exactly).
    Int3 voxel;
    for (Axis a = 0; a < 3; ++a) {
        const double p = o[a] + tEnter * d[a];
        at(voxel, a) = std::clamp(static_cast<std::int32_t>(std::floor(p)), 0, at(size, a) - 1);
    }
    if (enterAxis != kNoAxis) {
        at(voxel, enterAxis) = step[enterAxis] > 0 ? 0 : at(size, enterAxis) - 1;
    }
    // Distances to the next voxel boundary on each axis.
    const auto boundary = [&](Axis a, std::int32_t cell, std::int32_t side) {
        if (step[a] == 0) {
            return kInfinity;
        }
        const std::int32_t next = step[a] > 0 ? (cell + 1) * side : cell * side;
        return (static_cast<double>(next) - o[a]) / d[a];
    };

    double t = tEnter;
    Axis lastAxis = enterAxis;
    Int3 brick{voxel.x / kBrickSide, voxel.y / kBrickSide, voxel.z / kBrickSide};
    const Int3 grid = volume.brickGrid();
    while (true) {
        ++counted.bricks;
        const std::uint32_t index = volume.brickAt(brick);
        if (index != BrickVolume::kNoBrick) {
            // Voxel by voxel until the ray leaves this brick.
            const BrickMask& mask = volume.mask(index);
            std::array<double, 3> next{boundary(0, voxel.x, 1), boundary(1, voxel.y, 1),
                                       boundary(2, voxel.z, 1)};
            while (true) {
                if (t > tExit) {
                    break;
                }
                ++counted.voxels;
                const Int3 local = voxel - brick * kBrickSide;
                if (mask.test(local.x, local.y, local.z)) {
                    Hit hit;
                    hit.voxel = voxel;
                    hit.distance = t;
                    if (lastAxis != kNoAxis) {
                        at(hit.normal, lastAxis) = -step[lastAxis];
                    }
                    hit.material = volume.material(index, voxelIndex(local.x, local.y, local.z));
                    if (steps != nullptr) {
                        *steps = counted;
                    }
                    return hit;
                }
                const Axis a = nearestAxis(next);
                t = next[a];
                at(voxel, a) += step[a];
                next[a] += delta[a];
                lastAxis = a;
                if (at(voxel, a) / kBrickSide != at(brick, a) || at(voxel, a) < 0) {
                    break;
                }
            }
            if (t > tExit) {
                break;
            }
            // The voxel DDA left through axis lastAxis: that is the brick step too.
            at(brick, lastAxis) += step[lastAxis];
        } else {
            // An empty brick: jump to where the ray leaves it.
            const std::array<double, 3> next{boundary(0, brick.x, kBrickSide),
                                             boundary(1, brick.y, kBrickSide),
                                             boundary(2, brick.z, kBrickSide)};
            const Axis a = nearestAxis(next);
            t = next[a];
            at(brick, a) += step[a];
            lastAxis = a;
            if (t > tExit) {
                break;
            }
            // The voxel entered: the crossed axis exactly, the others where the ray is,
            // kept inside the new brick.
            for (Axis b = 0; b < 3; ++b) {
                if (b == a) {
                    at(voxel, b) = step[b] > 0 ? at(brick, b) * kBrickSide
                                               : at(brick, b) * kBrickSide + kBrickSide - 1;
                } else {
                    const double p = o[b] + t * d[b];
                    at(voxel, b) = std::clamp(static_cast<std::int32_t>(std::floor(p)),
                                              at(brick, b) * kBrickSide,
                                              at(brick, b) * kBrickSide + kBrickSide - 1);
                }
            }
        }
        if (brick.x < 0 || brick.y < 0 || brick.z < 0 || brick.x >= grid.x || brick.y >= grid.y ||
            brick.z >= grid.z) {
            break;
        }
    }
    if (steps != nullptr) {
        *steps = counted;
    }
    return std::nullopt;
}

}  // namespace vixen::voxel
