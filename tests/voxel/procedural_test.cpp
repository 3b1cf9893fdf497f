#include "vixen/voxel/procedural.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "vixen/voxel/brick_volume.hpp"

namespace vixen::voxel {
namespace {

class ProceduralSceneTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(ProceduralSceneTest, BoxesItAnswersForHoldExactlyWhatItsVoxelsSay) {
    // A size that is no multiple of a brick or a chunk, not cubic: every voxel of the built
    // volume (which trusts classify for empty and solid boxes) must equal the scene's own
    // voxel-by-voxel answer.
    const Int3 size{72, 60, 88};
    auto scene = makeProceduralScene(GetParam(), size, 7);
    ASSERT_TRUE(scene) << scene.error().message;
    auto volume = BrickVolume::build(**scene);
    ASSERT_TRUE(volume) << volume.error().message;
    const Int3 bricks = cellsCovering(size, kBrickSide);
    std::array<MaterialId, kBrickVoxels> expected{};
    std::uint64_t solid = 0;
    for (std::int32_t bz = 0; bz < bricks.z; ++bz) {
        for (std::int32_t by = 0; by < bricks.y; ++by) {
            for (std::int32_t bx = 0; bx < bricks.x; ++bx) {
                const Int3 origin = Int3{bx, by, bz} * kBrickSide;
                (*scene)->fillBrick(origin, expected);
                for (std::int32_t i = 0; i < kBrickVoxels; ++i) {
                    const Int3 p = origin + Int3{i % 8, (i / 8) % 8, i / 64};
                    const MaterialId want = expected[static_cast<std::size_t>(i)];
                    ASSERT_EQ(volume->voxel(p), want)
                        << GetParam() << " at " << p.x << "," << p.y << "," << p.z;
                    solid += want != kEmpty ? 1 : 0;
                }
            }
        }
    }
    EXPECT_EQ(volume->solidVoxels(), solid);
    EXPECT_GT(volume->density(), 0.02) << GetParam();
    EXPECT_LT(volume->density(), 0.98) << GetParam();
}

TEST_P(ProceduralSceneTest, TheSeedDecidesTheSceneAndTheSameSeedRepeatsIt) {
    const Int3 size{64, 64, 64};
    auto a = BrickVolume::build(**makeProceduralScene(GetParam(), size, 1));
    auto b = BrickVolume::build(**makeProceduralScene(GetParam(), size, 1));
    auto c = BrickVolume::build(**makeProceduralScene(GetParam(), size, 2));
    ASSERT_TRUE(a && b && c);
    EXPECT_EQ(a->solidVoxels(), b->solidVoxels());
    EXPECT_EQ(a->brickCount(), b->brickCount());
    bool differs = a->solidVoxels() != c->solidVoxels();
    for (std::int32_t i = 0; i < 64 * 64 * 64 && !differs; ++i) {
        const Int3 p{i % 64, (i / 64) % 64, i / 4096};
        differs = a->voxel(p) != c->voxel(p);
    }
    EXPECT_TRUE(differs) << GetParam() << ": seeds 1 and 2 gave the same scene";
}

INSTANTIATE_TEST_SUITE_P(Scenes, ProceduralSceneTest,
                         ::testing::Values("cornell", "noise", "tunnels", "cityscape"),
                         [](const ::testing::TestParamInfo<std::string_view>& param) {
                             return std::string(param.param);
                         });

TEST(ProceduralScenes, TheCornellBoxHasItsColouredWallsAndALight) {
    auto scene = makeProceduralScene("cornell", Int3{64, 64, 64});
    ASSERT_TRUE(scene);
    auto volume = BrickVolume::build(**scene);
    ASSERT_TRUE(volume);
    const Palette& palette = volume->palette();
    EXPECT_EQ(palette[volume->voxel(Int3{0, 32, 32})].name, "red");
    EXPECT_EQ(palette[volume->voxel(Int3{63, 32, 32})].name, "green");
    const Material& light = palette[volume->voxel(Int3{32, 63, 32})];
    EXPECT_EQ(light.name, "light");
    EXPECT_GT(light.emission[0], 1.0F);
    EXPECT_EQ(volume->voxel(Int3{32, 32, 63}), kEmpty) << "the front is open";
}

TEST(ProceduralScenes, UnknownNamesAndBadSizesAreClearErrors) {
    auto unknown = makeProceduralScene("sponza", Int3{64, 64, 64});
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(unknown.error().message,
              "unknown scene 'sponza' (known: cornell, noise, tunnels, cityscape)");
    auto tiny = makeProceduralScene("noise", Int3{64, 2, 64});
    ASSERT_FALSE(tiny);
    EXPECT_NE(tiny.error().message.find("scene 'noise': 64x2x64 voxels"), std::string::npos)
        << tiny.error().message;
    EXPECT_EQ(proceduralSceneNames().size(), 4U);
}

}  // namespace
}  // namespace vixen::voxel
