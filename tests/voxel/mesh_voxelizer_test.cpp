// Meshes into voxels: single triangles against an independent exact check (the triangle
// clipped by the voxel's cube), closed boxes filled to their exact voxel counts, an open box
// not flooded, a parallel run equal to a serial one, bad meshes refused with the element named.
#include "vixen/voxel/mesh_voxelizer.hpp"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include "vixen/voxel/brick_volume.hpp"

namespace vixen::voxel {
namespace {

using Point = std::array<double, 3>;

MeshVoxelOptions at(std::int32_t voxels, bool solid = false) {
    MeshVoxelOptions options;
    options.voxels = voxels;
    options.solid = solid;
    return options;
}

/// Every voxel of `scene`, x fastest.
std::vector<MaterialId> voxelsOf(const SceneSource& scene) {
    const Int3 size = scene.size();
    std::vector<MaterialId> voxels(static_cast<std::size_t>(size.volume()));
    std::array<MaterialId, kBrickVoxels> brick{};
    const Int3 bricks = cellsCovering(size, kBrickSide);
    for (std::int32_t bz = 0; bz < bricks.z; ++bz) {
        for (std::int32_t by = 0; by < bricks.y; ++by) {
            for (std::int32_t bx = 0; bx < bricks.x; ++bx) {
                const Int3 origin = Int3{bx, by, bz} * kBrickSide;
                scene.fillBrick(origin, brick);
                for (std::int32_t v = 0; v < kBrickVoxels; ++v) {
                    const Int3 p = origin + Int3{v % 8, (v / 8) % 8, v / 64};
                    if (p.x < size.x && p.y < size.y && p.z < size.z) {
                        voxels[static_cast<std::size_t>(p.x + size.x * (p.y + size.y * p.z))] =
                            brick[static_cast<std::size_t>(v)];
                    }
                }
            }
        }
    }
    return voxels;
}

/// The independent criterion: the triangle clipped by the six closed half-spaces of the cube
/// [low, low + 1]^3 (Sutherland-Hodgman) keeps a point exactly when the two meet.
bool clippedTriangleMeetsCube(const std::array<Point, 3>& triangle, const Point& low) {
    std::vector<Point> polygon(triangle.begin(), triangle.end());
    for (std::size_t axis = 0; axis < 3; ++axis) {
        for (const bool upper : {false, true}) {
            const double bound = low[axis] + (upper ? 1.0 : 0.0);
            const auto inside = [&](const Point& p) {
                return upper ? p[axis] <= bound : p[axis] >= bound;
            };
            std::vector<Point> kept;
            for (std::size_t i = 0; i < polygon.size(); ++i) {
                const Point& p = polygon[i];
                const Point& q = polygon[(i + 1) % polygon.size()];
                if (inside(p)) {
                    kept.push_back(p);
                }
                if (inside(p) != inside(q)) {
                    const double t = (bound - p[axis]) / (q[axis] - p[axis]);
                    Point crossing{};
                    for (std::size_t a = 0; a < 3; ++a) {
                        crossing[a] = p[a] + t * (q[a] - p[a]);
                    }
                    crossing[axis] = bound;
                    kept.push_back(crossing);
                }
            }
            if (kept.empty()) {
                return false;
            }
            polygon = std::move(kept);
        }
    }
    return true;
}

/// A mesh whose bounding box is [0, 64]^3 exactly (a triangle of no area from corner to
/// corner), so that at 64 voxels a mesh unit is a voxel and the voxels are at integers.
TriangleMesh inUnitVoxels() {
    TriangleMesh mesh;
    mesh.positions = {{0, 0, 0}, {64, 64, 64}};
    mesh.triangles = {{0, 0, 1}};
    return mesh;
}

void addTriangle(TriangleMesh& mesh, const Float3& a, const Float3& b, const Float3& c) {
    const auto first = static_cast<std::uint32_t>(mesh.positions.size());
    mesh.positions.insert(mesh.positions.end(), {a, b, c});
    mesh.triangles.push_back({first, first + 1, first + 2});
}

/// The 12 triangles of the box [low, high], without the +y face when `open`.
void addBox(TriangleMesh& mesh, const Float3& low, const Float3& high, bool open = false) {
    const auto corner = [&](int i) {
        return Float3{(i & 1) != 0 ? high[0] : low[0], (i & 2) != 0 ? high[1] : low[1],
                      (i & 4) != 0 ? high[2] : low[2]};
    };
    // Each face by its 4 corners, in order around it.
    const std::array<std::array<int, 4>, 6> faces{
        {{0, 2, 6, 4}, {1, 3, 7, 5}, {0, 1, 5, 4}, {2, 3, 7, 6}, {0, 1, 3, 2}, {4, 5, 7, 6}}};
    for (std::size_t f = 0; f < faces.size(); ++f) {
        if (open && f == 3) {
            continue;
        }
        const auto& q = faces[f];
        addTriangle(mesh, corner(q[0]), corner(q[1]), corner(q[2]));
        addTriangle(mesh, corner(q[0]), corner(q[2]), corner(q[3]));
    }
}

std::uint64_t countSolid(const SceneSource& scene) {
    std::uint64_t solid = 0;
    for (const MaterialId m : voxelsOf(scene)) {
        solid += m != kEmpty ? 1U : 0U;
    }
    return solid;
}

TEST(MeshVoxelizer, SingleTrianglesMatchAnIndependentExactCheck) {
    std::mt19937 random(11);
    std::uniform_real_distribution<float> coordinate(1.0F, 63.0F);
    std::vector<std::array<Float3, 3>> triangles{
        {{{3.3F, 4.1F, 10.0F}, {30.7F, 9.9F, 10.0F}, {12.2F, 40.6F, 10.0F}}},  // on a voxel plane
        {{{5.5F, 5.5F, 5.5F}, {50.25F, 6.0F, 7.0F}, {5.75F, 5.6F, 60.1F}}},    // a sliver
    };
    for (int k = 0; k < 10; ++k) {
        std::array<Float3, 3> t{};
        for (Float3& p : t) {
            p = {coordinate(random), coordinate(random), coordinate(random)};
        }
        triangles.push_back(t);
    }
    for (const auto& t : triangles) {
        TriangleMesh mesh = inUnitVoxels();
        addTriangle(mesh, t[0], t[1], t[2]);
        const auto voxelized = voxelizeMesh(mesh, at(64), "triangle");
        ASSERT_TRUE(voxelized) << voxelized.error().message;
        EXPECT_EQ(voxelized->stats.degenerateTriangles, 1U);
        ASSERT_EQ(voxelized->scene->size(), (Int3{64, 64, 64}));
        const std::vector<MaterialId> voxels = voxelsOf(*voxelized->scene);
        std::array<Point, 3> corners{};
        for (std::size_t k = 0; k < 3; ++k) {
            for (std::size_t a = 0; a < 3; ++a) {
                corners[k][a] = static_cast<double>(t[k][a]);
            }
        }
        std::uint64_t expected = 0;
        for (std::int32_t z = 0; z < 64; ++z) {
            for (std::int32_t y = 0; y < 64; ++y) {
                for (std::int32_t x = 0; x < 64; ++x) {
                    const bool meets = clippedTriangleMeetsCube(
                        corners,
                        {static_cast<double>(x), static_cast<double>(y), static_cast<double>(z)});
                    expected += meets ? 1U : 0U;
                    ASSERT_EQ(voxels[static_cast<std::size_t>(x + 64 * (y + 64 * z))] != kEmpty,
                              meets)
                        << "voxel " << x << ", " << y << ", " << z;
                }
            }
        }
        EXPECT_EQ(voxelized->stats.surfaceVoxels, expected);
        // Every point of the triangle lies in a set voxel.
        constexpr int kSteps = 300;
        for (int i = 0; i <= kSteps; ++i) {
            for (int j = 0; i + j <= kSteps; ++j) {
                const double b = static_cast<double>(i) / kSteps;
                const double c = static_cast<double>(j) / kSteps;
                std::array<std::size_t, 3> v{};
                for (std::size_t a = 0; a < 3; ++a) {
                    const double p =
                        (1.0 - b - c) * corners[0][a] + b * corners[1][a] + c * corners[2][a];
                    v[a] = static_cast<std::size_t>(std::min(std::floor(p), 63.0));
                }
                EXPECT_NE(voxels[v[0] + 64 * (v[1] + 64 * v[2])], kEmpty);
            }
        }
    }
}

TEST(MeshVoxelizer, ClosedBoxesFilledGiveTheirExactVoxelCounts) {
    TriangleMesh mesh;
    // Faces on voxel planes touch the voxels on both sides: [0, 16] covers voxels 0..16; a
    // face inside a voxel only that one: [40.3, 64] covers 40..63.
    addBox(mesh, {0, 0, 0}, {16, 16, 16});
    addBox(mesh, {40.3F, 40.3F, 40.3F}, {64, 64, 64});
    const auto surface = voxelizeMesh(mesh, at(64), "boxes");
    ASSERT_TRUE(surface) << surface.error().message;
    const std::uint64_t shells = (17 * 17 * 17 - 14 * 14 * 14) + (24 * 24 * 24 - 22 * 22 * 22);
    EXPECT_EQ(surface->stats.surfaceVoxels, shells);
    EXPECT_EQ(surface->stats.solidVoxels, shells);
    EXPECT_EQ(countSolid(*surface->scene), shells);
    const auto solid = voxelizeMesh(mesh, at(64, true), "boxes");
    ASSERT_TRUE(solid) << solid.error().message;
    EXPECT_EQ(solid->stats.surfaceVoxels, shells);
    EXPECT_EQ(solid->stats.solidVoxels, 17U * 17 * 17 + 24U * 24 * 24);
    EXPECT_EQ(countSolid(*solid->scene), 17U * 17 * 17 + 24U * 24 * 24);
    // Through BrickVolume too: the uniform interior bricks answer as solid.
    const auto volume = BrickVolume::build(*solid->scene);
    ASSERT_TRUE(volume) << volume.error().message;
    EXPECT_EQ(volume->solidVoxels(), 17U * 17 * 17 + 24U * 24 * 24);
}

TEST(MeshVoxelizer, AnOpenBoxIsNotFlooded) {
    TriangleMesh closed = inUnitVoxels();
    addBox(closed, {8, 8, 8}, {40, 40, 40});
    TriangleMesh open = inUnitVoxels();
    addBox(open, {8, 8, 8}, {40, 40, 40}, true);
    const auto filled = voxelizeMesh(closed, at(64, true), "closed");
    const auto notFilled = voxelizeMesh(open, at(64, true), "open");
    ASSERT_TRUE(filled && notFilled);
    EXPECT_EQ(filled->stats.solidVoxels, 34U * 34 * 34);  // voxels 7..40
    EXPECT_EQ(notFilled->stats.solidVoxels, notFilled->stats.surfaceVoxels);
    EXPECT_LT(notFilled->stats.solidVoxels, 34U * 34 * 34 - 30U * 30 * 30);
}

TEST(MeshVoxelizer, ATorusFillsAroundItsHole) {
    const TriangleMesh torus = makeTorusMesh(96, 48, 3.0F, 1.0F, false);
    const auto solid = voxelizeMesh(torus, at(128, true), "torus");
    ASSERT_TRUE(solid) << solid.error().message;
    // The torus's volume 2 pi^2 R r^2 in voxels (128 voxels over 8 units), within the
    // surface's thickness.
    const double scale = 128.0 / 8.0;
    const double volume = 2.0 * std::numbers::pi * std::numbers::pi * 3.0 * std::pow(scale, 3.0);
    EXPECT_NEAR(static_cast<double>(solid->stats.solidVoxels), volume, 0.15 * volume);
    // The centre of the hole stays empty.
    std::array<MaterialId, kBrickVoxels> brick{};
    solid->scene->fillBrick({64, 8, 64}, brick);
    EXPECT_EQ(brick[0], kEmpty);
}

TEST(MeshVoxelizer, ParallelResultEqualsASerialRun) {
    const TriangleMesh torus = makeTorusMesh(200, 90, 3.0F, 1.2F, true);
    for (const bool solidFill : {false, true}) {
        const MeshVoxelOptions options = at(200, solidFill);
        const auto parallel = voxelizeMesh(torus, options, "torus");
        Result<VoxelizedMesh> serial = fail(ErrorCode::InvalidState, "not run");
        tbb::task_arena one(1);
        one.execute([&] { serial = voxelizeMesh(torus, options, "torus"); });
        ASSERT_TRUE(parallel && serial);
        EXPECT_GT(parallel->scene->palette().size(), 8U);
        EXPECT_EQ(parallel->stats.solidVoxels, serial->stats.solidVoxels);
        EXPECT_TRUE(voxelsOf(*parallel->scene) == voxelsOf(*serial->scene));
    }
}

TEST(MeshVoxelizer, VertexColoursBecomeMaterials) {
    TriangleMesh mesh;
    addTriangle(mesh, {0, 0, 0}, {32, 0, 0}, {0, 32, 0});
    mesh.colours = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
    const auto voxelized = voxelizeMesh(mesh, at(32), "rgb");
    ASSERT_TRUE(voxelized) << voxelized.error().message;
    const Palette& palette = voxelized->scene->palette();
    ASSERT_EQ(palette.size(), 3U);
    const std::vector<MaterialId> voxels = voxelsOf(*voxelized->scene);
    const auto albedoAt = [&](std::size_t x, std::size_t y) {
        const MaterialId m = voxels[x + 32 * y];
        EXPECT_NE(m, kEmpty);
        return palette[m].albedo;
    };
    EXPECT_GT(albedoAt(0, 0)[0], 0.9F);   // red corner
    EXPECT_GT(albedoAt(31, 0)[1], 0.9F);  // green corner
    EXPECT_GT(albedoAt(0, 31)[2], 0.9F);  // blue corner
    // Without colours, one given material.
    MeshVoxelOptions oneMaterial = at(32);
    oneMaterial.vertexColours = false;
    oneMaterial.material.albedo = {0.1F, 0.2F, 0.3F};
    const auto plain = voxelizeMesh(mesh, oneMaterial, "plain");
    ASSERT_TRUE(plain);
    ASSERT_EQ(plain->scene->palette().size(), 1U);
    EXPECT_EQ(plain->scene->palette()[1].albedo[2], 0.3F);
}

TEST(MeshVoxelizer, BadMeshesAreRefusedNamingTheElement) {
    TriangleMesh mesh;
    addTriangle(mesh, {0, 0, 0}, {1, 0, 0}, {0, 1, 0});
    addTriangle(mesh, {0, 0, 1}, {1, 0, 1}, {0, 1, 1});
    const auto refused = [](const TriangleMesh& bad, std::string_view expected,
                            std::int32_t voxels = 16) {
        const auto result = voxelizeMesh(bad, at(voxels), "bad.mesh");
        ASSERT_FALSE(result) << expected;
        EXPECT_NE(result.error().message.find(expected), std::string::npos)
            << result.error().message;
        EXPECT_NE(result.error().message.find("bad.mesh"), std::string::npos);
    };
    TriangleMesh nan = mesh;
    nan.positions[4][2] = std::numeric_limits<float>::quiet_NaN();
    refused(nan, "vertex 4 ");
    TriangleMesh infinite = mesh;
    infinite.positions[1][0] = std::numeric_limits<float>::infinity();
    refused(infinite, "vertex 1 ");
    TriangleMesh outOfRange = mesh;
    outOfRange.triangles[1][2] = 6;
    refused(outOfRange, "triangle 1 refers to vertex 6");
    refused(TriangleMesh{}, "empty");
    TriangleMesh flat;
    addTriangle(flat, {0, 0, 0}, {1, 1, 1}, {2, 2, 2});
    addTriangle(flat, {0, 0, 0}, {0, 0, 0}, {3, 1, 1});
    refused(flat, "all 2 triangles have no area");
    refused(mesh, "8 to 4096", 4);
    // Degenerate triangles among others: skipped and counted.
    TriangleMesh some = mesh;
    addTriangle(some, {0, 0, 0}, {0.5F, 0.5F, 0.5F}, {1, 1, 1});
    const auto counted = voxelizeMesh(some, at(16), "some");
    ASSERT_TRUE(counted);
    EXPECT_EQ(counted->stats.triangles, 3U);
    EXPECT_EQ(counted->stats.degenerateTriangles, 1U);
}

}  // namespace
}  // namespace vixen::voxel
