// GraphicsPipeline and Sampler on lavapipe with the Khronos validation layer: built from
// the reflection of every stage, the fragment outputs checked against the colour formats,
// bad stage lists refused by name, nothing left behind when any creation fails. (Drawing is
// tested through the fragment ray marcher, tests/nodes/voxel_render_test.cpp.)
#include "vixen/gpu/graphics_pipeline.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <utility>

#include "lavapipe_fixture.hpp"
#include "test_shaders.hpp"
#include "vixen/gpu/creation_gate.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/sampler.hpp"

namespace vixen::gpu {
namespace {

using GraphicsPipelineTest = testing::LavapipeFixture;

constexpr std::array<VkFormat, 2> kTwoFormats{VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R32_UINT};

std::array<ShaderStageCode, 2> twoOutputStages() {
    return {ShaderStageCode{test_shaders::fullscreenTestVert(), "fullscreen_test.vert"},
            ShaderStageCode{test_shaders::twoOutputsFrag(), "two_outputs.frag"}};
}

TEST_F(GraphicsPipelineTest, BuildsLayoutsFromTheReflectionOfEveryStage) {
    const auto stages = twoOutputStages();
    auto pipeline = GraphicsPipeline::create(
        *device_, GraphicsPipelineDesc{.stages = stages, .colorFormats = kTwoFormats}, "pair");
    ASSERT_TRUE(pipeline) << pipeline.error().message;
    EXPECT_TRUE(pipeline->valid());
    EXPECT_EQ(pipeline->interface().colorOutputs, 2U);
    EXPECT_EQ(pipeline->interface().pushConstantSize, 16U);
    EXPECT_EQ(pipeline->interface().pushConstantStages,
              VkShaderStageFlags{VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT});
    ASSERT_EQ(pipeline->setLayouts().setCount(), 1U);
    ASSERT_EQ(pipeline->setLayouts().bindings(0).size(), 1U);
    EXPECT_EQ(pipeline->setLayouts().bindings(0)[0].stages,
              VkShaderStageFlags{VK_SHADER_STAGE_FRAGMENT_BIT});
    ASSERT_EQ(pipeline->colorFormats().size(), 2U);
    EXPECT_EQ(pipeline->colorFormats()[1], VK_FORMAT_R32_UINT);

    GraphicsPipeline moved = std::move(*pipeline);
    EXPECT_TRUE(moved.valid());
    moved.reset();
    EXPECT_FALSE(moved.valid());
}

TEST_F(GraphicsPipelineTest, RefusesColourFormatsThatDoNotMatchTheFragmentOutputs) {
    const auto stages = twoOutputStages();
    const std::array<VkFormat, 1> one{VK_FORMAT_R8G8B8A8_UNORM};
    const std::uint64_t creations = CreationGate::count();
    const auto pipeline = GraphicsPipeline::create(
        *device_, GraphicsPipelineDesc{.stages = stages, .colorFormats = one}, "pair");
    ASSERT_FALSE(pipeline);
    EXPECT_EQ(pipeline.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(pipeline.error().message.find("graphics pipeline 'pair': its fragment shader writes "
                                            "2 colour outputs but 1 colour formats were given"),
              std::string::npos)
        << pipeline.error().message;
    EXPECT_EQ(CreationGate::count(), creations) << "refused before creating anything";

    const std::array<VkFormat, 2> undefined{VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_UNDEFINED};
    const auto noFormat = GraphicsPipeline::create(
        *device_, GraphicsPipelineDesc{.stages = stages, .colorFormats = undefined}, "pair");
    ASSERT_FALSE(noFormat);
    EXPECT_NE(noFormat.error().message.find("colour attachment 1 has no format"), std::string::npos)
        << noFormat.error().message;
}

TEST_F(GraphicsPipelineTest, RefusesStageListsThatMakeNoGraphicsPipeline) {
    const std::array<ShaderStageCode, 1> fragmentOnly{
        ShaderStageCode{test_shaders::twoOutputsFrag(), "two_outputs.frag"}};
    const auto noVertex = GraphicsPipeline::create(
        *device_, GraphicsPipelineDesc{.stages = fragmentOnly, .colorFormats = kTwoFormats},
        "lonely");
    ASSERT_FALSE(noVertex);
    EXPECT_EQ(noVertex.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(noVertex.error().message.find("graphics pipeline 'lonely' has no vertex shader"),
              std::string::npos)
        << noVertex.error().message;

    const std::array<ShaderStageCode, 2> withCompute{
        ShaderStageCode{test_shaders::fullscreenTestVert(), "fullscreen_test.vert"},
        ShaderStageCode{test_shaders::fillBufferComp(), "fill_buffer.comp"}};
    const auto compute =
        GraphicsPipeline::create(*device_, GraphicsPipelineDesc{.stages = withCompute}, "mixed");
    ASSERT_FALSE(compute);
    EXPECT_NE(compute.error().message.find("shader 'fill_buffer.comp' is a compute shader"),
              std::string::npos)
        << compute.error().message;

    const std::array<ShaderStageCode, 2> twoVertex{
        ShaderStageCode{test_shaders::fullscreenTestVert(), "a.vert"},
        ShaderStageCode{test_shaders::fullscreenTestVert(), "b.vert"}};
    const auto twice =
        GraphicsPipeline::create(*device_, GraphicsPipelineDesc{.stages = twoVertex}, "twice");
    ASSERT_FALSE(twice);
    EXPECT_NE(twice.error().message.find("'a.vert' and 'b.vert' are both vertex shaders"),
              std::string::npos)
        << twice.error().message;

    const std::array<ShaderStageCode, 2> conflicting{
        ShaderStageCode{test_shaders::conflictingVert(), "conflicting.vert"},
        ShaderStageCode{test_shaders::texturedFrag(), "textured.frag"}};
    const std::array<VkFormat, 1> one{VK_FORMAT_R8G8B8A8_UNORM};
    const auto disagree = GraphicsPipeline::create(
        *device_, GraphicsPipelineDesc{.stages = conflicting, .colorFormats = one}, "disagree");
    ASSERT_FALSE(disagree);
    EXPECT_EQ(disagree.error().code, ErrorCode::TypeMismatch);
}

TEST_F(GraphicsPipelineTest, LeaksNothingWhenAnyCreationFails) {
    // One set layout, the pipeline layout, two modules and the pipeline.
    constexpr std::uint64_t kCreations = 5;
    const auto stages = twoOutputStages();
    for (std::uint64_t nth = 1; nth <= kCreations + 1; ++nth) {
        SCOPED_TRACE(nth);
        const ScopedFaultInjection inject(nth);
        const auto pipeline = GraphicsPipeline::create(
            *device_, GraphicsPipelineDesc{.stages = stages, .colorFormats = kTwoFormats}, "pair");
        EXPECT_EQ(pipeline.has_value(), nth > kCreations);
        if (!pipeline) {
            EXPECT_EQ(pipeline.error().code, ErrorCode::OverBudget);
        }
    }
    // The validation layer reports any object left behind when the fixture destroys the device.
}

TEST_F(GraphicsPipelineTest, SamplersClampAnisotropyToWhatTheDeviceAllows) {
    auto plain = Sampler::create(*device_, SamplerDesc{}, "plain");
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_NE(plain->handle(), VK_NULL_HANDLE);
    // Far past any device's limit: clamped (or off without samplerAnisotropy), never refused.
    auto sharp = Sampler::create(*device_, SamplerDesc{.maxAnisotropy = 1e6F}, "sharp");
    ASSERT_TRUE(sharp) << sharp.error().message;
    EXPECT_EQ(sharp->desc().maxAnisotropy, 1e6F) << "the description is kept as asked";
    Sampler moved = std::move(*sharp);
    EXPECT_NE(moved.handle(), VK_NULL_HANDLE);
    EXPECT_EQ(sharp->handle(), VK_NULL_HANDLE);  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace vixen::gpu
