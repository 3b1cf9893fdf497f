#pragma once

// Triangle meshes as voxel scenes: scaled so the longest side of the mesh's bounding box is
// the chosen number of voxels, every voxel whose cube a triangle touches set (a conservative
// surface, tested by separating axes: triangle_box.hpp), optionally what the surface encloses
// filled, with materials from the vertex colours (quantized to a palette of at most 255) or
// one given material. Triangles are binned into tiles of 64^3 voxels and the tiles voxelized
// in parallel; the result does not depend on the number of threads.

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "vixen/core/error.hpp"
#include "vixen/voxel/mesh.hpp"
#include "vixen/voxel/palette.hpp"
#include "vixen/voxel/scene.hpp"

namespace vixen::voxel {

struct MeshVoxelOptions {
    /// Voxels along the longest side of the mesh's bounding box (8..4096).
    std::int32_t voxels = 256;
    /// Fill what the surface encloses (at most kMaxSolidMeshSide voxels a side): whatever
    /// cannot be reached from outside the box without crossing the surface.
    bool solid = false;
    /// Materials from the mesh's vertex colours where it has them.
    bool vertexColours = true;
    /// The one material of a mesh without colours (or with vertexColours off).
    Material material;
};

/// The largest scene solid fill works on: it holds two bits a voxel of the whole box.
inline constexpr std::int32_t kMaxSolidMeshSide = 2048;

struct MeshVoxelStats {
    std::uint64_t triangles = 0;            ///< in the mesh
    std::uint64_t degenerateTriangles = 0;  ///< of no area, skipped
    std::uint64_t surfaceVoxels = 0;        ///< voxels a triangle touches
    std::uint64_t solidVoxels = 0;          ///< all set voxels: surface and enclosed
    double milliseconds = 0.0;              ///< wall time of voxelizeMesh
};

/// Where the mesh lies in the voxels: mesh point p is at (p - origin) * voxelsPerUnit.
struct MeshVoxelFrame {
    std::array<double, 3> origin{};
    double voxelsPerUnit = 1.0;
    Int3 size;

    /// The voxel holding mesh point `p` (on the box's far faces: the last voxel).
    [[nodiscard]] Int3 voxelOf(const Float3& p) const noexcept;
};

struct VoxelizedMesh {
    std::unique_ptr<SceneSource> scene;
    MeshVoxelFrame frame;
    MeshVoxelStats stats;
};

/// The voxels of `mesh` (errors name `name`): checkMesh's errors; InvalidArgument for a
/// resolution outside 8..4096, a mesh of no extent or with no triangle of any area, solid
/// fill past kMaxSolidMeshSide.
[[nodiscard]] Result<VoxelizedMesh> voxelizeMesh(const TriangleMesh& mesh,
                                                 const MeshVoxelOptions& options,
                                                 std::string_view name);

}  // namespace vixen::voxel
