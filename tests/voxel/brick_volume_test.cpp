#include "vixen/voxel/brick_volume.hpp"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <optional>
#include <string>

#include "voxel_test_scenes.hpp"

namespace vixen::voxel {
namespace {

using testing::FunctionScene;

MaterialId sphereAndSlab(Int3 p) {
    const int dx = p.x - 9;
    const int dy = p.y - 6;
    const int dz = p.z - 20;
    if (dx * dx + dy * dy + dz * dz <= 36) {
        return 2;
    }
    if (p.y < 3) {
        return 1;
    }
    return (p.x * 7 + p.z * 3) % 41 == 0 ? 3 : kEmpty;
}

TEST(BrickVolumeTest, HoldsExactlyTheScenesVoxelsAtASizeThatIsNoMultipleOfEight) {
    const Int3 size{20, 13, 37};
    const FunctionScene scene(size, sphereAndSlab);
    VolumeBuildStats stats;
    auto volume = BrickVolume::build(scene, &stats);
    ASSERT_TRUE(volume) << volume.error().message;
    EXPECT_EQ(volume->size(), size);
    EXPECT_EQ(volume->brickGrid(), (Int3{3, 2, 5}));
    std::uint64_t solid = 0;
    std::uint32_t occupiedBricks = 0;
    for (std::int32_t bz = 0; bz < 5; ++bz) {
        for (std::int32_t by = 0; by < 2; ++by) {
            for (std::int32_t bx = 0; bx < 3; ++bx) {
                bool any = false;
                for (std::int32_t i = 0; i < kBrickVoxels; ++i) {
                    const Int3 p = Int3{bx, by, bz} * kBrickSide + Int3{i % 8, (i / 8) % 8, i / 64};
                    const bool inside = p.x < size.x && p.y < size.y && p.z < size.z;
                    const MaterialId expected = inside ? sphereAndSlab(p) : kEmpty;
                    ASSERT_EQ(volume->voxel(p), expected) << p.x << "," << p.y << "," << p.z;
                    any = any || expected != kEmpty;
                    solid += expected != kEmpty ? 1 : 0;
                }
                const std::uint32_t brick = volume->brickAt(Int3{bx, by, bz});
                EXPECT_EQ(brick != BrickVolume::kNoBrick, any);
                occupiedBricks += any ? 1 : 0;
                if (any) {
                    EXPECT_EQ(volume->brickCoord(brick), (Int3{bx, by, bz}));
                }
            }
        }
    }
    EXPECT_EQ(volume->solidVoxels(), solid);
    EXPECT_EQ(volume->brickCount(), occupiedBricks);
    EXPECT_EQ(stats.bricks, occupiedBricks);
    EXPECT_EQ(stats.solidVoxels, solid);
    EXPECT_DOUBLE_EQ(volume->density(), static_cast<double>(solid) / (20.0 * 13.0 * 37.0));
    EXPECT_EQ(volume->voxel(Int3{-1, 0, 0}), kEmpty);
    EXPECT_EQ(volume->voxel(Int3{20, 0, 0}), kEmpty);
}

TEST(BrickVolumeTest, FullBricksOfOneMaterialStoreTheMaterialAlone) {
    FunctionScene scene(Int3{32, 32, 32}, [](Int3 p) -> MaterialId {
        return p.y < 16 ? 1 : (p.y < 24 && p.x < 8 ? 2 : kEmpty);
    });
    VolumeBuildStats stats;
    auto volume = BrickVolume::build(scene, &stats);
    ASSERT_TRUE(volume);
    // y < 16: 2 layers of 4x4 bricks, uniform; the y 16..23, x 0..7 column: 4 more.
    EXPECT_EQ(stats.bricks, 36U);
    EXPECT_EQ(stats.uniformBricks, 36U);
    const std::uint32_t brick = volume->brickAt(Int3{0, 2, 3});
    ASSERT_NE(brick, BrickVolume::kNoBrick);
    EXPECT_TRUE(volume->uniform(brick));
    EXPECT_EQ(volume->uniformMaterial(brick), 2);
    EXPECT_EQ(volume->material(brick, 300), 2);
}

TEST(BrickVolumeTest, MemoryFollowsTheOccupiedBricksNotTheBoundingBox) {
    // 4096^3 voxels with one small solid box: the scene answers for empty chunks.
    FunctionScene scene(Int3{4096, 4096, 4096}, [](Int3 p) -> MaterialId {
        return p.x >= 1000 && p.x < 1010 && p.y >= 2000 && p.y < 2003 && p.z >= 30 && p.z < 40
                   ? 1
                   : kEmpty;
    });
    scene.emptyOutside = Box{{1000, 2000, 30}, {1010, 2003, 40}};
    VolumeBuildStats stats;
    auto volume = BrickVolume::build(scene, &stats);
    ASSERT_TRUE(volume) << volume.error().message;
    EXPECT_EQ(volume->solidVoxels(), 300U);
    EXPECT_EQ(volume->brickCount(), 4U);  // x 1000..1009 spans 2 bricks, z 30..39 spans 2
    // A chunk table entry per 64^3 voxels (1 MiB) plus one chunk's slots and four bricks.
    EXPECT_LT(volume->memoryBytes(), std::uint64_t{1100} << 10);
    EXPECT_EQ(volume->voxel(Int3{1005, 2001, 35}), 1);
}

TEST(BrickVolumeTest, ASolidBoxTheSceneAnswersForIsNeverFilled) {
    FunctionScene scene(Int3{64, 64, 64},
                        [](Int3 p) -> MaterialId { return p.x < 40 ? 1 : kEmpty; });
    scene.solidBox = Box{{0, 0, 0}, {40, 64, 64}};
    scene.emptyOutside = Box{{0, 0, 0}, {48, 64, 64}};
    VolumeBuildStats stats;
    auto volume = BrickVolume::build(scene, &stats);
    ASSERT_TRUE(volume);
    // Bricks of x 0..39 are solid and those past x 47 empty by classification: only the
    // x 40..47 column is filled.
    EXPECT_EQ(stats.bricksFilled, 64U);
    EXPECT_EQ(volume->solidVoxels(), 40U * 64U * 64U);
}

TEST(BrickVolumeTest, TheLayoutDoesNotDependOnTheThreadCount) {
    const FunctionScene scene(Int3{130, 70, 90}, sphereAndSlab);
    auto parallel = BrickVolume::build(scene);
    std::optional<Result<BrickVolume>> single;
    tbb::task_arena one(1);
    one.execute([&] { single.emplace(BrickVolume::build(scene)); });
    ASSERT_TRUE(parallel);
    ASSERT_TRUE(*single);
    ASSERT_EQ(parallel->brickCount(), (*single)->brickCount());
    for (std::uint32_t b = 0; b < parallel->brickCount(); ++b) {
        ASSERT_EQ(parallel->brickCoord(b), (*single)->brickCoord(b));
        ASSERT_EQ(parallel->mask(b), (*single)->mask(b));
    }
}

TEST(BrickVolumeTest, ASizeOutsideTheLimitsIsAClearError) {
    for (const Int3 size : {Int3{4, 64, 64}, Int3{64, 5000, 64}, Int3{64, 64, 0}}) {
        const FunctionScene scene(size, [](Int3) { return MaterialId{1}; });
        auto volume = BrickVolume::build(scene);
        ASSERT_FALSE(volume);
        EXPECT_EQ(volume.error().code, ErrorCode::InvalidArgument);
        EXPECT_NE(volume.error().message.find("each side must be 8 to 4096"), std::string::npos)
            << volume.error().message;
    }
}

}  // namespace
}  // namespace vixen::voxel

namespace vixen::voxel {
namespace {

TEST(PaletteTest, HoldsTwoHundredFiftyFiveMaterialsAndRefusesTheNextNamingIt) {
    Palette palette;
    for (int i = 1; i <= 255; ++i) {
        auto id = palette.add(Material{{0.5F, 0.5F, 0.5F}, {}, 1.0F, "m" + std::to_string(i)});
        ASSERT_TRUE(id);
        EXPECT_EQ(*id, i);
    }
    auto refused = palette.add(Material{{0.1F, 0.2F, 0.3F}, {}, 1.0F, "one too many"});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::CapacityExceeded);
    EXPECT_EQ(refused.error().message,
              "palette: material 'one too many' does not fit, a palette holds at most 255 "
              "materials");
    EXPECT_EQ(palette.size(), 255U);
    EXPECT_EQ(palette[255].name, "m255") << "nothing lost";
}

}  // namespace
}  // namespace vixen::voxel
