// Mesh files: OBJ through tinyobjloader, meshes and bad files through openSceneFile, and the
// Stanford bunny and Utah teapot (npm packages fetched at test time, converted to OBJ and
// PLY) read with the counts, bounds and vertices their own JavaScript modules hold.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "vixen/core/files.hpp"
#include "vixen/voxel/mesh_voxelizer.hpp"
#include "vixen/voxel/obj_file.hpp"
#include "vixen/voxel/ply_file.hpp"
#include "vixen/voxel/scene_files.hpp"

namespace vixen::voxel {
namespace {

TEST(ObjFile, PositionsColoursAndPolygonsAreRead) {
    const auto mesh = parseObj(
        "# a coloured quad and a triangle\n"
        "v 0 0 0 1 0 0\nv 2 0 0 0 1 0\nv 2 2 0 0 0 1\nv 0 2 0 1 1 1\nv 1 1 3 0.5 0.5 0.5\n"
        "vn 0 0 1\nf 1//1 2//1 3//1 4//1\nf -1 1 2\n",
        "quad.obj");
    ASSERT_TRUE(mesh) << mesh.error().message;
    EXPECT_EQ(mesh->positions.size(), 5U);
    EXPECT_EQ(mesh->positions[4], (Float3{1, 1, 3}));
    ASSERT_EQ(mesh->colours.size(), 5U);
    EXPECT_EQ(mesh->colours[0], (Rgb8{255, 0, 0}));
    EXPECT_EQ(mesh->colours[4], (Rgb8{128, 128, 128}));
    const std::vector<std::array<std::uint32_t, 3>> triangles{{0, 1, 2}, {0, 2, 3}, {4, 0, 1}};
    EXPECT_EQ(mesh->triangles, triangles);
    // Without colours on every vertex, none.
    const auto plain = parseObj("v 0 0 0\nv 1 0 0 1 0 0\nv 0 1 0\nf 1 2 3\n", "plain.obj");
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_FALSE(plain->hasColours());
}

TEST(ObjFile, BadFilesAreRefusedNamingTheLineOrFace) {
    const auto zero = parseObj("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\nf 0 1 2\n", "zero.obj");
    ASSERT_FALSE(zero);
    EXPECT_NE(zero.error().message.find("zero.obj"), std::string::npos);
    EXPECT_NE(zero.error().message.find("line 5"), std::string::npos) << zero.error().message;
    const auto past = parseObj("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\nf 1 2 9\n", "past.obj");
    ASSERT_FALSE(past);
    EXPECT_NE(past.error().message.find("face 1 refers to vertex 8 (1-based 9)"), std::string::npos)
        << past.error().message;
    const auto empty = parseObj("# nothing\n", "empty.obj");
    ASSERT_FALSE(empty);
    EXPECT_NE(empty.error().message.find("empty"), std::string::npos);
}

SceneFileOptions meshAt(std::int32_t voxels, bool solid = false, std::int32_t maxSide = 4096) {
    SceneFileOptions options;
    options.meshVoxels = voxels;
    options.solid = solid;
    options.maxSide = maxSide;
    return options;
}

class SceneFilesTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("vixen_mesh_files_" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path write(const std::string& name, std::string_view text) {
        std::ofstream(dir_ / name, std::ios::binary) << text;
        return dir_ / name;
    }
    std::filesystem::path dir_;
};

constexpr std::string_view kTetrahedronObj =
    "v 0 0 0\nv 10 0 0\nv 0 10 0\nv 0 0 10\nf 1 3 2\nf 1 2 4\nf 1 4 3\nf 2 3 4\n";

TEST_F(SceneFilesTest, MeshesOpenAtTheRequestedResolution) {
    const auto obj = write("tetra.obj", kTetrahedronObj);
    const auto surface = openSceneFile(obj, meshAt(40));
    ASSERT_TRUE(surface) << surface.error().message;
    EXPECT_EQ((*surface)->size(), (Int3{40, 40, 40}));
    const auto solid = openSceneFile(obj, meshAt(40, true));
    ASSERT_TRUE(solid) << solid.error().message;
    EXPECT_TRUE(isMeshFile(obj));
    EXPECT_TRUE(isMeshFile("a/B.PLY.GZ"));
    EXPECT_FALSE(isMeshFile("a/b.vox"));
    const auto ply = write("tri.ply",
                           "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty "
                           "float y\nproperty float z\nelement face 1\nproperty list uchar int "
                           "vertex_indices\nend_header\n0 0 0\n4 0 0\n0 4 1\n3 0 1 2\n");
    const auto fromPly = openSceneFile(ply, meshAt(16));
    ASSERT_TRUE(fromPly) << fromPly.error().message;
    EXPECT_EQ((*fromPly)->size(), (Int3{16, 16, 8}));
}

TEST_F(SceneFilesTest, BadMeshFilesAreRefusedNamingTheFile) {
    const auto refused = [](const Result<std::unique_ptr<SceneSource>>& scene, ErrorCode code,
                            std::string_view expected) {
        ASSERT_FALSE(scene) << expected;
        EXPECT_EQ(scene.error().code, code) << scene.error().message;
        EXPECT_NE(scene.error().message.find(expected), std::string::npos) << scene.error().message;
    };
    refused(openSceneFile(dir_ / "missing.obj"), ErrorCode::NotFound, "missing.obj");
    refused(openSceneFile(write("garbage.ply", "not a mesh\n")), ErrorCode::ParseError,
            "garbage.ply: line 1");
    refused(openSceneFile(write("garbage.ply.gz", "\x1f\x8b garbage")), ErrorCode::ParseError,
            "garbage.ply.gz: offset");
    refused(openSceneFile(write("zero.obj", "v 0 0 0\nf 0 0 0\n")), ErrorCode::ParseError,
            "zero.obj");
    refused(openSceneFile(write("flat.obj", "v 0 0 0\nv 1 1 1\nv 2 2 2\nf 1 2 3\n")),
            ErrorCode::InvalidArgument, "no area");
    refused(openSceneFile(write("big.obj", kTetrahedronObj), meshAt(128, false, 64)),
            ErrorCode::CapacityExceeded, "big.obj");
    refused(openSceneFile(write("mesh.stl", "solid\n")), ErrorCode::InvalidArgument, ".ply.gz");
}

/// The numbers of the JavaScript array after `key` in `text` (nested arrays flattened).
std::vector<double> numbersAfter(const std::string& text, std::string_view key) {
    std::vector<double> numbers;
    std::size_t at = text.find(key);
    if (at == std::string::npos) {
        return numbers;
    }
    at = text.find('[', at);
    int depth = 0;
    while (at < text.size()) {
        const char c = text[at];
        if (c == '[') {
            ++depth;
        } else if (c == ']') {
            if (--depth == 0) {
                break;
            }
        } else if (c == '-' || c == '.' || (c >= '0' && c <= '9')) {
            char* end = nullptr;
            numbers.push_back(std::strtod(text.c_str() + at, &end));
            at = static_cast<std::size_t>(end - text.c_str());
            continue;
        }
        ++at;
    }
    return numbers;
}

/// What a mesh package's own module holds.
struct PackageMesh {
    std::vector<Float3> positions;
    std::vector<std::array<std::uint32_t, 3>> cells;
};

PackageMesh readPackage(const std::filesystem::path& module) {
    const auto bytes = core::readBinaryFile(module);
    const std::string text =
        bytes ? std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size()) : "";
    const std::vector<double> positions = numbersAfter(text, "positions");
    const std::vector<double> cells = numbersAfter(text, "cells");
    PackageMesh mesh;
    for (std::size_t i = 0; i + 2 < positions.size(); i += 3) {
        mesh.positions.push_back({static_cast<float>(positions[i]),
                                  static_cast<float>(positions[i + 1]),
                                  static_cast<float>(positions[i + 2])});
    }
    for (std::size_t i = 0; i + 2 < cells.size(); i += 3) {
        mesh.cells.push_back({static_cast<std::uint32_t>(cells[i]),
                              static_cast<std::uint32_t>(cells[i + 1]),
                              static_cast<std::uint32_t>(cells[i + 2])});
    }
    return mesh;
}

void checkRealMesh(const std::string& name, const std::string& module) {
    const std::filesystem::path data(VIXEN_TEST_DATA_DIR);
    const std::filesystem::path meshes = data / "meshes";
    if (!std::filesystem::exists(meshes / (name + ".ply"))) {
        GTEST_SKIP() << "the " << name << " npm package was not fetched or converted "
                     << "(scripts/fetch-test-data.sh: npm registry unreachable, or no node?)";
    }
    const PackageMesh expected = readPackage(data / name / "package" / module);
    ASSERT_GT(expected.cells.size(), 100U);
    Float3 low = expected.positions[0];
    Float3 high = low;
    for (const Float3& p : expected.positions) {
        for (std::size_t a = 0; a < 3; ++a) {
            low[a] = std::min(low[a], p[a]);
            high[a] = std::max(high[a], p[a]);
        }
    }
    const std::vector<std::pair<std::string, Result<TriangleMesh>>> reads{
        {"obj", readObjFile(meshes / (name + ".obj"))},
        {"binary ply", readPlyFile(meshes / (name + ".ply"))},
        {"ascii ply.gz", readPlyFile(meshes / (name + ".ascii.ply.gz"))}};
    for (const auto& [format, mesh] : reads) {
        SCOPED_TRACE(name + " " + format);
        ASSERT_TRUE(mesh) << mesh.error().message;
        EXPECT_EQ(mesh->positions.size(), expected.positions.size());
        EXPECT_EQ(mesh->triangles, expected.cells);
        const auto bounds = checkMesh(*mesh, name);
        ASSERT_TRUE(bounds) << bounds.error().message;
        for (std::size_t a = 0; a < 3; ++a) {
            EXPECT_NEAR(bounds->min[a], low[a], 1e-5F * std::abs(low[a]) + 1e-6F);
            EXPECT_NEAR(bounds->max[a], high[a], 1e-5F * std::abs(high[a]) + 1e-6F);
        }
    }
    // Voxelized: the voxel of every corner of a triangle with area is set, mapped by the
    // scale the bounds give (the longest side is 200 voxels).
    MeshVoxelOptions options;
    options.voxels = 200;
    const auto voxelized = voxelizeMesh(*reads[1].second, options, name);
    ASSERT_TRUE(voxelized) << voxelized.error().message;
    double longest = 0.0;
    for (std::size_t a = 0; a < 3; ++a) {
        longest = std::max(longest, static_cast<double>(high[a]) - static_cast<double>(low[a]));
    }
    const double scale = 200.0 / longest;
    const Int3 size = voxelized->scene->size();
    std::size_t checked = 0;
    for (const auto& cell : expected.cells) {
        TriangleMesh triangle;
        triangle.positions = {expected.positions[cell[0]], expected.positions[cell[1]],
                              expected.positions[cell[2]]};
        if (isDegenerate(triangle, {0, 1, 2})) {
            continue;
        }
        for (const Float3& p : triangle.positions) {
            std::array<std::int32_t, 3> v{};
            const std::array<std::int32_t, 3> side{size.x, size.y, size.z};
            for (std::size_t a = 0; a < 3; ++a) {
                const double q =
                    std::floor((static_cast<double>(p[a]) - static_cast<double>(low[a])) * scale);
                v[a] = static_cast<std::int32_t>(std::clamp(q, 0.0, side[a] - 1.0));
            }
            const Int3 brick{v[0] / 8 * 8, v[1] / 8 * 8, v[2] / 8 * 8};
            std::array<MaterialId, kBrickVoxels> materials{};
            voxelized->scene->fillBrick(brick, materials);
            ASSERT_NE(materials[static_cast<std::size_t>(
                          voxelIndex(v[0] - brick.x, v[1] - brick.y, v[2] - brick.z))],
                      kEmpty)
                << "vertex at voxel " << v[0] << ", " << v[1] << ", " << v[2];
            ++checked;
        }
    }
    EXPECT_GT(checked, expected.cells.size());
}

TEST(MeshRealFiles, StanfordBunnyReadsAsItsPackageHoldsIt) {
    checkRealMesh("bunny", "index.js");
}

TEST(MeshRealFiles, UtahTeapotReadsAsItsPackageHoldsIt) {
    checkRealMesh("teapot", "teapot.js");
}

}  // namespace
}  // namespace vixen::voxel
