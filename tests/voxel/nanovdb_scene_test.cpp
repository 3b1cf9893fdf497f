// The NanoVDB baseline's grid read back through NanoVDB's own C++ API: every voxel active
// exactly where the volume is solid, with its material as the (8-bit quantised) value, full bricks
// pruned to tiles, the palette and header where the GPU driver looks for them.
#include "vixen/voxel/nanovdb_scene.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <vector>

#include "vixen/voxel/brick_map.hpp"
#include "vixen/voxel/detail/nanovdb.hpp"
#include "vixen/voxel/nanovdb_file.hpp"
#include "vixen/voxel/procedural.hpp"
#include "vixen/voxel/scene_files.hpp"
#include "voxel_test_scenes.hpp"

namespace vixen::voxel {
namespace {

/// The grid of `scene`'s words, copied to NanoVDB's alignment.
std::vector<std::uint64_t> gridBytes(const NanoVdbScene& scene) {
    const std::uint32_t gridOffset = scene.header(NanoVdbSceneHeader::GridOffset);
    std::vector<std::uint64_t> bytes((scene.words.size() - gridOffset + 1) / 2);
    std::memcpy(bytes.data(), scene.words.data() + gridOffset,
                (scene.words.size() - gridOffset) * sizeof(std::uint32_t));
    return bytes;
}

class NanoVdbSceneTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(NanoVdbSceneTest, TheGridHoldsExactlyTheVolumesSolidVoxels) {
    const Int3 size{40, 48, 56};  // not multiples of the 8^3 leaves everywhere
    auto volume = BrickVolume::build(**makeProceduralScene(GetParam(), size, 4));
    ASSERT_TRUE(volume);
    const NanoVdbScene scene = buildNanoVdbScene(*volume);
    ASSERT_EQ(scene.header(NanoVdbSceneHeader::Magic), NanoVdbSceneHeader::kMagic);
    EXPECT_EQ(scene.header(NanoVdbSceneHeader::SizeX), 40U);
    EXPECT_EQ(scene.header(NanoVdbSceneHeader::SizeZ), 56U);
    const std::uint32_t gridOffset = scene.header(NanoVdbSceneHeader::GridOffset);
    ASSERT_EQ(gridOffset % 8, 0U) << "32-byte aligned";
    ASSERT_EQ(gridOffset + scene.header(NanoVdbSceneHeader::GridWords), scene.words.size());

    // The palette, as the brick map stores it.
    std::vector<std::uint32_t> palette;
    appendPalette(volume->palette(), palette);
    const std::uint32_t paletteOffset = scene.header(NanoVdbSceneHeader::PaletteOffset);
    ASSERT_LE(paletteOffset + palette.size(), gridOffset);
    EXPECT_TRUE(std::equal(palette.begin(), palette.end(), scene.words.begin() + paletteOffset));

