// The jittered camera temporal accumulation traces with: Halton and grid offsets, and
// constants whose every pixel ray passes through its centre moved by the offset.
#include "vixen/voxel/camera.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace vixen::voxel {
namespace {

TEST(CameraJitterTest, HaltonIsTheRadicalInverse) {
    EXPECT_FLOAT_EQ(halton(1, 2), 0.5F);
    EXPECT_FLOAT_EQ(halton(2, 2), 0.25F);
    EXPECT_FLOAT_EQ(halton(3, 2), 0.75F);
    EXPECT_FLOAT_EQ(halton(1, 3), 1.0F / 3.0F);
    EXPECT_FLOAT_EQ(halton(2, 3), 2.0F / 3.0F);
    EXPECT_FLOAT_EQ(halton(4, 3), 1.0F / 9.0F + 1.0F / 3.0F);
}

TEST(CameraJitterTest, SixteenHaltonOffsetsAreDistinctInsideThePixelAndBalanced) {
    const JitterOffsets offsets = haltonJitter(16);
    ASSERT_EQ(offsets.size(), 16U);
    std::set<std::pair<float, float>> distinct;
    float sumX = 0.0F;
    float sumY = 0.0F;
    for (const auto& [x, y] : offsets) {
        EXPECT_GE(x, -0.5F);
        EXPECT_LT(x, 0.5F);
        EXPECT_GE(y, -0.5F);
        EXPECT_LT(y, 0.5F);
        distinct.emplace(x, y);
        sumX += x;
        sumY += y;
    }
    EXPECT_EQ(distinct.size(), 16U);
    // Low discrepancy: the mean offset is near the pixel centre.
    EXPECT_NEAR(sumX / 16.0F, 0.0F, 0.05F);
    EXPECT_NEAR(sumY / 16.0F, 0.0F, 0.05F);
}

TEST(CameraJitterTest, AGridCoversThePixelEvenly) {
    const JitterOffsets grid = gridJitter(4);
    ASSERT_EQ(grid.size(), 16U);
    EXPECT_FLOAT_EQ(grid.front()[0], -0.375F);
    EXPECT_FLOAT_EQ(grid.front()[1], -0.375F);
    EXPECT_FLOAT_EQ(grid.back()[0], 0.375F);
    EXPECT_FLOAT_EQ(grid.back()[1], 0.375F);
}

TEST(CameraJitterTest, AJitteredPixelRayPassesThroughTheMovedPoint) {
    Camera camera;
    camera.eye = {3.0F, 4.0F, -20.0F};
    camera.target = {10.0F, 8.0F, 5.0F};
    constexpr std::uint32_t kWidth = 64;
    constexpr std::uint32_t kHeight = 48;
    const CameraConstants plain = cameraConstants(camera, kWidth, kHeight);
    const CameraConstants moved = jittered(plain, 0.25F, -0.375F, kWidth, kHeight);
    for (const auto& [x, y] : {std::pair{0U, 0U}, std::pair{17U, 30U}, std::pair{63U, 47U}}) {
        const Ray ray = primaryRay(moved, x, y, kWidth, kHeight);
        // The same point as the plain camera's ray through (x + 0.25, y - 0.375).
        const float sx = 2.0F * (static_cast<float>(x) + 0.5F + 0.25F) / kWidth - 1.0F;
        const float sy = 1.0F - 2.0F * (static_cast<float>(y) + 0.5F - 0.375F) / kHeight;
        for (std::size_t a = 0; a < 3; ++a) {
            EXPECT_NEAR(ray.direction[a], plain.forward[a] + sx * plain.right[a] + sy * plain.up[a],
                        1e-6F);
        }
    }
    const CameraConstants none = jittered(plain, 0.0F, 0.0F, kWidth, kHeight);
    EXPECT_EQ(none.forward, plain.forward);
}

}  // namespace
}  // namespace vixen::voxel
