// Shaders from a directory on lavapipe with validation: an edit of an included file
// recompiles the ray march node alone (the scene is not uploaded again) and changes the
// picture; a broken edit keeps the previous pipeline running and names the file and line;
// fixing it reloads again. And nodes of one shader share one pipeline.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <sstream>

#include "../cache/cache_test_support.hpp"
#include "gpu_graph_fixture.hpp"
#include "vixen/nodes/shader_library.hpp"
#include "vixen/nodes/voxel_nodes.hpp"
#include "vixen/voxel/procedural.hpp"
#include "vixen/voxel/structure.hpp"
#include "vixen_nodes_shaders.hpp"

namespace vixen::nodes {
namespace {

constexpr std::uint32_t kWidth = 48;
constexpr std::uint32_t kHeight = 32;

std::string readText(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Writes `text` and moves the file's time forward, so a poll sees the change even within
/// the file system's time resolution.
void edit(const std::filesystem::path& path, const std::string& text) {
    const auto before = std::filesystem::last_write_time(path);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    std::filesystem::last_write_time(path, before + std::chrono::seconds(2));
}

std::shared_ptr<const std::vector<std::uint32_t>> brickMapOf(std::string_view scene,
                                                             voxel::Int3 size) {
    auto volume = voxel::BrickVolume::build(**voxel::makeProceduralScene(scene, size));
    EXPECT_TRUE(volume);
    return std::make_shared<const std::vector<std::uint32_t>>(
        volume ? voxel::buildStructure(*volume, voxel::Structure::BrickMap)
               : std::vector<std::uint32_t>{});
}

class ShaderReloadTest : public GpuGraphTest {
protected:
    void SetUp() override {
        GpuGraphTest::SetUp();
        for (const auto& entry :
             std::filesystem::directory_iterator(std::filesystem::path(VIXEN_SHADER_SOURCE_DIR))) {
            std::filesystem::copy_file(entry.path(), scratch_.path() / entry.path().filename());
        }
    }

    [[nodiscard]] std::filesystem::path shading() const {
        return scratch_.path() / "voxel_shade.glsl";
    }

    cache::testing::ScratchDirectory scratch_;
};

TEST_F(ShaderReloadTest, AnEditedShaderRecompilesItsNodeAloneAndABrokenOneKeepsTheOld) {
    ShaderLibrary shaders(scratch_.path(), nullptr);
    GpuGraph& gpu = makeGraph();
    const voxel::Int3 size{32, 32, 32};
    const auto words = brickMapOf("cornell", size);
    const GpuImageShape shape{kWidth, kHeight, false, false};
    const VoxelRenderer renderer = addVoxelRenderer(
        gpu.graph, *gpu.runtime, words,
        [size](std::uint64_t) { return voxel::Camera::orbit(size, 0.0F, 0.0F); }, shape,
        voxel::Structure::BrickMap, {}, &shaders);
    auto color = gpu.graph.addNode<GpuReadbackNode>("color", *gpu.runtime);
    renderer.connect(gpu.graph, VoxelOutput::Color, color, GpuReadbackConfig::image);
    ASSERT_TRUE(gpu.graph.compile());
    const auto picture = [&] {
        EXPECT_TRUE(gpu.runtime->frame());
        EXPECT_TRUE(gpu.runtime->frame());
        EXPECT_TRUE(gpu.runtime->waitIdle());
        auto pixels = static_cast<GpuReadbackNode&>(gpu.graph.node(color.id)).pixels();
        EXPECT_TRUE(pixels);
        return pixels ? std::vector<std::byte>(pixels->begin(), pixels->end())
                      : std::vector<std::byte>{};
    };
    const auto& march = static_cast<VoxelRayMarchNode&>(gpu.graph.node(renderer.marchId()));
    const auto& scene = static_cast<VoxelSceneNode&>(gpu.graph.node(renderer.scene.id));
    const std::vector<std::byte> original = picture();
    {
        const core::NoAllocationGuard guard(core::TrackScope::ThisThread);
        EXPECT_EQ(shaders.poll(gpu.graph.events()), 0U) << "nothing changed yet";
        EXPECT_TRUE(guard.ok()) << "polling allocates nothing: " << guard.describe();
    }

    // The sky's colour lives in the include: edit it.
    const std::string source = readText(shading());
    const std::string sky = "vec3(0.60, 0.70, 0.85)";
    const std::size_t at = source.find(sky);
    ASSERT_NE(at, std::string::npos);
    std::string red = source;
    red.replace(at, sky.size(), "vec3(1.00, 0.00, 0.00)");
    edit(shading(), red);
    EXPECT_EQ(shaders.poll(gpu.graph.events()), 1U) << "voxel_brickmap.comp includes it";
    const std::vector<std::byte> edited = picture();
    EXPECT_EQ(march.shaderReloads(), 1U);
    EXPECT_EQ(scene.uploads(), 1U) << "the scene is not uploaded again";
    EXPECT_EQ(gpu.runtime->computePipelineStats().misses, 2U);
    ASSERT_EQ(edited.size(), original.size());
    // The top-left pixel looks at the sky: redder now.
    EXPECT_NE(edited, original);
    EXPECT_GT(edited[0], original[0]);
    EXPECT_LT(edited[1], original[1]);

    // A broken edit: the old (red) pipeline keeps running; the error names file and line.
    std::string broken = red;
    const std::string main = "Shaded shadePixel(uvec2 pixel) {\n";
    broken.insert(broken.find(main) + main.size(), "    undeclaredName = 1;\n");
    edit(shading(), broken);
    EXPECT_EQ(shaders.poll(gpu.graph.events()), 1U);
    EXPECT_EQ(picture(), edited);
    EXPECT_EQ(march.failedShaderReloads(), 1U);
    EXPECT_NE(march.lastShaderError().find("voxel_shade.glsl:"), std::string::npos)
        << march.lastShaderError();
    EXPECT_NE(march.lastShaderError().find("undeclaredName"), std::string::npos);

    // Fixed: it reloads again, and the picture is the original one.
    edit(shading(), source);
    EXPECT_EQ(shaders.poll(gpu.graph.events()), 1U);
    EXPECT_EQ(picture(), original);
    EXPECT_EQ(march.shaderReloads(), 2U);
    EXPECT_EQ(scene.uploads(), 1U);
    // The first pipeline stopped being shared when it was replaced: made again, not kept.
    EXPECT_EQ(gpu.runtime->computePipelineStats().misses, 3U);

    // Saved again unchanged: the reload gets the running pipeline back and keeps sharing it.
    edit(shading(), source);
    EXPECT_EQ(shaders.poll(gpu.graph.events()), 1U);
    EXPECT_EQ(picture(), original);
    EXPECT_EQ(gpu.runtime->computePipelineStats().misses, 3U);
    auto again = gpu.runtime->computePipeline(
        *shaders.spirv("voxel_brickmap.comp", shaders::voxelBrickmapComp()).value(),
        "voxel_brickmap.comp");
    ASSERT_TRUE(again);
    EXPECT_EQ(gpu.runtime->computePipelineStats().misses, 3U) << "still shared, not made again";
}

TEST_F(ShaderReloadTest, AShaderThatDoesNotCompileAtFirstFailsTheCompileNamingIt) {
    edit(scratch_.path() / "voxel_octree.comp", "#version 460\nvoid main() { nope(); }\n");
    ShaderLibrary shaders(scratch_.path(), nullptr);
    GpuGraph& gpu = makeGraph();
    auto words = std::make_shared<const std::vector<std::uint32_t>>(64, 0U);
    const VoxelRenderer renderer = addVoxelRenderer(
        gpu.graph, *gpu.runtime, words,
        [](std::uint64_t) {
            return voxel::Camera::orbit({32, 32, 32}, 0.0F);
        },
        GpuImageShape{kWidth, kHeight, false, false}, voxel::Structure::Octree, {}, &shaders);
    auto color = gpu.graph.addNode<GpuReadbackNode>("color", *gpu.runtime);
    renderer.connect(gpu.graph, VoxelOutput::Color, color, GpuReadbackConfig::image);
    const Result<void> compiled = gpu.graph.compile();
    ASSERT_FALSE(compiled);
    EXPECT_NE(compiled.error().message.find("voxel_octree.comp:2: error:"), std::string::npos)
        << compiled.error().message;
}

TEST_F(GpuGraphTest, NodesOfOneShaderShareOnePipeline) {
    GpuGraph& gpu = makeGraph();
    const voxel::Int3 size{32, 32, 32};
    const auto words = brickMapOf("tunnels", size);
    const GpuImageShape shape{kWidth, kHeight, false, false};
    const auto orbit = [size](std::uint64_t) { return voxel::Camera::orbit(size, 0.5F); };
    const VoxelRenderer first =
        addVoxelRenderer(gpu.graph, *gpu.runtime, words, orbit, shape, voxel::Structure::BrickMap);
    auto second = gpu.graph.addNode<VoxelRayMarchNode>("second march", *gpu.runtime,
                                                       voxel::Structure::BrickMap, shape);
    gpu.graph.connect(first.scene, VoxelSceneConfig::scene, second, VoxelRayMarchConfig::scene);
    gpu.graph.connect(first.camera, VoxelCameraConfig::camera, second, VoxelRayMarchConfig::camera);
    auto one = gpu.graph.addNode<GpuReadbackNode>("one", *gpu.runtime);
    auto two = gpu.graph.addNode<GpuReadbackNode>("two", *gpu.runtime);
    first.connect(gpu.graph, VoxelOutput::Color, one, GpuReadbackConfig::image);
    gpu.graph.connect(second, VoxelRayMarchConfig::color, two, GpuReadbackConfig::image);
    ASSERT_TRUE(gpu.graph.compile());
    EXPECT_EQ(gpu.runtime->computePipelineStats().misses, 1U);
    EXPECT_EQ(gpu.runtime->computePipelineStats().hits, 1U);
    ASSERT_TRUE(gpu.runtime->frame());
    ASSERT_TRUE(gpu.runtime->waitIdle());
    auto a = static_cast<GpuReadbackNode&>(gpu.graph.node(one.id)).pixels();
    auto b = static_cast<GpuReadbackNode&>(gpu.graph.node(two.id)).pixels();
    ASSERT_TRUE(a && b);
    EXPECT_TRUE(std::equal(a->begin(), a->end(), b->begin(), b->end()));
}

TEST_F(GpuGraphTest, TheRuntimeSharesLayoutsGraphicsPipelinesAndSamplers) {
    GpuGraph& gpu = makeGraph();
    GpuRuntime& runtime = *gpu.runtime;
    // The two compute marchers declare the same bindings: two pipelines, one set of layouts.
    auto brick = runtime.computePipeline(shaders::voxelBrickmapComp(), "voxel_brickmap.comp");
    auto octree = runtime.computePipeline(shaders::voxelOctreeComp(), "voxel_octree.comp");
    ASSERT_TRUE(brick && octree);
    EXPECT_NE((*brick)->handle(), (*octree)->handle());
    EXPECT_EQ(&(*brick)->setLayouts(), &(*octree)->setLayouts());
    EXPECT_EQ((*brick)->layout(), (*octree)->layout()) << "and equal push constants: one layout";
    EXPECT_EQ(runtime.pipelineLayoutStats().misses, 1U);
    EXPECT_EQ(runtime.pipelineLayoutStats().hits, 1U);
    EXPECT_EQ(runtime.setLayoutStats().misses, 1U);

    // A graphics pipeline is shared by shaders and state; other formats make another one,
    // with the same set layouts.
    const std::array<gpu::ShaderStageCode, 2> stages{
        gpu::ShaderStageCode{shaders::fullscreenVert(), "fullscreen.vert"},
        gpu::ShaderStageCode{shaders::voxelBrickmapFrag(), "voxel_brickmap.frag"}};
    const std::array<VkFormat, 3> formats{VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R32_SFLOAT,
                                          VK_FORMAT_R32_UINT};
    const std::array<VkFormat, 3> wider{VK_FORMAT_R16G16B16A16_SFLOAT, VK_FORMAT_R32_SFLOAT,
                                        VK_FORMAT_R32_UINT};
    auto first = runtime.graphicsPipeline({.stages = stages, .colorFormats = formats}, "march");
    auto again = runtime.graphicsPipeline({.stages = stages, .colorFormats = formats}, "march");
    auto other = runtime.graphicsPipeline({.stages = stages, .colorFormats = wider}, "march");
    ASSERT_TRUE(first && again && other);
    EXPECT_EQ(first->get(), again->get());
    EXPECT_NE(first->get(), other->get());
    EXPECT_EQ(&(*first)->setLayouts(), &(*other)->setLayouts());
    EXPECT_EQ(runtime.graphicsPipelineStats().misses, 2U);
    EXPECT_EQ(runtime.graphicsPipelineStats().hits, 1U);
    EXPECT_EQ((*first)->layout(), (*other)->layout());
    EXPECT_EQ(runtime.pipelineLayoutStats().misses, 2U);
    EXPECT_EQ(runtime.setLayoutStats().misses, 2U) << "the fragment stage's bindings differ";

    auto linear = runtime.sampler({});
    auto linearAgain = runtime.sampler({});
    auto nearest = runtime.sampler({.filter = VK_FILTER_NEAREST});
    ASSERT_TRUE(linear && linearAgain && nearest);
    EXPECT_EQ((*linear)->handle(), (*linearAgain)->handle());
    EXPECT_NE((*linear)->handle(), (*nearest)->handle());
    EXPECT_EQ(runtime.samplerStats().misses, 2U);
    EXPECT_EQ(runtime.samplerStats().hits, 1U);
}

}  // namespace
}  // namespace vixen::nodes
