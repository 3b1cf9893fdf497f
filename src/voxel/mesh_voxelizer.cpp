#include "vixen/voxel/mesh_voxelizer.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "mesh_palette.hpp"
#include "solid_fill.hpp"
#include "vixen/voxel/sparse_scene.hpp"
#include "vixen/voxel/triangle_box.hpp"

namespace vixen::voxel {
namespace {

/// Tiles are voxelized independently; 64 voxels wide, a tile's row is one word of VoxelBits.
constexpr std::int32_t kTileSide = 64;
constexpr std::int32_t kTileBricks = kTileSide / kBrickSide;
constexpr std::size_t kBricksPerTile = kTileBricks * kTileBricks * kTileBricks;

using Brick = std::array<MaterialId, kBrickVoxels>;

/// A brick of a tile: its index in the tile (x fastest) and its materials.
struct TileBrick {
    std::uint16_t local = 0;
    Brick materials{};
};

struct TileOutput {
    std::vector<TileBrick> bricks;       ///< with 512 materials, in local order
    std::vector<std::uint16_t> uniform;  ///< bricks wholly enclosed (the interior material)
    std::uint64_t surfaceVoxels = 0;
    std::uint64_t solidVoxels = 0;
    std::array<std::uint64_t, 256> materialVoxels{};
};

/// A tile's voxels while it is voxelized, brick by brick; only the bricks touched are cleared
/// for the next tile.
struct TileScratch {
    std::vector<MaterialId> materials =
        std::vector<MaterialId>(kBricksPerTile * static_cast<std::size_t>(kBrickVoxels));
    std::array<bool, kBricksPerTile> touched{};
};

Int3 tileCoordinates(std::size_t tile, Int3 tiles) {
    const auto t = static_cast<std::int32_t>(tile);
    return {t % tiles.x, (t / tiles.x) % tiles.y, t / (tiles.x * tiles.y)};
}

Int3 brickOfLocal(std::size_t local) {
    const auto l = static_cast<std::int32_t>(local);
    return {l % kTileBricks, (l / kTileBricks) % kTileBricks, l / (kTileBricks * kTileBricks)};
}

/// The mesh in voxel units and what each voxel's material comes from.
class Voxelizer {
public:
    Voxelizer(const TriangleMesh& mesh, const MeshVoxelFrame& frame,
              const std::optional<ColourPalette>& colours)
        : mesh_(mesh), frame_(frame), colours_(colours) {}

    [[nodiscard]] Double3 corner(std::uint32_t vertex) const {
        const Float3& p = mesh_.positions[vertex];
        Double3 q{};
        for (std::size_t a = 0; a < 3; ++a) {
            q[a] = (static_cast<double>(p[a]) - frame_.origin[a]) * frame_.voxelsPerUnit;
        }
        return q;
    }

    /// The voxels the triangle's bounding box touches, within the scene.
    [[nodiscard]] std::array<VoxelSpan, 3> spansOf(const std::array<std::uint32_t, 3>& t) const {
        const std::array<Double3, 3> q{corner(t[0]), corner(t[1]), corner(t[2])};
        const std::array<std::int32_t, 3> side{frame_.size.x, frame_.size.y, frame_.size.z};
        std::array<VoxelSpan, 3> spans{};
        for (std::size_t a = 0; a < 3; ++a) {
            const VoxelSpan span = voxelsTouching(std::min({q[0][a], q[1][a], q[2][a]}),
                                                  std::max({q[0][a], q[1][a], q[2][a]}));
            spans[a] = {std::max<std::int64_t>(span.first, 0),
                        std::min<std::int64_t>(span.last, side[a] - 1)};
        }
        return spans;
    }

