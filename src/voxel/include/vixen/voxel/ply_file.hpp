#pragma once

// Stanford PLY meshes: ascii, binary_little_endian and binary_big_endian, plain or
// gzip-compressed (recognised by the magic bytes 1f 8b). The vertex element's x, y, z (any
// numeric type) and optional red, green, blue (uchar, or float in 0..1); the face element's
// list vertex_indices (or vertex_index) of any count and index types, polygons fanned into
// triangles; every other element and property skipped by its declared type. No count is
// trusted before it is checked against the bytes that are there.

#include <cstddef>
#include <filesystem>
#include <span>
#include <string_view>

#include "vixen/core/error.hpp"
#include "vixen/voxel/mesh.hpp"

namespace vixen::voxel {

/// Parses `bytes` (errors name `name`): ParseError with the byte offset (binary) or line
/// (ascii) and the element's index for a damaged header, a cut-off body, counts larger than
/// the bytes that follow, a non-finite vertex, a face with fewer than 3 vertices or an index
/// outside the vertices; InvalidArgument when the vertex element lacks x, y or z. gzip data is
/// inflated first (offsets are then into the inflated bytes).
[[nodiscard]] Result<TriangleMesh> parsePly(std::span<const std::byte> bytes,
                                            std::string_view name);
/// Reads and parses the file at `path` (NotFound when it is not there).
[[nodiscard]] Result<TriangleMesh> readPlyFile(const std::filesystem::path& path);

}  // namespace vixen::voxel
