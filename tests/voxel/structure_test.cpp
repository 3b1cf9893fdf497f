// The GPU layouts checked on the CPU: the brick map's grid and empty-space distances, the
// octree's descent to every brick, and both carrying the same brick payload.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "vixen/voxel/brick_map.hpp"
#include "vixen/voxel/procedural.hpp"
#include "vixen/voxel/sparse_octree.hpp"
#include "voxel_test_scenes.hpp"

namespace vixen::voxel {
namespace {

BrickVolume sceneVolume(std::string_view name, Int3 size) {
    auto volume = BrickVolume::build(**makeProceduralScene(name, size, 9));
    EXPECT_TRUE(volume);
    return std::move(*volume);
}

/// Whether `slot` of a structure's payload holds exactly brick `b` of `volume`: its occupancy
/// and the material of every solid voxel.
::testing::AssertionResult slotHoldsBrick(const std::vector<std::uint32_t>& words,
                                          std::uint32_t occupancy, std::uint32_t materials,
                                          std::uint32_t slot, const BrickVolume& volume,
                                          std::uint32_t b) {
    for (std::int32_t i = 0; i < kBrickVoxels; ++i) {
        const Int3 p{i % 8, (i / 8) % 8, i / 64};
        const auto bit = static_cast<std::uint32_t>(p.x + 8 * p.y);
        const bool solid =
            ((words[occupancy + slot * 16 + static_cast<std::uint32_t>(p.z) * 2 + bit / 32] >>
              (bit % 32)) &
             1U) != 0;
        if (solid != volume.mask(b).test(p.x, p.y, p.z)) {
            return ::testing::AssertionFailure() << "slot " << slot << " voxel " << i;
        }
        const std::uint32_t material =
            (words[materials + slot * 128 + static_cast<std::uint32_t>(i) / 4] >>
             (8 * (static_cast<std::uint32_t>(i) % 4))) &
            0xFFU;
        if (material != volume.material(b, i)) {
            return ::testing::AssertionFailure()
                   << "slot " << slot << " voxel " << i << " material " << material;
        }
    }
    return ::testing::AssertionSuccess();
}

TEST(BrickMapTest, OccupiedCellsNameTheirBrickAndEmptyOnesTheChessboardDistance) {
    const BrickVolume volume = sceneVolume("cityscape", Int3{72, 40, 56});
    const BrickMap map = buildBrickMap(volume);
    ASSERT_EQ(map.header(BrickMapHeader::Magic), BrickMapHeader::kMagic);
    const Int3 grid = volume.brickGrid();
    ASSERT_EQ(map.header(BrickMapHeader::GridX), static_cast<std::uint32_t>(grid.x));
    const std::uint32_t gridOffset = map.header(BrickMapHeader::GridOffset);
    for (std::int32_t z = 0; z < grid.z; ++z) {
        for (std::int32_t y = 0; y < grid.y; ++y) {
            for (std::int32_t x = 0; x < grid.x; ++x) {
                const std::uint32_t cell =
                    map.words[gridOffset + static_cast<std::size_t>(x + grid.x * (y + grid.y * z))];
                const std::uint32_t brick = volume.brickAt(Int3{x, y, z});
                if (brick != BrickVolume::kNoBrick) {
                    if (volume.uniform(brick)) {
                        ASSERT_EQ(cell, kUniformCell | volume.uniformMaterial(brick));
                    } else {
                        ASSERT_LT(cell, map.header(BrickMapHeader::StoredBricks));
                    }
                    continue;
                }
                ASSERT_NE(cell & kEmptyCell, 0U);
                // Brute force: the nearest occupied cell in the chessboard metric.
                std::uint32_t nearest = kMaxEmptyDistance;
                for (std::uint32_t b = 0; b < volume.brickCount(); ++b) {
                    const Int3 c = volume.brickCoord(b);
                    const auto d = static_cast<std::uint32_t>(
                        std::max({std::abs(c.x - x), std::abs(c.y - y), std::abs(c.z - z)}));
                    nearest = std::min(nearest, d);
                }
                ASSERT_EQ(cell & ~kEmptyCell, nearest) << x << "," << y << "," << z;
            }
        }
    }
    EXPECT_GT(map.bytesPerSolidVoxel(), 0.0);
}

TEST(BrickMapTest, EmptyCellsHoldTheExactChessboardDistanceAmongRandomBricks) {
    // Bricks at random (a hash of their coordinates), 2 % of a 24 x 20 x 28 brick grid.
    const Int3 size{24 * 8, 20 * 8, 28 * 8};
    const testing::FunctionScene scene(size, [](Int3 p) {
        const auto hash = static_cast<std::uint32_t>(p.x / 8) * 73856093U ^
                          static_cast<std::uint32_t>(p.y / 8) * 19349663U ^
                          static_cast<std::uint32_t>(p.z / 8) * 83492791U;
        return (hash % 50) == 0 && p.x % 8 == 3 && p.y % 8 == 4 && p.z % 8 == 5 ? MaterialId{1}
                                                                                : kEmpty;
    });
    auto volume = BrickVolume::build(scene);
    ASSERT_TRUE(volume);
    ASSERT_GT(volume->brickCount(), 10U);
    const BrickMap map = buildBrickMap(*volume);
    const Int3 grid = volume->brickGrid();
    for (std::int32_t z = 0; z < grid.z; ++z) {
        for (std::int32_t y = 0; y < grid.y; ++y) {
            for (std::int32_t x = 0; x < grid.x; ++x) {
                const std::uint32_t cell =
                    map.words[map.header(BrickMapHeader::GridOffset) +
                              static_cast<std::size_t>(x + grid.x * (y + grid.y * z))];
                if (volume->brickAt(Int3{x, y, z}) != BrickVolume::kNoBrick) {
                    continue;
                }
                std::uint32_t nearest = kMaxEmptyDistance;
                for (std::uint32_t b = 0; b < volume->brickCount(); ++b) {
                    const Int3 c = volume->brickCoord(b);
                    nearest = std::min(
                        nearest, static_cast<std::uint32_t>(std::max(
                                     {std::abs(c.x - x), std::abs(c.y - y), std::abs(c.z - z)})));
                }
                ASSERT_EQ(cell, kEmptyCell | nearest) << x << "," << y << "," << z;
            }
        }
    }
}

TEST(BrickMapTest, EachMixedBrickHasASlotOfItsOwnHoldingItsVoxels) {
    const BrickVolume volume = sceneVolume("noise", Int3{48, 48, 48});
    const BrickMap map = buildBrickMap(volume);
    const Int3 grid = volume.brickGrid();
    std::vector<bool> slotTaken(map.header(BrickMapHeader::StoredBricks), false);
    std::uint32_t mixed = 0;
    for (std::uint32_t b = 0; b < volume.brickCount(); ++b) {
        if (volume.uniform(b)) {
            continue;
        }
        ++mixed;
        const Int3 c = volume.brickCoord(b);
        const std::uint32_t slot =
            map.words[map.header(BrickMapHeader::GridOffset) +
                      static_cast<std::size_t>(c.x + grid.x * (c.y + grid.y * c.z))];
        ASSERT_LT(slot, slotTaken.size());
        ASSERT_FALSE(slotTaken[slot]) << "two bricks in slot " << slot;
        slotTaken[slot] = true;
        ASSERT_TRUE(slotHoldsBrick(map.words, map.header(BrickMapHeader::OccupancyOffset),
                                   map.header(BrickMapHeader::MaterialsOffset), slot, volume, b));
    }
    EXPECT_GT(mixed, 0U);
    EXPECT_EQ(map.header(BrickMapHeader::StoredBricks), mixed) << "full bricks take no slot";
}

TEST(BrickMapTest, OccupiedBricksAreTheVolumesBricksWithTheirGridWords) {
    const BrickVolume volume = sceneVolume("cityscape", Int3{64, 40, 48});
    const BrickMap map = buildBrickMap(volume);
    auto occupied = occupiedBricks(map.words);
    ASSERT_TRUE(occupied) << occupied.error().message;
    ASSERT_EQ(occupied->size(), volume.brickCount()) << "every brick holding a solid voxel, once";
    for (const OccupiedBrick& brick : *occupied) {
        const std::uint32_t b = volume.brickAt(brick.brick);
        ASSERT_NE(b, BrickVolume::kNoBrick);
        if (volume.uniform(b)) {
            EXPECT_EQ(brick.cell, kUniformCell | volume.uniformMaterial(b));
        } else {
            EXPECT_LT(brick.cell, map.header(BrickMapHeader::StoredBricks)) << "a slot";
        }
    }
    // Not a brick map, or a grid that runs past the words: refused by name.
    const std::vector<std::uint32_t> octree = buildSparseOctree(volume).words;
    auto notMap = occupiedBricks(octree);
    ASSERT_FALSE(notMap);
    EXPECT_NE(notMap.error().message.find("not a brick map"), std::string::npos);
    const std::span<const std::uint32_t> cut(map.words.data(),
                                             map.header(BrickMapHeader::GridOffset) + 3);
    auto truncated = occupiedBricks(cut);
    ASSERT_FALSE(truncated);
    EXPECT_NE(truncated.error().message.find("runs past"), std::string::npos);
}

TEST(SparseOctreeTest, DescendsToEveryBrickAndToNothingElse) {
    for (const std::string_view name : proceduralSceneNames()) {
        const BrickVolume volume = sceneVolume(name, Int3{80, 48, 64});
        const SparseOctree octree = buildSparseOctree(volume);
        ASSERT_EQ(octree.header(SparseOctreeHeader::Magic), SparseOctreeHeader::kMagic);
        EXPECT_EQ(octree.header(SparseOctreeHeader::Depth), 4U) << "80 voxels: 10 bricks, 16";
        std::uint32_t mixed = 0;
        const Int3 grid = volume.brickGrid();
        for (std::int32_t z = 0; z < 16; ++z) {
            for (std::int32_t y = 0; y < 16; ++y) {
                for (std::int32_t x = 0; x < 16; ++x) {
                    const bool inside = x < grid.x && y < grid.y && z < grid.z;
                    const std::uint32_t brick =
                        inside ? volume.brickAt(Int3{x, y, z}) : BrickVolume::kNoBrick;
                    const OctreeLeaf leaf = findLeaf(octree, Int3{x, y, z});
                    ASSERT_EQ(leaf.found, brick != BrickVolume::kNoBrick)
                        << name << " brick " << x << "," << y << "," << z;
                    if (!leaf.found) {
                        continue;
                    }
                    if (volume.uniform(brick)) {
                        ASSERT_EQ(leaf.uniformMaterial, volume.uniformMaterial(brick));
                        continue;
                    }
                    ++mixed;
                    ASSERT_EQ(leaf.uniformMaterial, kEmpty);
                    ASSERT_TRUE(slotHoldsBrick(octree.words,
                                               octree.header(SparseOctreeHeader::OccupancyOffset),
                                               octree.header(SparseOctreeHeader::MaterialsOffset),
                                               leaf.slot, volume, brick))
                        << name << " brick " << x << "," << y << "," << z;
                }
            }
        }
        EXPECT_EQ(octree.header(SparseOctreeHeader::StoredBricks), mixed);
        // Every level's nodes are there once: at most the bricks' count per level.
        EXPECT_LE(octree.header(SparseOctreeHeader::NodeCount), volume.brickCount() * 2 + 1);
    }
}

TEST(SparseOctreeTest, AnEmptyVolumeIsARootWithNoChildren) {
    const testing::FunctionScene scene(Int3{16, 16, 16}, [](Int3) { return kEmpty; });
    auto volume = BrickVolume::build(scene);
    ASSERT_TRUE(volume);
    const SparseOctree octree = buildSparseOctree(*volume);
    EXPECT_EQ(octree.header(SparseOctreeHeader::NodeCount), 1U);
    EXPECT_FALSE(findLeaf(octree, Int3{0, 0, 0}).found);
    EXPECT_FALSE(findLeaf(octree, Int3{1, 1, 1}).found);
}

}  // namespace
}  // namespace vixen::voxel