    /// Sets the voxels of `tile` that triangle `index` touches and no earlier one did.
    void voxelize(std::uint32_t index, Int3 tile, TileScratch& scratch) const {
        const auto& t = mesh_.triangles[index];
        const std::array<Double3, 3> q{corner(t[0]), corner(t[1]), corner(t[2])};
        const TriangleBoxTest test(q[0], q[1], q[2]);
        const std::array<std::int64_t, 3> tileMin{std::int64_t{tile.x} * kTileSide,
                                                  std::int64_t{tile.y} * kTileSide,
                                                  std::int64_t{tile.z} * kTileSide};
        const std::array<std::int32_t, 3> side{frame_.size.x, frame_.size.y, frame_.size.z};
        std::array<VoxelSpan, 3> spans{};
        for (std::size_t a = 0; a < 3; ++a) {
            const VoxelSpan span = test.span(a);
            spans[a] = {
                std::max(span.first, tileMin[a]),
                std::min({span.last, tileMin[a] + kTileSide - 1, std::int64_t{side[a]} - 1})};
        }
        const Shading shading = colours_ ? Shading(q, t, mesh_) : Shading();
        for (std::int64_t z = spans[2].first; z <= spans[2].last; ++z) {
            for (std::int64_t y = spans[1].first; y <= spans[1].last; ++y) {
                const VoxelSpan row = test.rowCandidates(y, z);
                const std::int64_t lastX = std::min(spans[0].last, row.last);
                for (std::int64_t x = std::max(spans[0].first, row.first); x <= lastX; ++x) {
                    const auto lx = static_cast<std::size_t>(x - tileMin[0]);
                    const auto ly = static_cast<std::size_t>(y - tileMin[1]);
                    const auto lz = static_cast<std::size_t>(z - tileMin[2]);
                    const std::size_t brick =
                        (lx >> 3U) + kTileBricks * ((ly >> 3U) + kTileBricks * (lz >> 3U));
                    const std::size_t voxel =
                        brick * kBrickVoxels + (lx & 7U) + 8U * ((ly & 7U) + 8U * (lz & 7U));
                    if (scratch.materials[voxel] != kEmpty || !test.overlaps(x, y, z)) {
                        continue;
                    }
                    scratch.materials[voxel] =
                        colours_ ? shading.material(*colours_, {static_cast<double>(x) + 0.5,
                                                                static_cast<double>(y) + 0.5,
                                                                static_cast<double>(z) + 0.5})
                                 : MaterialId{1};
                    scratch.touched[brick] = true;
                }
            }
        }
    }

private:
    /// A voxel's colour: the triangle's vertex colours interpolated at the point of its
    /// plane nearest the voxel's centre (barycentric weights clamped to the triangle).
    class Shading {
    public:
        Shading() = default;
        Shading(const std::array<Double3, 3>& q, const std::array<std::uint32_t, 3>& t,
                const TriangleMesh& mesh)
            : origin_(q[0]) {
            for (std::size_t a = 0; a < 3; ++a) {
                u_[a] = q[1][a] - q[0][a];
                v_[a] = q[2][a] - q[0][a];
            }
            uu_ = dot(u_, u_);
            uv_ = dot(u_, v_);
            vv_ = dot(v_, v_);
            const double determinant = uu_ * vv_ - uv_ * uv_;
            inverse_ = determinant > 0.0 ? 1.0 / determinant : 0.0;
            for (std::size_t k = 0; k < 3; ++k) {
                for (std::size_t c = 0; c < 3; ++c) {
                    colours_[k][c] = mesh.colours[t[k]][c];
                }
            }
        }

        [[nodiscard]] MaterialId material(const ColourPalette& palette, const Double3& p) const {
            const Double3 d{p[0] - origin_[0], p[1] - origin_[1], p[2] - origin_[2]};
            const double du = dot(d, u_);
            const double dv = dot(d, v_);
            double b = std::max((vv_ * du - uv_ * dv) * inverse_, 0.0);
            double c = std::max((uu_ * dv - uv_ * du) * inverse_, 0.0);
            double a = std::max(1.0 - b - c, 0.0);
            const double sum = a + b + c;
            a /= sum;
            b /= sum;
            c /= sum;
            std::array<float, 3> rgb{};
            for (std::size_t k = 0; k < 3; ++k) {
                rgb[k] = static_cast<float>(a * colours_[0][k] + b * colours_[1][k] +
                                            c * colours_[2][k]);
            }
            return palette.materialOf(rgb[0], rgb[1], rgb[2]);
        }

    private:
        static double dot(const Double3& p, const Double3& q) {
            return p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
        }

        Double3 origin_{};
        Double3 u_{};
        Double3 v_{};
        double uu_ = 0.0;
        double uv_ = 0.0;
        double vv_ = 0.0;
        double inverse_ = 0.0;
        std::array<std::array<double, 3>, 3> colours_{};
    };

