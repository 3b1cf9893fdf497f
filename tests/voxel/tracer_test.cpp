#include "vixen/voxel/tracer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "vixen/voxel/procedural.hpp"
#include "voxel_test_scenes.hpp"

namespace vixen::voxel {
namespace {

/// The reference: the nearest solid voxel the ray's line enters, found by a slab test
/// against every solid voxel (no DDA at all). `ambiguous` is set when the ray passes within
/// `tolerance` of an edge or a corner of the winning voxel, or a second voxel is entered
/// within tolerance of the first: there, which voxel is "first" is a matter of rounding.
struct Reference {
    std::optional<Hit> hit;
    bool ambiguous = false;
};

Reference bruteForce(const BrickVolume& volume, const Ray& ray) {
    constexpr double kTolerance = 1e-7;
    const double length =
        std::sqrt(ray.direction[0] * ray.direction[0] + ray.direction[1] * ray.direction[1] +
                  ray.direction[2] * ray.direction[2]);
    std::array<double, 3> d{};
    for (std::size_t a = 0; a < 3; ++a) {
        d[a] = ray.direction[a] / length;
    }
    Reference best;
    double bestT = std::numeric_limits<double>::infinity();
    double secondT = bestT;
    for (std::uint32_t b = 0; b < volume.brickCount(); ++b) {
        const Int3 base = volume.brickCoord(b) * kBrickSide;
        for (std::int32_t i = 0; i < kBrickVoxels; ++i) {
            const Int3 local{i % 8, (i / 8) % 8, i / 64};
            if (!volume.mask(b).test(local.x, local.y, local.z)) {
                continue;
            }
            const Int3 v = base + local;
            const std::array<double, 3> lo{double(v.x), double(v.y), double(v.z)};
            double tNear = -std::numeric_limits<double>::infinity();
            double tFar = std::numeric_limits<double>::infinity();
            std::size_t axis = 3;
            std::array<double, 3> entries{};
            bool miss = false;
            for (std::size_t a = 0; a < 3 && !miss; ++a) {
                if (d[a] == 0.0) {
                    miss = ray.origin[a] < lo[a] || ray.origin[a] >= lo[a] + 1.0;
                    entries[a] = -std::numeric_limits<double>::infinity();
                    continue;
                }
                double t0 = (lo[a] - ray.origin[a]) / d[a];
                double t1 = (lo[a] + 1.0 - ray.origin[a]) / d[a];
                if (t0 > t1) {
                    std::swap(t0, t1);
                }
                entries[a] = t0;
                if (t0 > tNear) {
                    tNear = t0;
                    axis = a;
                }
                tFar = std::min(tFar, t1);
            }
            if (miss || tNear >= tFar || tFar <= 0.0) {
                continue;
            }
            const double t = std::max(tNear, 0.0);
            if (t < bestT) {
                secondT = bestT;
                bestT = t;
                Hit hit;
                hit.voxel = v;
                hit.distance = t;
                if (tNear > 0.0 && axis < 3) {
                    (axis == 0   ? hit.normal.x
                     : axis == 1 ? hit.normal.y
                                 : hit.normal.z) = d[axis] > 0.0 ? -1 : 1;
                }
                hit.material = volume.voxel(v);
                best.hit = hit;
                int close = 0;
                for (std::size_t a = 0; a < 3; ++a) {
                    close += std::abs(entries[a] - tNear) < kTolerance ? 1 : 0;
                }
                best.ambiguous = close > 1 || tFar - tNear < kTolerance;
            } else if (t < secondT) {
                secondT = t;
            }
        }
    }
    best.ambiguous = best.ambiguous || secondT - bestT < kTolerance;
    return best;
}

void expectSameAsReference(const BrickVolume& volume, const Ray& ray, int& compared) {
    const Reference reference = bruteForce(volume, ray);
    const std::optional<Hit> traced = trace(volume, ray);
    if (reference.ambiguous) {
        return;
    }
    ++compared;
    ASSERT_EQ(traced.has_value(), reference.hit.has_value());
    if (!traced) {
        return;
    }
    EXPECT_EQ(traced->voxel, reference.hit->voxel);
    EXPECT_NEAR(traced->distance, reference.hit->distance, 1e-9);
    EXPECT_EQ(traced->normal, reference.hit->normal);
    EXPECT_EQ(traced->material, reference.hit->material);
}

TEST(TracerTest, AgreesWithASlabTestAgainstEverySolidVoxelOnRandomRays) {
    std::mt19937_64 random(11);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    int compared = 0;
    for (const std::string_view name : proceduralSceneNames()) {
        const Int3 size{40, 36, 44};
        auto volume = BrickVolume::build(**makeProceduralScene(name, size, 3));
        ASSERT_TRUE(volume);
        for (int r = 0; r < 150; ++r) {
            // From outside, inside and across the volume, in every direction.
            Ray ray;
            for (std::size_t a = 0; a < 3; ++a) {
                ray.origin[a] = -20.0 + unit(random) * 84.0;
                ray.direction[a] = unit(random) * 2.0 - 1.0;
            }
            expectSameAsReference(*volume, ray, compared);
            if (::testing::Test::HasFatalFailure()) {
                return;
            }
        }
    }
    EXPECT_GT(compared, 500) << "too many rays were ambiguous to compare";
}

TEST(TracerTest, SkipsEmptyBricksAndCountsWhatItVisits) {
    const testing::FunctionScene scene(Int3{64, 16, 16},
                                       [](Int3 p) -> MaterialId { return p.x == 60 ? 2 : kEmpty; });
    auto volume = BrickVolume::build(scene);
    ASSERT_TRUE(volume);
    TraceSteps steps;
    const auto hit = trace(*volume, Ray{{-5.0, 4.5, 4.5}, {1.0, 0.0, 0.0}}, 1e30, &steps);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->voxel, (Int3{60, 4, 4}));
    EXPECT_DOUBLE_EQ(hit->distance, 65.0);
    EXPECT_EQ(hit->normal, (Int3{-1, 0, 0}));
    EXPECT_EQ(hit->material, 2);
    EXPECT_EQ(steps.bricks, 8U);  // seven empty bricks jumped, then the one with the wall
    EXPECT_EQ(steps.voxels, 5U);  // x 56..60 inside it
}

TEST(TracerTest, AnOriginInsideASolidVoxelHitsAtOnceWithNoFace) {
    const testing::FunctionScene scene(Int3{16, 16, 16}, [](Int3) { return MaterialId{1}; });
    auto volume = BrickVolume::build(scene);
    ASSERT_TRUE(volume);
    const auto hit = trace(*volume, Ray{{3.25, 7.5, 9.75}, {0.3, -1.0, 0.2}});
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->voxel, (Int3{3, 7, 9}));
    EXPECT_EQ(hit->distance, 0.0);
    EXPECT_EQ(hit->normal, (Int3{0, 0, 0}));
}

