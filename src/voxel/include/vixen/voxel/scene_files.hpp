#pragma once

// Scenes from files, by extension: MagicaVoxel .vox (vox_file.hpp), NanoVDB .nvdb
// (nanovdb_file.hpp), OpenVDB .vdb (openvdb_file.hpp), and meshes voxelized at a chosen resolution:
// PLY .ply and .ply.gz (ply_file.hpp), Wavefront .obj (obj_file.hpp). The one door through which
// every importer is reached.

#include <cstdint>
#include <filesystem>
#include <memory>

#include "vixen/core/error.hpp"
#include "vixen/voxel/scene.hpp"

namespace vixen::voxel {

struct SceneFileOptions {
    /// The most voxels along an axis the scene may have.
    std::int32_t maxSide = 4096;
    /// A mesh's resolution: voxels along the longest side of its bounding box (a mesh has no
    /// size of its own).
    std::int32_t meshVoxels = 256;
    /// Whether a mesh's enclosed voxels are filled (or only its surface is voxelized).
    bool solid = false;
};

/// Whether `path` names a mesh (.ply, .ply.gz, .obj), a scene whose size the options choose.
[[nodiscard]] bool isMeshFile(const std::filesystem::path& path);

/// The scene in the file at `path`. NotFound for a missing file, InvalidArgument for an
/// extension no importer reads (naming the known ones), CapacityExceeded for a mesh
/// resolution past maxSide, and the importers' errors (ParseError with the offset or line,
/// CapacityExceeded, the voxelizer's InvalidArgument).
[[nodiscard]] Result<std::unique_ptr<SceneSource>> openSceneFile(
    const std::filesystem::path& path, const SceneFileOptions& options = {});

}  // namespace vixen::voxel