    const TriangleMesh& mesh_;
    const MeshVoxelFrame& frame_;
    const std::optional<ColourPalette>& colours_;
};

/// Triangle indices by tile, in index order within each tile (so the lowest-numbered
/// triangle touching a voxel gives its material, whatever the threads did).
struct TileBins {
    std::vector<std::uint64_t> offsets;  ///< tile t's triangles: [offsets[t], offsets[t+1])
    std::vector<std::uint32_t> triangles;
    std::uint64_t degenerate = 0;
};

TileBins binTriangles(const TriangleMesh& mesh, const Voxelizer& voxelizer, Int3 tiles) {
    const auto tileCount = static_cast<std::size_t>(tiles.volume());
    const std::size_t triangleCount = mesh.triangles.size();
    std::vector<std::atomic<std::uint32_t>> counts(tileCount);
    std::atomic<std::uint64_t> degenerate{0};
    const auto forEachTile = [&](std::size_t index, auto&& visit) {
        const auto& t = mesh.triangles[index];
        if (isDegenerate(mesh, t)) {
            return false;
        }
        const auto spans = voxelizer.spansOf(t);
        for (std::int64_t z = spans[2].first / kTileSide; z <= spans[2].last / kTileSide; ++z) {
            for (std::int64_t y = spans[1].first / kTileSide; y <= spans[1].last / kTileSide; ++y) {
                for (std::int64_t x = spans[0].first / kTileSide; x <= spans[0].last / kTileSide;
                     ++x) {
                    visit(static_cast<std::size_t>(x + tiles.x * (y + std::int64_t{tiles.y} * z)));
                }
            }
        }
        return true;
    };
    const tbb::blocked_range<std::size_t> all(0, triangleCount, 4096);
    tbb::parallel_for(all, [&](const tbb::blocked_range<std::size_t>& range) {
        std::uint64_t skipped = 0;
        for (std::size_t i = range.begin(); i != range.end(); ++i) {
            skipped += forEachTile(i,
                                   [&](std::size_t tile) {
                                       counts[tile].fetch_add(1, std::memory_order_relaxed);
                                   })
                           ? 0U
                           : 1U;
        }
        degenerate.fetch_add(skipped, std::memory_order_relaxed);
    });
    TileBins bins;
    bins.degenerate = degenerate.load();
    bins.offsets.resize(tileCount + 1);
    for (std::size_t t = 0; t < tileCount; ++t) {
        bins.offsets[t + 1] = bins.offsets[t] + counts[t].load(std::memory_order_relaxed);
        counts[t].store(0, std::memory_order_relaxed);
    }
    bins.triangles.resize(static_cast<std::size_t>(bins.offsets[tileCount]));
    tbb::parallel_for(all, [&](const tbb::blocked_range<std::size_t>& range) {
        for (std::size_t i = range.begin(); i != range.end(); ++i) {
            forEachTile(i, [&](std::size_t tile) {
                const std::uint32_t slot = counts[tile].fetch_add(1, std::memory_order_relaxed);
                bins.triangles[static_cast<std::size_t>(bins.offsets[tile]) + slot] =
                    static_cast<std::uint32_t>(i);
            });
        }
    });
    tbb::parallel_for(std::size_t{0}, tileCount, [&](std::size_t t) {
        std::sort(bins.triangles.begin() + static_cast<std::ptrdiff_t>(bins.offsets[t]),
                  bins.triangles.begin() + static_cast<std::ptrdiff_t>(bins.offsets[t + 1]));
    });
    return bins;
}

Result<MeshVoxelFrame> frameOf(const MeshBounds& bounds, std::int32_t voxels,
                               std::string_view name) {
    double longest = 0.0;
    for (std::size_t a = 0; a < 3; ++a) {
        longest = std::max(longest,
                           static_cast<double>(bounds.max[a]) - static_cast<double>(bounds.min[a]));
    }
    if (!(longest > 0.0)) {
        return fail(ErrorCode::InvalidArgument, "{}: every vertex is at the same point", name);
    }
    MeshVoxelFrame frame;
    frame.voxelsPerUnit = voxels / longest;
    std::array<std::int32_t, 3> side{};
    for (std::size_t a = 0; a < 3; ++a) {
        frame.origin[a] = static_cast<double>(bounds.min[a]);
        const double extent =
            std::ceil((static_cast<double>(bounds.max[a]) - frame.origin[a]) * frame.voxelsPerUnit);
        // At least a brick a side, the smallest volume VIXEN builds.
        side[a] = std::clamp(static_cast<std::int32_t>(extent), kBrickSide, voxels);
    }
    frame.size = {side[0], side[1], side[2]};
    return frame;
}

}  // namespace

Int3 MeshVoxelFrame::voxelOf(const Float3& p) const noexcept {
    const std::array<std::int32_t, 3> side{size.x, size.y, size.z};
    std::array<std::int32_t, 3> v{};
    for (std::size_t a = 0; a < 3; ++a) {
        const double q = std::floor((static_cast<double>(p[a]) - origin[a]) * voxelsPerUnit);
        v[a] = static_cast<std::int32_t>(std::clamp(q, 0.0, static_cast<double>(side[a] - 1)));
    }
    return {v[0], v[1], v[2]};
}

Result<VoxelizedMesh> voxelizeMesh(const TriangleMesh& mesh, const MeshVoxelOptions& options,
                                   std::string_view name) {
    const auto started = std::chrono::steady_clock::now();
    if (options.voxels < kBrickSide || options.voxels > 4096) {
        return fail(ErrorCode::InvalidArgument,
                    "{}: {} voxels along the longest side; 8 to 4096 are possible", name,
                    options.voxels);
    }
    if (options.solid && options.voxels > kMaxSolidMeshSide) {
        return fail(ErrorCode::InvalidArgument,
                    "{}: solid fill of {} voxels a side; it works up to {} (two bits a voxel of "
                    "the whole box)",
                    name, options.voxels, kMaxSolidMeshSide);
    }
    auto bounds = checkMesh(mesh, name);
    if (!bounds) {
        return std::unexpected(std::move(bounds.error()));
    }
    auto frame = frameOf(*bounds, options.voxels, name);
    if (!frame) {
        return std::unexpected(std::move(frame.error()));
    }
    std::optional<ColourPalette> colours;
    if (options.vertexColours && mesh.hasColours()) {
        colours.emplace(mesh.colours);
    }
    Palette palette;
    if (colours) {
        auto made = colours->palette();
        if (!made) {
            return std::unexpected(std::move(made.error()));
        }
        palette = std::move(*made);
    } else {
        VIXEN_TRY(palette.add(options.material));
    }

    const Int3 size = frame->size;
    const Int3 tiles = cellsCovering(size, kTileSide);
    const Voxelizer voxelizer(mesh, *frame, colours);
    TileBins bins = binTriangles(mesh, voxelizer, tiles);
    if (bins.degenerate == mesh.triangles.size()) {
        return fail(ErrorCode::InvalidArgument, "{}: all {} triangles have no area", name,
                    mesh.triangles.size());
    }

    // The surface, tile by tile.
    const auto tileCount = static_cast<std::size_t>(tiles.volume());
    std::vector<TileOutput> outputs(tileCount);
    std::optional<VoxelBits> surface;
    if (options.solid) {
        surface.emplace(size);
    }
    tbb::enumerable_thread_specific<TileScratch> scratches;
    tbb::parallel_for(std::size_t{0}, tileCount, [&](std::size_t t) {
        if (bins.offsets[t] == bins.offsets[t + 1]) {
            return;
        }
        TileScratch& scratch = scratches.local();
        const Int3 tile = tileCoordinates(t, tiles);
        for (std::uint64_t k = bins.offsets[t]; k < bins.offsets[t + 1]; ++k) {
            voxelizer.voxelize(bins.triangles[static_cast<std::size_t>(k)], tile, scratch);
        }
        TileOutput& out = outputs[t];
        for (std::size_t local = 0; local < kBricksPerTile; ++local) {
            if (!scratch.touched[local]) {
                continue;
            }
            scratch.touched[local] = false;
            TileBrick& brick = out.bricks.emplace_back();
            brick.local = static_cast<std::uint16_t>(local);
            const auto first =
                scratch.materials.begin() + static_cast<std::ptrdiff_t>(local * kBrickVoxels);
            std::copy(first, first + kBrickVoxels, brick.materials.begin());
            std::fill(first, first + kBrickVoxels, kEmpty);
            const Int3 origin = tile * kTileSide + brickOfLocal(local) * kBrickSide;
            for (std::int32_t v = 0; v < kBrickVoxels; ++v) {
                const MaterialId m = brick.materials[static_cast<std::size_t>(v)];
                ++out.materialVoxels[m];
                if (m != kEmpty && surface) {
                    const Int3 p = origin + Int3{v % 8, (v / 8) % 8, v / 64};
                    surface->row(p.y, p.z)[p.x / 64] |= std::uint64_t{1} << (p.x % 64);
                }
            }
        }
        out.surfaceVoxels = kBrickVoxels * out.bricks.size() - out.materialVoxels[kEmpty];
        out.solidVoxels = out.surfaceVoxels;
    });

    // Enclosed voxels take the surface's most common material.
    std::array<std::uint64_t, 256> counts{};
    for (const TileOutput& out : outputs) {
        for (std::size_t m = 1; m < counts.size(); ++m) {
            counts[m] += out.materialVoxels[m];
        }
    }
    const auto interior = static_cast<MaterialId>(
        std::max_element(counts.begin() + 1, counts.end()) - counts.begin());
    if (surface) {
        const VoxelBits inside = enclosedBy(*surface);
        tbb::parallel_for(std::size_t{0}, tileCount, [&](std::size_t t) {
            const Int3 tile = tileCoordinates(t, tiles);
            TileOutput& out = outputs[t];
            std::size_t next = 0;  // out.bricks is in local order
            for (std::size_t local = 0; local < kBricksPerTile; ++local) {
                const Int3 origin = tile * kTileSide + brickOfLocal(local) * kBrickSide;
                if (origin.x >= size.x || origin.y >= size.y || origin.z >= size.z) {
                    continue;
                }
                BrickMask enclosed;
                for (std::int32_t z = 0; z < kBrickSide && origin.z + z < size.z; ++z) {
                    for (std::int32_t y = 0; y < kBrickSide && origin.y + y < size.y; ++y) {
                        const std::uint64_t byte =
                            (inside.row(origin.y + y, origin.z + z)[tile.x] >> (origin.x % 64)) &
                            0xFFU;
                        enclosed.words[static_cast<std::size_t>(z)] |= byte << (8 * y);
                    }
                }
                const bool hasSurface = next < out.bricks.size() && out.bricks[next].local == local;
                if (enclosed.none()) {
                    next += hasSurface ? 1U : 0U;
                    continue;
                }
                out.solidVoxels += static_cast<std::uint64_t>(enclosed.count());
                if (!hasSurface && enclosed.all()) {
                    out.uniform.push_back(static_cast<std::uint16_t>(local));
                    continue;
                }
                if (!hasSurface) {
                    out.bricks.insert(out.bricks.begin() + static_cast<std::ptrdiff_t>(next),
                                      TileBrick{static_cast<std::uint16_t>(local), {}});
                }
                Brick& materials = out.bricks[next++].materials;
                for (std::int32_t v = 0; v < kBrickVoxels; ++v) {
                    if (enclosed.test(v % 8, (v / 8) % 8, v / 64)) {
                        materials[static_cast<std::size_t>(v)] = interior;
                    }
                }
            }
        });
    }

    // Into the scene, in tile order.
    std::size_t stored = 0;
    std::size_t withMaterials = 0;
    for (const TileOutput& out : outputs) {
        stored += out.bricks.size() + out.uniform.size();
        withMaterials += out.bricks.size();
    }
    auto scene = std::make_unique<SparseVoxelScene>(size, std::move(palette));
    scene->reserve(stored, withMaterials);
    VoxelizedMesh result;
    for (std::size_t t = 0; t < tileCount; ++t) {
        const Int3 firstBrick = tileCoordinates(t, tiles) * kTileBricks;
        for (const TileBrick& brick : outputs[t].bricks) {
            scene->setBrick(firstBrick + brickOfLocal(brick.local), brick.materials);
        }
        for (const std::uint16_t local : outputs[t].uniform) {
            scene->setUniformBrick(firstBrick + brickOfLocal(local), interior);
        }
        result.stats.surfaceVoxels += outputs[t].surfaceVoxels;
        result.stats.solidVoxels += outputs[t].solidVoxels;
    }
    result.scene = std::move(scene);
    result.frame = *frame;
    result.stats.triangles = mesh.triangles.size();
    result.stats.degenerateTriangles = bins.degenerate;
    result.stats.milliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    return result;
}

}  // namespace vixen::voxel