    const auto bytes = gridBytes(scene);
    const auto* grid = reinterpret_cast<const nanovdb::NanoGrid<nanovdb::Fp8>*>(bytes.data());
    ASSERT_TRUE(grid->isValid());
    EXPECT_EQ(grid->activeVoxelCount(), volume->solidVoxels());
    const auto accessor = grid->getAccessor();
    std::uint64_t wrong = 0;
    for (std::int32_t z = -1; z <= size.z; ++z) {
        for (std::int32_t y = -1; y <= size.y; ++y) {
            for (std::int32_t x = -1; x <= size.x; ++x) {
                const MaterialId material = volume->voxel(Int3{x, y, z});
                const nanovdb::Coord ijk(x, y, z);
                wrong += accessor.isActive(ijk) != (material != kEmpty) ||
                                 std::lround(accessor.getValue(ijk)) != material
                             ? 1U
                             : 0U;
            }
        }
    }
    EXPECT_EQ(wrong, 0U);
}

INSTANTIATE_TEST_SUITE_P(Scenes, NanoVdbSceneTest,
                         ::testing::Values("cornell", "noise", "tunnels", "cityscape"),
                         [](const ::testing::TestParamInfo<std::string_view>& param) {
                             return std::string(param.param);
                         });

TEST(NanoVdbSceneTest, FullBricksBecomeTilesAndAnEmptyVolumeAnEmptyGrid) {
    // The lower half solid: every brick in it full of one material, pruned by NanoVDB.
    testing::FunctionScene half({64, 64, 64},
                                [](Int3 p) { return p.y < 32 ? MaterialId{2} : kEmpty; });
    auto volume = BrickVolume::build(half);
    ASSERT_TRUE(volume);
    const auto bytes = gridBytes(buildNanoVdbScene(*volume));
    const auto* grid = reinterpret_cast<const nanovdb::NanoGrid<nanovdb::Fp8>*>(bytes.data());
    EXPECT_EQ(grid->activeVoxelCount(), 64U * 32U * 64U);
    EXPECT_EQ(grid->tree().nodeCount(0), 0U) << "no leaves: full bricks are tiles";
    EXPECT_EQ(std::lround(grid->tree().getValue(nanovdb::Coord(5, 31, 60))), 2);

    testing::FunctionScene nothing({16, 16, 16}, [](Int3) { return kEmpty; });
    auto empty = BrickVolume::build(nothing);
    ASSERT_TRUE(empty);
    const auto none = gridBytes(buildNanoVdbScene(*empty));
    const auto* emptyGrid = reinterpret_cast<const nanovdb::NanoGrid<nanovdb::Fp8>*>(none.data());
    ASSERT_TRUE(emptyGrid->isValid());
    EXPECT_EQ(emptyGrid->activeVoxelCount(), 0U);
}

TEST(NanoVdbFileTest, AnExportedVolumeReadsBackWithTheSameSolidVoxels) {
    auto original = BrickVolume::build(**makeProceduralScene("noise", {40, 48, 56}, 2));
    ASSERT_TRUE(original);
    const std::filesystem::path path =
        std::filesystem::temp_directory_path() /
        ("vixen-nanovdb-export-test-" + std::to_string(::getpid()) + ".nvdb");
    ASSERT_TRUE(writeNanoVdbFile(*original, path));
    auto scene = openSceneFile(path);
    std::filesystem::remove(path);
    ASSERT_TRUE(scene) << scene.error().message;
    auto volume = BrickVolume::build(**scene);
    ASSERT_TRUE(volume);
    EXPECT_EQ(volume->solidVoxels(), original->solidVoxels());
    // The grid's active box starts where the first solid voxel is; here, at the origin.
    ASSERT_EQ(volume->size(), original->size());
    std::uint64_t differ = 0;
    for (std::int32_t z = 0; z < 56; ++z) {
        for (std::int32_t y = 0; y < 48; ++y) {
            for (std::int32_t x = 0; x < 40; ++x) {
                differ +=
                    (volume->voxel({x, y, z}) != kEmpty) != (original->voxel({x, y, z}) != kEmpty)
                        ? 1U
                        : 0U;
            }
        }
    }
    EXPECT_EQ(differ, 0U);
}

TEST(NanoVdbFileTest, ALevelSetIsSolidWhereItIsNegative) {
    // A sphere of radius 20 made by NanoVDB itself: about 4/3 pi 20^3 = 33510 voxels inside.
    const auto sphere = nanovdb::createLevelSetSphere<float>(20.0F, nanovdb::Vec3f(0.0F));
    const std::filesystem::path path =
        std::filesystem::temp_directory_path() /
        ("vixen-nanovdb-sphere-test-" + std::to_string(::getpid()) + ".nvdb");
    nanovdb::io::writeGrid(path.string(), sphere);
    auto scene = openSceneFile(path);
    std::filesystem::remove(path);
    ASSERT_TRUE(scene) << scene.error().message;
    auto volume = BrickVolume::build(**scene);
    ASSERT_TRUE(volume);
    EXPECT_NEAR(static_cast<double>(volume->solidVoxels()), 33510.0, 33510.0 * 0.03);
}

TEST(NanoVdbFileTest, AFileNanoVdbCannotReadIsNamed) {
    const std::filesystem::path path =
        std::filesystem::temp_directory_path() /
        ("vixen-nanovdb-garbage-test-" + std::to_string(::getpid()) + ".nvdb");
    {
        std::ofstream file(path);
        file << "not a NanoVDB file at all";
    }
    auto scene = openSceneFile(path);
    ASSERT_FALSE(scene);
    EXPECT_EQ(scene.error().code, ErrorCode::ParseError);
    EXPECT_NE(scene.error().message.find(".nvdb': NanoVDB cannot read it"), std::string::npos)
        << scene.error().message;
    // A real grid file, truncated at every 97th byte, and with its name's size made to lie:
    // refused by name, never read past its end.
    const auto sphere = nanovdb::createLevelSetSphere<float>(6.0F, nanovdb::Vec3f(0.0F));
    nanovdb::io::writeGrid(path.string(), sphere);
    std::vector<char> whole(std::filesystem::file_size(path));
    std::ifstream(path, std::ios::binary)
        .read(whole.data(), static_cast<std::streamsize>(whole.size()));
    const auto writeBytes = [&](std::span<const char> bytes) {
        std::ofstream(path, std::ios::binary | std::ios::trunc)
            .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    };
    for (std::size_t length = 0; length < whole.size(); length += 97) {
        writeBytes(std::span(whole).first(length));
        auto cut = openSceneFile(path);
        EXPECT_FALSE(cut) << "cut at " << length;
    }
    std::vector<char> lying = whole;
    const std::uint32_t hugeName = 0x7FFFFFFFU;
    std::memcpy(
        lying.data() + sizeof(nanovdb::io::Header) + offsetof(nanovdb::io::MetaData, nameSize),
        &hugeName, sizeof hugeName);
    writeBytes(lying);
    auto liar = openSceneFile(path);
    std::filesystem::remove(path);
    ASSERT_FALSE(liar);
    EXPECT_NE(liar.error().message.find("the name of grid 0 does not fit in the file"),
              std::string::npos)
        << liar.error().message;

    auto missing = openSceneFile("/nonexistent/grid.nvdb");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

}  // namespace
}  // namespace vixen::voxel
