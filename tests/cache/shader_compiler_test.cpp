// Run-time GLSL compilation: SPIR-V out, the compiler's messages with file and line for a
// broken shader, and the cache keyed by every byte the result depends on (includes too).
#include "vixen/cache/shader_compiler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "cache_test_support.hpp"

namespace vixen::cache {
namespace {

using testing::ScratchDirectory;

void writeText(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

class ShaderCompilerTest : public ::testing::Test {
protected:
    void SetUp() override {
        writeText(dir() / "common.glsl", "const uint kValue = 7u;\n");
        writeText(dir() / "fill.comp",
                  "#version 460\n"
                  "#extension GL_GOOGLE_include_directive : require\n"
                  "#include \"common.glsl\"\n"
                  "layout(local_size_x = 64) in;\n"
                  "layout(std430, binding = 0) buffer Out { uint values[]; };\n"
                  "void main() { values[gl_GlobalInvocationID.x] = kValue + SCALE; }\n");
    }
    [[nodiscard]] const std::filesystem::path& dir() const { return scratch_.path(); }
    [[nodiscard]] ShaderRequest fill(std::string scale = "1u") const {
        return {dir() / "fill.comp", {{"SCALE", std::move(scale)}}};
    }

    ScratchDirectory scratch_;
};

TEST_F(ShaderCompilerTest, CompilesWithIncludesAndDefinesAndWatchesEveryFile) {
    ShaderCompiler compiler;
    auto compiled = compiler.compile(fill());
    ASSERT_TRUE(compiled) << compiled.error().message;
    ASSERT_GT(compiled->spirv->size(), 5U);
    EXPECT_EQ(compiled->spirv->front(), 0x07230203U);
    EXPECT_EQ((*compiled->spirv)[1], 0x00010600U) << "SPIR-V 1.6, as the build's shaders";
    ASSERT_EQ(compiled->files.size(), 2U);
    EXPECT_EQ(compiled->files[0].filename(), "fill.comp");
    EXPECT_EQ(compiled->files[1].filename(), "common.glsl");
}

TEST_F(ShaderCompilerTest, AnUnchangedShaderIsNotCompiledAgainAndAnyChangeIs) {
    ShaderCompiler compiler;
    ASSERT_TRUE(compiler.compile(fill()));
    ASSERT_TRUE(compiler.compile(fill()));
    EXPECT_EQ(compiler.stats().misses, 1U);
    EXPECT_EQ(compiler.stats().hits, 1U);
    ASSERT_TRUE(compiler.compile(fill("2u")));
    EXPECT_EQ(compiler.stats().misses, 2U) << "another define";
    writeText(dir() / "common.glsl", "const uint kValue = 8u;\n");
    auto edited = compiler.compile(fill());
    ASSERT_TRUE(edited);
    EXPECT_EQ(compiler.stats().misses, 3U) << "an edited include";
}

TEST_F(ShaderCompilerTest, TheNextRunLoadsTheSpirvFromDisk) {
    const PersistentCacheOptions options{dir() / "cache", "spirv", CacheIdentity::host(1),
                                         CacheLayout::OneFile};
    std::vector<std::uint32_t> first;
    {
        PersistentCache disk(options);
        ShaderCompiler compiler(disk);
        auto compiled = compiler.compile(fill());
        ASSERT_TRUE(compiled);
        first = *compiled->spirv;
        ASSERT_TRUE(disk.save());
    }
    PersistentCache disk(options);
    ShaderCompiler compiler(disk);
    auto loaded = compiler.compile(fill());
    ASSERT_TRUE(loaded);
    EXPECT_EQ(*loaded->spirv, first);
    EXPECT_EQ(compiler.stats().loads, 1U);
    EXPECT_EQ(compiler.stats().misses, 0U);
}

TEST_F(ShaderCompilerTest, ABrokenShaderNamesTheFileAndLine) {
    writeText(dir() / "broken.comp",
              "#version 460\n"
              "layout(local_size_x = 1) in;\n"
              "void main() {\n"
              "    undeclared = 1;\n"
              "}\n");
    ShaderCompiler compiler;
    auto broken = compiler.compile({dir() / "broken.comp", {}});
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.error().code, ErrorCode::ParseError);
    EXPECT_NE(broken.error().message.find("broken.comp:4: error:"), std::string::npos)
        << broken.error().message;
    EXPECT_NE(broken.error().message.find("undeclared"), std::string::npos);
    // Fixed, it compiles: the failure was not cached.
    writeText(dir() / "broken.comp",
              "#version 460\nlayout(local_size_x = 1) in;\nvoid main() {}\n");
    EXPECT_TRUE(compiler.compile({dir() / "broken.comp", {}}));
}

TEST_F(ShaderCompilerTest, MissingFilesAndUnknownStagesAreNamed) {
    ShaderCompiler compiler;
    auto missing = compiler.compile({dir() / "none.comp", {}});
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("none.comp"), std::string::npos);
    writeText(dir() / "includer.comp", "#version 460\n\n#include \"absent.glsl\"\n");
    auto absent = compiler.compile({dir() / "includer.comp", {}});
    ASSERT_FALSE(absent);
    EXPECT_NE(absent.error().message.find("includer.comp:3: included file"), std::string::npos)
        << absent.error().message;
    auto stage = compiler.compile({dir() / "common.glsl", {}});
    ASSERT_FALSE(stage);
    EXPECT_NE(stage.error().message.find("names no shader stage"), std::string::npos);
}

TEST_F(ShaderCompilerTest, IncludesAreLookedForNextToTheIncluderThenInTheIncludeDirectories) {
    const std::filesystem::path library = dir() / "library";
    std::filesystem::create_directories(library / "lib");
    writeText(library / "lib" / "values.glsl", "const uint kLibrary = 40u;\n");
    writeText(library / "common.glsl", "const uint kValue = 1000u;\n");
    writeText(dir() / "user.comp",
              "#version 460\n"
              "#extension GL_GOOGLE_include_directive : require\n"
              "#include \"common.glsl\"\n"
              "#include \"lib/values.glsl\"\n"
              "layout(local_size_x = 1) in;\n"
              "layout(std430, binding = 0) buffer Out { uint values[]; };\n"
              "void main() { values[0] = kValue + kLibrary; }\n");
    ShaderCompiler compiler;
    auto compiled = compiler.compile({.file = dir() / "user.comp", .includeDirs = {library}});
    ASSERT_TRUE(compiled) << compiled.error().message;
    const auto has = [&](const std::filesystem::path& file) {
        return std::ranges::find(compiled->files, file) != compiled->files.end();
    };
    ASSERT_EQ(compiled->files.size(), 3U);
    EXPECT_TRUE(has(dir() / "common.glsl")) << "the includer's own comes first";
    EXPECT_FALSE(has(library / "common.glsl"));
    EXPECT_TRUE(has(library / "lib" / "values.glsl"));

    auto without = compiler.compile({.file = dir() / "user.comp"});
    ASSERT_FALSE(without);
    EXPECT_NE(without.error().message.find("user.comp:4: included file"), std::string::npos)
        << without.error().message;
}

TEST(EngineShaderTest, TheEnginesShadersCompileAtRunTime) {
    ShaderCompiler compiler;
    for (const char* name :
         {"voxel_brickmap.comp", "voxel_octree.comp", "voxel_nanovdb.comp", "voxel_brickmap.frag",
          "voxel_nanovdb.frag", "fullscreen.vert", "gradient.comp"}) {
        auto compiled =
            compiler.compile({.file = std::filesystem::path(VIXEN_SHADER_SOURCE_DIR) / name,
                              .includeDirs = {VIXEN_NANOVDB_INCLUDE_DIR}});
        ASSERT_TRUE(compiled) << compiled.error().message;
        EXPECT_EQ(compiled->spirv->front(), 0x07230203U);
    }
}

}  // namespace
}  // namespace vixen::cache
