// reflectShader and mergeInterfaces on the SPIR-V that vixen_add_shaders compiled from
// tests/gpu/shaders at build time, and on words that are not SPIR-V. No device needed.
#include "vixen/gpu/shader_reflection.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "test_shaders.hpp"

namespace vixen::gpu {

// Readable failures for EXPECT_EQ on binding lists (found by argument-dependent lookup).
void PrintTo(const DescriptorBinding& binding, std::ostream* out) {
    *out << "{set " << binding.set << ", binding " << binding.binding << ", "
         << toString(binding.type) << " x" << binding.count << ", stages 0x" << std::hex
         << binding.stages << std::dec << ", '" << binding.name << "'}";
}

namespace {

namespace shaders = test_shaders;

constexpr std::uint32_t kMagic = 0x07230203U;

ShaderInterface reflectOrFail(std::span<const std::uint32_t> spirv, std::string_view name) {
    auto reflected = reflectShader(spirv, name);
    EXPECT_TRUE(reflected) << reflected.error().message;
    return reflected ? std::move(*reflected) : ShaderInterface{};
}

DescriptorBinding binding(std::uint32_t set, std::uint32_t index, VkDescriptorType type,
                          std::uint32_t count, VkShaderStageFlags stages, std::string name) {
    return DescriptorBinding{set, index, type, count, stages, std::move(name)};
}

/// The message of the error `reflectShader(words)` gives, which must be a ParseError that
/// names the shader.
std::string parseError(const std::vector<std::uint32_t>& words) {
    const auto reflected = reflectShader(words, "broken.comp");
    EXPECT_FALSE(reflected);
    if (reflected) {
        return {};
    }
    EXPECT_EQ(reflected.error().code, ErrorCode::ParseError) << reflected.error().message;
    EXPECT_NE(reflected.error().message.find("'broken.comp'"), std::string::npos)
        << reflected.error().message;
    return reflected.error().message;
}

std::vector<std::uint32_t> words(std::span<const std::uint32_t> spirv) {
    return {spirv.begin(), spirv.end()};
}

TEST(ShaderReflectionTest, EmbedsEveryListedShaderAsSpirv) {
    const auto all = shaders::all();
    ASSERT_EQ(all.size(), 13U);
    EXPECT_EQ(all[0].name, "conflicting.vert");
    EXPECT_EQ(all[1].name, "fill_buffer.comp");
    EXPECT_EQ(all[1].spirv.data(), shaders::fillBufferComp().data());
    for (const shaders::EmbeddedShader& shader : all) {
        SCOPED_TRACE(shader.name);
        ASSERT_GE(shader.spirv.size(), 5U);
        EXPECT_EQ(shader.spirv[0], kMagic);
        EXPECT_EQ(shader.spirv[1], 0x00010600U);  // SPIR-V 1.6: --target-env vulkan1.3
    }
}

TEST(ShaderReflectionTest, ReadsEveryBindingOfAComputeShader) {
    const ShaderInterface shader = reflectOrFail(shaders::interfaceComp(), "interface.comp");
    EXPECT_EQ(shader.name, "interface.comp");
    EXPECT_EQ(shader.stage, VK_SHADER_STAGE_COMPUTE_BIT);
    EXPECT_EQ(shader.entryPoint, "main");
    EXPECT_EQ(shader.workgroupSize, (std::array<std::uint32_t, 3>{8, 4, 2}));
    EXPECT_EQ(shader.pushConstantSize, 16U);  // uint + float + vec2
    constexpr VkShaderStageFlags kCompute = VK_SHADER_STAGE_COMPUTE_BIT;
    const std::vector<DescriptorBinding> expected{
        binding(0, 0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, kCompute, "outputBuffer"),
        binding(0, 1, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1, kCompute, "targetImage"),
        binding(0, 2, VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, 1, kCompute, "texels"),
        binding(0, 3, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 1, kCompute, "lookup"),
        binding(1, 0, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, 1, kCompute, "params"),
        binding(1, 2, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, 4, kCompute, "textures"),
        binding(3, 0, VK_DESCRIPTOR_TYPE_SAMPLER, 1, kCompute, "linearSampler"),
    };
    EXPECT_EQ(shader.bindings, expected);
}

TEST(ShaderReflectionTest, ReadsAWorkgroupWidthFromASpecializationConstant) {
    const ShaderInterface shader =
        reflectOrFail(shaders::specializedSizeComp(), "specialized_size.comp");
    EXPECT_EQ(shader.workgroupSize, (std::array<std::uint32_t, 3>{32, 2, 1}));
}

TEST(ShaderReflectionTest, ReadsGraphicsStagesWithoutAWorkgroup) {
    const ShaderInterface vertex = reflectOrFail(shaders::texturedVert(), "textured.vert");
    EXPECT_EQ(vertex.stage, VK_SHADER_STAGE_VERTEX_BIT);
    EXPECT_EQ(vertex.pushConstantSize, 64U);  // one mat4
    EXPECT_EQ(vertex.workgroupSize, (std::array<std::uint32_t, 3>{}));
    ASSERT_EQ(vertex.bindings.size(), 1U);
    EXPECT_EQ(vertex.bindings[0].type, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER);

    const ShaderInterface fragment = reflectOrFail(shaders::texturedFrag(), "textured.frag");
    EXPECT_EQ(fragment.stage, VK_SHADER_STAGE_FRAGMENT_BIT);
    EXPECT_EQ(fragment.pushConstantSize, 80U);  // a vec4 at offset 64
    ASSERT_EQ(fragment.bindings.size(), 2U);
    EXPECT_EQ(fragment.bindings[1].type, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER);
    EXPECT_EQ(fragment.bindings[1].name, "albedo");
}

TEST(ShaderReflectionTest, MergesVertexAndFragmentWithStagesOred) {
    const std::array stages{reflectOrFail(shaders::texturedVert(), "textured.vert"),
                            reflectOrFail(shaders::texturedFrag(), "textured.frag")};
    const auto merged = mergeInterfaces(stages);
    ASSERT_TRUE(merged) << merged.error().message;
    EXPECT_EQ(merged->name, "textured.vert+textured.frag");
    constexpr VkShaderStageFlags kBoth = VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT;
    EXPECT_EQ(merged->stages, kBoth);
    const std::vector<DescriptorBinding> expected{
        binding(0, 0, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, 1, kBoth, "camera"),
        binding(0, 1, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1, VK_SHADER_STAGE_FRAGMENT_BIT,
                "albedo"),
    };
    EXPECT_EQ(merged->bindings, expected);
    EXPECT_EQ(merged->pushConstantSize, 80U);
    EXPECT_EQ(merged->pushConstantStages, kBoth);
    EXPECT_EQ(merged->setCount(), 1U);
    EXPECT_EQ(merged->workgroupSize, (std::array<std::uint32_t, 3>{}));
}

TEST(ShaderReflectionTest, SplitsBindingsBySetWithGapsEmpty) {
    const std::array stages{reflectOrFail(shaders::interfaceComp(), "interface.comp")};
    const auto merged = mergeInterfaces(stages);
    ASSERT_TRUE(merged) << merged.error().message;
    EXPECT_EQ(merged->setCount(), 4U);
    EXPECT_EQ(merged->setBindings(0).size(), 4U);
    ASSERT_EQ(merged->setBindings(1).size(), 2U);
    EXPECT_EQ(merged->setBindings(1)[1].name, "textures");
    EXPECT_TRUE(merged->setBindings(2).empty());
    ASSERT_EQ(merged->setBindings(3).size(), 1U);
    EXPECT_EQ(merged->setBindings(3)[0].type, VK_DESCRIPTOR_TYPE_SAMPLER);
    EXPECT_TRUE(merged->setBindings(4).empty());
    EXPECT_EQ(merged->workgroupSize, (std::array<std::uint32_t, 3>{8, 4, 2}));
    EXPECT_EQ(merged->pushConstantStages, VkShaderStageFlags{VK_SHADER_STAGE_COMPUTE_BIT});
}

TEST(ShaderReflectionTest, MergeNamesBothShadersWhenABindingsTypeDisagrees) {
    const std::array stages{reflectOrFail(shaders::texturedFrag(), "textured.frag"),
                            reflectOrFail(shaders::conflictingVert(), "conflicting.vert")};
    const auto merged = mergeInterfaces(stages);
    ASSERT_FALSE(merged);
    EXPECT_EQ(merged.error().code, ErrorCode::TypeMismatch);
    const std::string& message = merged.error().message;
    EXPECT_NE(message.find("set 0, binding 1"), std::string::npos) << message;
    EXPECT_NE(message.find("combined image sampler ('albedo') in 'textured.frag'"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("uniform buffer ('offsets') in 'conflicting.vert'"), std::string::npos)
        << message;
}

TEST(ShaderReflectionTest, MergeRejectsDifferentArraySizes) {
    ShaderInterface vertex;
    vertex.name = "a.vert";
    vertex.stage = VK_SHADER_STAGE_VERTEX_BIT;
    vertex.bindings = {
        binding(2, 5, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, 4, VK_SHADER_STAGE_VERTEX_BIT, "textures")};
    ShaderInterface fragment;
    fragment.name = "b.frag";
    fragment.stage = VK_SHADER_STAGE_FRAGMENT_BIT;
    fragment.bindings = {binding(2, 5, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, 8,
                                 VK_SHADER_STAGE_FRAGMENT_BIT, "textures")};
    const std::array stages{vertex, fragment};
    const auto merged = mergeInterfaces(stages);
    ASSERT_FALSE(merged);
    EXPECT_EQ(merged.error().code, ErrorCode::TypeMismatch);
    EXPECT_NE(merged.error().message.find("set 2, binding 5 ('textures') has 4 elements in "
                                          "'a.vert' but 8 in 'b.frag'"),
              std::string::npos)
        << merged.error().message;
}

TEST(ShaderReflectionTest, MergeRejectsNoStagesAndOneStageTwice) {
    const auto none = mergeInterfaces({});
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::InvalidArgument);

    const std::array twice{reflectOrFail(shaders::texturedVert(), "textured.vert"),
                           reflectOrFail(shaders::conflictingVert(), "conflicting.vert")};
    const auto merged = mergeInterfaces(twice);
    ASSERT_FALSE(merged);
    EXPECT_EQ(merged.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(merged.error().message.find(
                  "'textured.vert' and 'conflicting.vert' are both vertex shaders"),
              std::string::npos)
        << merged.error().message;
}

TEST(ShaderReflectionTest, RefusesARuntimeSizedDescriptorArray) {
    const auto reflected = reflectShader(shaders::runtimeArrayComp(), "runtime_array.comp");
    ASSERT_FALSE(reflected);
    EXPECT_EQ(reflected.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(reflected.error().message.find("'runtime_array.comp': 'textures' (set 0, binding "
                                             "0) is a runtime-sized descriptor array"),
              std::string::npos)
        << reflected.error().message;
}

TEST(ShaderReflectionTest, EmptyInputIsAParseError) {
    const std::string message = parseError({});
    EXPECT_NE(message.find("empty"), std::string::npos) << message;
}

TEST(ShaderReflectionTest, BadMagicIsAParseErrorAtByteZero) {
    const std::string message = parseError({0xdeadbeefU, 0x00010600U, 0, 16, 0});
    EXPECT_NE(message.find("bad magic 0xdeadbeef at byte 0"), std::string::npos) << message;

    // GLSL source handed over instead of SPIR-V: "#ver" read as a little-endian word.
    const std::string text = parseError({0x72657623U, 0x6e6f6973U});
    EXPECT_NE(text.find("not SPIR-V"), std::string::npos) << text;
}

TEST(ShaderReflectionTest, ByteSwappedSpirvIsNamedAsSuch) {
    const std::string message = parseError({0x03022307U, 0x00060100U, 0, 0x10000000U, 0});
    EXPECT_NE(message.find("byte-swapped"), std::string::npos) << message;
}

TEST(ShaderReflectionTest, TruncatedHeaderIsAParseError) {
    const std::string message = parseError({kMagic, 0x00010600U, 0});
    EXPECT_NE(message.find("truncated SPIR-V: 12 bytes, shorter than the 20-byte header"),
              std::string::npos)
        << message;
}

TEST(ShaderReflectionTest, TruncatedInstructionNamesItsByteOffset) {
    const auto full = shaders::fillBufferComp();
    // Cut inside some instruction past the header: find one that spans the cut.
    std::size_t offset = 5;
    while (offset + (full[offset] >> 16U) <= full.size() / 2) {
        offset += full[offset] >> 16U;
    }
    std::vector<std::uint32_t> cut(full.begin(),
                                   full.begin() + static_cast<std::ptrdiff_t>(offset + 1));
    if ((full[offset] >> 16U) == 1) {
        cut.push_back(0x00050000U);  // a one-word instruction there: append a 5-word one
    }
    const std::string message = parseError(cut);
    EXPECT_NE(message.find(fmt::format("truncated SPIR-V: the instruction at byte {}", offset * 4)),
              std::string::npos)
        << message;
}

TEST(ShaderReflectionTest, ZeroWordCountIsAParseError) {
    std::vector<std::uint32_t> spirv = words(shaders::fillBufferComp());
    spirv[5] = 0x00000011U;  // OpCapability with a word count of 0
    const std::string message = parseError(spirv);
    EXPECT_NE(message.find("the instruction at byte 20 (opcode 17) has a word count of 0"),
              std::string::npos)
        << message;
}

TEST(ShaderReflectionTest, GarbageAfterAValidHeaderIsAParseError) {
    // Instructions whose word counts add up exactly but whose opcodes and operands are noise.
    std::mt19937 random(1234);
    std::vector<std::uint32_t> spirv{kMagic, 0x00010600U, 0, 64, 0};
    while (spirv.size() < 200) {
        const auto count = static_cast<std::uint32_t>(1 + random() % 6);
        spirv.push_back((count << 16U) | static_cast<std::uint32_t>(random() % 400));
        for (std::uint32_t i = 1; i < count; ++i) {
            spirv.push_back(static_cast<std::uint32_t>(random()));
        }
    }
    const std::string message = parseError(spirv);
    EXPECT_NE(message.find("invalid SPIR-V"), std::string::npos) << message;
}

TEST(ShaderReflectionTest, AModuleWithoutAnEntryPointIsAParseError) {
    // Well-formed words (OpCapability Shader, OpMemoryModel Logical GLSL450), but no shader.
    const std::string message =
        parseError({kMagic, 0x00010600U, 0, 1, 0, 0x00020011U, 1, 0x0003000eU, 0, 1});
    EXPECT_NE(message.find("invalid SPIR-V"), std::string::npos) << message;
    EXPECT_NE(message.find("OpEntryPoint"), std::string::npos) << message;
}

TEST(ShaderReflectionTest, AnUndefinedIdNamesTheInstructionAndItsByte) {
    std::vector<std::uint32_t> spirv = words(shaders::fillBufferComp());
    std::size_t offset = 5;
    std::size_t ordinal = 1;
    while ((spirv[offset] & 0xffffU) != 62U) {  // the first OpStore
        offset += spirv[offset] >> 16U;
        ++ordinal;
    }
    spirv[offset + 1] = 99999;  // its pointer: an ID nothing defines
    const std::string message = parseError(spirv);
    EXPECT_NE(message.find(fmt::format("invalid SPIR-V in instruction {} (byte {}): ID '99999",
                                       ordinal, offset * 4)),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("has not been defined: OpStore %99999"), std::string::npos) << message;
}

TEST(ShaderReflectionTest, CorruptedModulesAreRefusedNeverCrashing) {
    // Bit flips past the header: the validator must stop each broken module before
    // SPIRV-Cross, which trusts its input, sees it.
    const auto original = shaders::interfaceComp();
    std::mt19937 random(42);
    int refused = 0;
    for (int trial = 0; trial < 300; ++trial) {
        std::vector<std::uint32_t> spirv = words(original);
        for (int flip = 0; flip < 3; ++flip) {
            const std::size_t at = 5 + random() % (spirv.size() - 5);
            spirv[at] ^= 1U << (random() % 32);
        }
        const auto reflected = reflectShader(spirv, "mutated.comp");
        if (!reflected) {
            ++refused;
            EXPECT_TRUE(reflected.error().code == ErrorCode::ParseError ||
                        reflected.error().code == ErrorCode::InvalidArgument)
                << reflected.error().message;
            EXPECT_NE(reflected.error().message.find("'mutated.comp'"), std::string::npos)
                << reflected.error().message;
        }
    }
    EXPECT_GT(refused, 250);  // a flip in a name or an unused constant can stay valid
}

TEST(ShaderReflectionTest, NamesDescriptorTypesAndStages) {
    EXPECT_EQ(toString(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER), "storage buffer");
    EXPECT_EQ(toString(VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER), "combined image sampler");
    EXPECT_EQ(toString(VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_KHR), "acceleration structure");
    EXPECT_EQ(toString(VK_SHADER_STAGE_COMPUTE_BIT), "compute");
    EXPECT_EQ(toString(VK_SHADER_STAGE_FRAGMENT_BIT), "fragment");
}

}  // namespace
}  // namespace vixen::gpu
