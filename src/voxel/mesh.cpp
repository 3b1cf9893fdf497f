#include "vixen/voxel/mesh.hpp"

#include <algorithm>
#include <cmath>

namespace vixen::voxel {

Result<MeshBounds> checkMesh(const TriangleMesh& mesh, std::string_view name) {
    if (mesh.triangles.empty() || mesh.positions.empty()) {
        return fail(ErrorCode::InvalidArgument,
                    "{}: the mesh is empty ({} vertices, {} triangles); nothing to voxelize", name,
                    mesh.positions.size(), mesh.triangles.size());
    }
    if (mesh.hasColours() && mesh.colours.size() != mesh.positions.size()) {
        return fail(ErrorCode::InvalidArgument, "{}: {} vertex colours for {} vertices", name,
                    mesh.colours.size(), mesh.positions.size());
    }
    MeshBounds bounds{mesh.positions[0], mesh.positions[0]};
    for (std::size_t v = 0; v < mesh.positions.size(); ++v) {
        const Float3& p = mesh.positions[v];
        if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2])) {
            return fail(ErrorCode::InvalidArgument, "{}: vertex {} is ({}, {}, {}), not finite",
                        name, v, p[0], p[1], p[2]);
        }
        for (std::size_t a = 0; a < 3; ++a) {
            bounds.min[a] = std::min(bounds.min[a], p[a]);
            bounds.max[a] = std::max(bounds.max[a], p[a]);
        }
    }
    for (std::size_t t = 0; t < mesh.triangles.size(); ++t) {
        for (const std::uint32_t index : mesh.triangles[t]) {
            if (index >= mesh.positions.size()) {
                return fail(ErrorCode::InvalidArgument,
                            "{}: triangle {} refers to vertex {}; the mesh has {} vertices", name,
                            t, index, mesh.positions.size());
            }
        }
    }
    return bounds;
}

bool isDegenerate(const TriangleMesh& mesh, const std::array<std::uint32_t, 3>& t) {
    // In double, the cross product of float corners of similar magnitude is exact: it is zero
    // when the corners are on a line.
    const Float3& a = mesh.positions[t[0]];
    const Float3& b = mesh.positions[t[1]];
    const Float3& c = mesh.positions[t[2]];
    std::array<double, 3> u{};
    std::array<double, 3> w{};
    for (std::size_t i = 0; i < 3; ++i) {
        u[i] = static_cast<double>(b[i]) - static_cast<double>(a[i]);
        w[i] = static_cast<double>(c[i]) - static_cast<double>(a[i]);
    }
    return u[1] * w[2] - u[2] * w[1] == 0.0 && u[2] * w[0] - u[0] * w[2] == 0.0 &&
           u[0] * w[1] - u[1] * w[0] == 0.0;
}

TriangleMesh makeTorusMesh(std::uint32_t rings, std::uint32_t segments, float majorRadius,
                           float minorRadius, bool coloured) {
    constexpr double kTau = 6.283185307179586;
    const auto major = static_cast<double>(majorRadius);
    const auto minor = static_cast<double>(minorRadius);
    TriangleMesh mesh;
    mesh.positions.reserve(std::size_t{rings} * segments);
    for (std::uint32_t r = 0; r < rings; ++r) {
        const double around = kTau * r / rings;
        for (std::uint32_t s = 0; s < segments; ++s) {
            const double tube = kTau * s / segments;
            const double radius = major + minor * std::cos(tube);
            mesh.positions.push_back({static_cast<float>(radius * std::cos(around)),
                                      static_cast<float>(minor * std::sin(tube)),
                                      static_cast<float>(radius * std::sin(around))});
            if (coloured) {
                const auto level = static_cast<std::uint8_t>(255.0 * r / rings);
                mesh.colours.push_back({level, static_cast<std::uint8_t>(255 - level), 128});
            }
        }
    }
    mesh.triangles.reserve(std::size_t{2} * rings * segments);
    for (std::uint32_t r = 0; r < rings; ++r) {
        for (std::uint32_t s = 0; s < segments; ++s) {
            const std::uint32_t a = r * segments + s;
            const std::uint32_t b = ((r + 1) % rings) * segments + s;
            const std::uint32_t c = ((r + 1) % rings) * segments + (s + 1) % segments;
            const std::uint32_t d = r * segments + (s + 1) % segments;
            mesh.triangles.push_back({a, b, c});
            mesh.triangles.push_back({a, c, d});
        }
    }
    return mesh;
}

}  // namespace vixen::voxel
