#include "vixen/voxel/obj_file.hpp"

#include <tiny_obj_loader.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "vixen/core/files.hpp"

namespace vixen::voxel {
namespace {

/// tinyobjloader's messages end in newlines and may hold several lines: one line, trimmed.
std::string oneLine(std::string message) {
    std::ranges::replace(message, '\n', ' ');
    while (!message.empty() && message.back() == ' ') {
        message.pop_back();
    }
    return message;
}

}  // namespace

Result<TriangleMesh> parseObj(std::string_view text, std::string_view name) {
    tinyobj::ObjReaderConfig config;
    config.triangulate = false;  // fanned here, as PLY polygons are
    // Without a fallback, tinyobjloader keeps colours only when every vertex has them.
    config.vertex_color = false;
    tinyobj::ObjReader reader;
    if (!reader.ParseFromString(std::string(text), std::string(), config)) {
        return fail(ErrorCode::ParseError, "{}: {}", name, oneLine(reader.Error()));
    }
    const tinyobj::attrib_t& attrib = reader.GetAttrib();
    TriangleMesh mesh;
    const std::size_t vertexCount = attrib.vertices.size() / 3;
    mesh.positions.reserve(vertexCount);
    for (std::size_t v = 0; v < vertexCount; ++v) {
        mesh.positions.push_back(
            {attrib.vertices[3 * v], attrib.vertices[3 * v + 1], attrib.vertices[3 * v + 2]});
    }
    if (attrib.colors.size() == attrib.vertices.size()) {
        mesh.colours.reserve(vertexCount);
        for (std::size_t v = 0; v < vertexCount; ++v) {
            Rgb8 colour{};
            for (std::size_t c = 0; c < 3; ++c) {
                const float value = attrib.colors[3 * v + c] * 255.0F + 0.5F;
                colour[c] = static_cast<std::uint8_t>(
                    std::clamp(std::isnan(value) ? 0.0F : value, 0.0F, 255.0F));
            }
            mesh.colours.push_back(colour);
        }
    }
    for (const tinyobj::shape_t& shape : reader.GetShapes()) {
        const auto& indices = shape.mesh.indices;
        std::size_t first = 0;
        for (std::size_t f = 0; f < shape.mesh.num_face_vertices.size(); ++f) {
            const std::size_t corners = shape.mesh.num_face_vertices[f];
            if (first + corners > indices.size()) {
                return fail(ErrorCode::ParseError,
                            "{}: shape '{}' face {} has {} corners past its {} indices", name,
                            shape.name, f, corners, indices.size());
            }
            for (std::size_t k = 0; k < corners; ++k) {
                const int index = indices[first + k].vertex_index;
                if (index < 0 || static_cast<std::size_t>(index) >= vertexCount) {
                    return fail(ErrorCode::ParseError,
                                "{}: shape '{}' face {} refers to vertex {} (1-based {}); the "
                                "file has {} vertices",
                                name, shape.name, f, index, index + 1, vertexCount);
                }
            }
            const auto corner = [&](std::size_t k) {
                return static_cast<std::uint32_t>(indices[first + k].vertex_index);
            };
            for (std::size_t k = 1; k + 1 < corners; ++k) {
                mesh.triangles.push_back({corner(0), corner(k), corner(k + 1)});
            }
            first += corners;
        }
    }
    VIXEN_TRY(checkMesh(mesh, name));
    return mesh;
}

Result<TriangleMesh> readObjFile(const std::filesystem::path& path) {
    auto bytes = core::readBinaryFile(path);
    if (!bytes) {
        return std::unexpected(std::move(bytes.error()));
    }
    return parseObj(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()),
                    path.string());
}

}  // namespace vixen::voxel
