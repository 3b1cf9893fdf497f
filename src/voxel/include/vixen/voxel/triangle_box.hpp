#pragma once

// Whether a triangle touches a voxel's cube, by the separating axis theorem: two convex
// bodies are apart exactly when their projections onto some axis are apart, and for a
// triangle and a box it is enough to try the box's 3 face normals, the triangle's normal and
// the 9 cross products of a box edge with a triangle edge. Cubes are closed: a triangle that
// only touches a cube's face, edge or corner overlaps it.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <utility>

namespace vixen::voxel {

using Double3 = std::array<double, 3>;

/// The voxels along an axis whose closed cubes [i, i+1] meet [low, high]: ceil(low) - 1
/// through floor(high).
struct VoxelSpan {
    std::int64_t first = 0;
    std::int64_t last = -1;
};
[[nodiscard]] inline VoxelSpan voxelsTouching(double low, double high) noexcept {
    return {static_cast<std::int64_t>(std::ceil(low)) - 1,
            static_cast<std::int64_t>(std::floor(high))};
}

/// A triangle, in voxel units (voxel (i, j, k) is the cube [i, i+1] x [j, j+1] x [k, k+1]),
/// set up once to be tested against many voxels.
class TriangleBoxTest {
public:
    TriangleBoxTest(const Double3& a, const Double3& b, const Double3& c) noexcept {
        const std::array<Double3, 3> corners{a, b, c};
        const std::array<Double3, 3> edges{minus(b, a), minus(c, b), minus(a, c)};
        std::size_t next = 0;
        // The 9 edge axes: unit vector e_i x triangle edge.
        for (std::size_t i = 0; i < 3; ++i) {
            for (const Double3& edge : edges) {
                Double3 axis{};
                axis[(i + 1) % 3] = -edge[(i + 2) % 3];
                axis[(i + 2) % 3] = edge[(i + 1) % 3];
                axes_[next++] = project(axis, corners);
            }
        }
        const Double3 u = edges[0];
        const Double3 w = minus(c, a);
        const Double3 normal{u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2],
                             u[0] * w[1] - u[1] * w[0]};
        axes_[next] = project(normal, corners);
        // The box's own axes: the voxels the triangle's bounding box touches.
        for (std::size_t i = 0; i < 3; ++i) {
            spans_[i] = voxelsTouching(std::min({a[i], b[i], c[i]}), std::max({a[i], b[i], c[i]}));
        }
    }

    /// The voxels along axis `i` whose cubes the triangle's bounding box touches.
    [[nodiscard]] VoxelSpan span(std::size_t i) const noexcept { return spans_[i]; }

    /// The voxels of row (y, z) within span(0) that may pass the plane test: a superset,
    /// widened by a voxel against rounding, so that a large triangle is not tested voxel by
    /// voxel over its whole bounding box.
    [[nodiscard]] VoxelSpan rowCandidates(std::int64_t y, std::int64_t z) const noexcept {
        const Axis& plane = axes_[9];
        const double nx = plane.direction[0];
        const double magnitude =
            std::abs(nx) + std::abs(plane.direction[1]) + std::abs(plane.direction[2]);
        if (std::abs(nx) <= 1e-6 * magnitude) {
            return spans_[0];  // the plane is nearly parallel to x: no bound worth having
        }
        const double rest = plane.direction[1] * (static_cast<double>(y) + 0.5) +
                            plane.direction[2] * (static_cast<double>(z) + 0.5);
        double low = (plane.low - rest) / nx;
        double high = (plane.high - rest) / nx;
        if (low > high) {
            std::swap(low, high);
        }
        // Voxel x's centre is x + 0.5.
        const double first =
            std::max(std::floor(low - 0.5) - 1.0, static_cast<double>(spans_[0].first));
        const double last =
            std::min(std::ceil(high - 0.5) + 1.0, static_cast<double>(spans_[0].last));
        return {static_cast<std::int64_t>(first), static_cast<std::int64_t>(last)};
    }

    /// Whether the cube of voxel (x, y, z) and the triangle share a point; the voxel must be
    /// within span() along each axis (the box axes are not tested again).
    [[nodiscard]] bool overlaps(std::int64_t x, std::int64_t y, std::int64_t z) const noexcept {
        const double cx = static_cast<double>(x) + 0.5;
        const double cy = static_cast<double>(y) + 0.5;
        const double cz = static_cast<double>(z) + 0.5;
        for (const Axis& axis : axes_) {
            const double centre =
                axis.direction[0] * cx + axis.direction[1] * cy + axis.direction[2] * cz;
            if (centre < axis.low || centre > axis.high) {
                return false;
            }
        }
        return true;
    }

private:
    /// The cube's centre projected on `direction` must lie in [low, high]: the triangle's
    /// projection widened by the cube's half-extent along the axis.
    struct Axis {
        Double3 direction{};
        double low = 0.0;
        double high = 0.0;
    };

    static Double3 minus(const Double3& p, const Double3& q) noexcept {
        return {p[0] - q[0], p[1] - q[1], p[2] - q[2]};
    }

    static Axis project(const Double3& direction, const std::array<Double3, 3>& corners) noexcept {
        double low = INFINITY;
        double high = -INFINITY;
        for (const Double3& p : corners) {
            const double d = direction[0] * p[0] + direction[1] * p[1] + direction[2] * p[2];
            low = std::min(low, d);
            high = std::max(high, d);
        }
        const double radius =
            0.5 * (std::abs(direction[0]) + std::abs(direction[1]) + std::abs(direction[2]));
        return {direction, low - radius, high + radius};
    }

    std::array<Axis, 10> axes_{};
    std::array<VoxelSpan, 3> spans_{};
};

}  // namespace vixen::voxel
