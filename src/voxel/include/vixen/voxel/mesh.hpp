#pragma once

// Triangle meshes as importers read them (PLY, OBJ) and the voxelizer takes them: positions,
// triangles as index triples, and optionally an sRGB colour per vertex.

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"

namespace vixen::voxel {

using Float3 = std::array<float, 3>;
using Rgb8 = std::array<std::uint8_t, 3>;

struct TriangleMesh {
    std::vector<Float3> positions;
    std::vector<std::array<std::uint32_t, 3>> triangles;
    /// Empty, or one sRGB colour per position.
    std::vector<Rgb8> colours;

    [[nodiscard]] bool hasColours() const noexcept { return !colours.empty(); }
};

/// The smallest box holding every position.
struct MeshBounds {
    Float3 min{};
    Float3 max{};
};

/// Refuses what no voxelizer can use, naming `name` and the element at fault: no triangle
/// (InvalidArgument), a NaN or infinite coordinate (naming the vertex), an index past the
/// positions (naming the triangle), colours that are not one per vertex. Degenerate
/// triangles are allowed (the voxelizer skips and counts them).
[[nodiscard]] Result<MeshBounds> checkMesh(const TriangleMesh& mesh, std::string_view name);

/// Whether triangle `t` has no area: two corners the same, or all three on a line (its
/// cross product is zero in double precision).
[[nodiscard]] bool isDegenerate(const TriangleMesh& mesh, const std::array<std::uint32_t, 3>& t);

/// A closed torus around the y axis: `rings` steps around the axis, `segments` around the
/// tube, 2 * rings * segments triangles; coloured by the angle around the axis when
/// `coloured` (a mesh for tests and benchmarks of any size).
[[nodiscard]] TriangleMesh makeTorusMesh(std::uint32_t rings, std::uint32_t segments,
                                         float majorRadius, float minorRadius, bool coloured);

}  // namespace vixen::voxel