TEST(TracerTest, MissesAndTheDistanceLimit) {
    const testing::FunctionScene scene(Int3{16, 16, 16},
                                       [](Int3 p) -> MaterialId { return p.z == 12 ? 1 : kEmpty; });
    auto volume = BrickVolume::build(scene);
    ASSERT_TRUE(volume);
    EXPECT_FALSE(trace(*volume, Ray{{8.0, 8.0, -4.0}, {0.0, 0.0, -1.0}})) << "pointing away";
    EXPECT_FALSE(trace(*volume, Ray{{8.0, 30.0, -4.0}, {0.0, 0.0, 1.0}})) << "beside it";
    EXPECT_FALSE(trace(*volume, Ray{{8.0, 8.0, 2.0}, {0.0, 0.0, 0.0}})) << "no direction";
    EXPECT_FALSE(trace(*volume, Ray{{8.0, 8.0, 2.0}, {0.0, 0.0, 1.0}}, 9.5)) << "too far";
    const auto hit = trace(*volume, Ray{{8.0, 8.0, 2.0}, {0.0, 0.0, 1.0}}, 10.5);
    ASSERT_TRUE(hit);
    EXPECT_DOUBLE_EQ(hit->distance, 10.0);
    EXPECT_EQ(hit->normal, (Int3{0, 0, -1}));
}

}  // namespace
}  // namespace vixen::voxel
