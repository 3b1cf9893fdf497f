#include "vixen/voxel/scene_files.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "vixen/core/log.hpp"
#include "vixen/voxel/mesh_voxelizer.hpp"
#include "vixen/voxel/nanovdb_file.hpp"
#include "vixen/voxel/obj_file.hpp"
#include "vixen/voxel/openvdb_file.hpp"
#include "vixen/voxel/ply_file.hpp"
#include "vixen/voxel/vox_file.hpp"

namespace vixen::voxel {
namespace {

std::string lowerCase(std::string text) {
    std::ranges::transform(text, text.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

bool isPly(const std::string& fileName) {
    return fileName.ends_with(".ply") || fileName.ends_with(".ply.gz");
}

Result<std::unique_ptr<SceneSource>> openMesh(const std::filesystem::path& path,
                                              const SceneFileOptions& options) {
    if (options.meshVoxels > options.maxSide) {
        return fail(ErrorCode::CapacityExceeded,
                    "'{}': a mesh at {} voxels a side; at most {} are allowed here", path.string(),
                    options.meshVoxels, options.maxSide);
    }
    auto mesh = isPly(lowerCase(path.filename().string())) ? readPlyFile(path) : readObjFile(path);
    if (!mesh) {
        return std::unexpected(std::move(mesh.error()));
    }
    MeshVoxelOptions voxelOptions;
    voxelOptions.voxels = options.meshVoxels;
    voxelOptions.solid = options.solid;
    auto voxelized = voxelizeMesh(*mesh, voxelOptions, path.string());
    if (!voxelized) {
        return std::unexpected(std::move(voxelized.error()));
    }
    const MeshVoxelStats& stats = voxelized->stats;
    log::info(
        "{}: {} triangles ({} of no area skipped) voxelized at {} voxels: {} solid, {:.0f} ms",
        path.string(), stats.triangles, stats.degenerateTriangles, options.meshVoxels,
        stats.solidVoxels, stats.milliseconds);
    return std::move(voxelized->scene);
}

}  // namespace

bool isMeshFile(const std::filesystem::path& path) {
    const std::string fileName = lowerCase(path.filename().string());
    return isPly(fileName) || fileName.ends_with(".obj");
}

Result<std::unique_ptr<SceneSource>> openSceneFile(const std::filesystem::path& path,
                                                   const SceneFileOptions& options) {
    const std::string extension = lowerCase(path.extension().string());
    if (extension == ".vox") {
        auto document = readVoxFile(path);
        if (!document) {
            return std::unexpected(std::move(document.error()));
        }
        return makeVoxScene(*document, path.string(), options.maxSide);
    }
    if (extension == ".nvdb") {
        return readNanoVdbScene(path, 0.0F, options.maxSide);
    }
    if (extension == ".vdb") {
        return readOpenVdbScene(path, 0.0F, options.maxSide);
    }
    if (isMeshFile(path)) {
        return openMesh(path, options);
    }
    return fail(
        ErrorCode::InvalidArgument,
        "'{}': no importer reads '{}' files (known: .vox, .nvdb, .vdb, .ply, .ply.gz, .obj)",
        path.string(), extension);
}

}  // namespace vixen::voxel
