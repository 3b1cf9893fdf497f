#include "vixen/graph/slot.hpp"

#include <gtest/gtest.h>

#include "test_nodes.hpp"

namespace vixen::graph {
namespace {

struct MixedConfig {
    static constexpr std::string_view kTypeName = "Mixed";
    static constexpr Input<"albedo", int> albedo{};
    static constexpr Output<"color", float> color{};
    static constexpr Input<"normals", int, SlotOptions{.nullable = true}> normals{};
    static constexpr Output<"depth", int> depth{};
    static constexpr Input<
        "lights", float,
        SlotOptions{.stage = StageKind::Compute, .role = SlotRole::Execute, .array = true}>
        lights{};
    static constexpr SlotList slots{albedo, color, normals, depth, lights};
};

using Traits = ConfigSlots<MixedConfig>;

// Indices come from declaration order within each direction.
static_assert(Traits::kInputCount == 3 && Traits::kOutputCount == 2);
static_assert(Traits::indexOf<decltype(MixedConfig::albedo)>() == 0);
static_assert(Traits::indexOf<decltype(MixedConfig::normals)>() == 1);
static_assert(Traits::indexOf<decltype(MixedConfig::lights)>() == 2);
static_assert(Traits::indexOf<decltype(MixedConfig::color)>() == 0);
static_assert(Traits::indexOf<decltype(MixedConfig::depth)>() == 1);
static_assert(InputOf<decltype(MixedConfig::albedo), MixedConfig>);
static_assert(!InputOf<decltype(MixedConfig::color), MixedConfig>);
static_assert(OutputOf<decltype(MixedConfig::depth), MixedConfig>);
static_assert(!OutputOf<decltype(testing::SumConfig::value), MixedConfig>,
              "a slot of another config is not this config's slot");

TEST(SlotTest, RuntimeDescriptorsMirrorTheDeclaration) {
    const NodeTypeInfo& info = *nodeTypeInfoOf<MixedConfig>();
    EXPECT_EQ(info.name, "Mixed");
    ASSERT_EQ(info.inputs.size(), 3U);
    ASSERT_EQ(info.outputs.size(), 2U);
    EXPECT_EQ(info.inputs[2].name, "lights");
    EXPECT_TRUE(info.inputs[2].options.array);
    EXPECT_EQ(info.inputs[2].options.stage, StageKind::Compute);
    EXPECT_EQ(info.inputs[2].options.role, SlotRole::Execute);
    EXPECT_EQ(info.inputs[2].type, typeInfoOf<float>());
    EXPECT_EQ(info.outputs[1].name, "depth");
    EXPECT_EQ(info.outputs[1].options.access, Access::Write);
    EXPECT_EQ(info.findInput("normals"), &info.inputs[1]);
    EXPECT_EQ(info.findOutput("normals"), nullptr);
    EXPECT_FALSE(info.sideEffects);
    EXPECT_TRUE(nodeTypeInfoOf<testing::ProbeConfig>()->sideEffects);
}

TEST(SlotTest, TypeInfoNamesTypes) {
    EXPECT_EQ(typeInfoOf<int>()->name, "int");
    EXPECT_EQ(typeInfoOf<float>()->size, sizeof(float));
    EXPECT_NE(typeInfoOf<int>(), typeInfoOf<unsigned>());
}

}  // namespace
}  // namespace vixen::graph
