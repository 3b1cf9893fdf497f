#pragma once

// Wavefront OBJ meshes, read by tinyobjloader: positions, faces (polygons fanned into
// triangles) and vertex colours where every `v` line has them (`v x y z r g b`, 0..1).
// Normals, texture coordinates and .mtl materials are not read.

#include <filesystem>
#include <string_view>

#include "vixen/core/error.hpp"
#include "vixen/voxel/mesh.hpp"

namespace vixen::voxel {

/// Parses OBJ `text` (errors name `name`): ParseError with the line where tinyobjloader
/// reports one (a zero index, a damaged line), naming the shape and face for an index past
/// the vertices; checkMesh's errors for non-finite positions or no triangle.
[[nodiscard]] Result<TriangleMesh> parseObj(std::string_view text, std::string_view name);
/// Reads and parses the file at `path` (NotFound when it is not there).
[[nodiscard]] Result<TriangleMesh> readObjFile(const std::filesystem::path& path);

}  // namespace vixen::voxel
