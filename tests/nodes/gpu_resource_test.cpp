// GPU resources through slots on lavapipe: a buffer read by a compute node that writes a float
// image (the shader, the nodes below and this test are all a compute node takes), 3D images
// with mip levels, formats the device refuses, persistent outputs kept across recompiles and
// rebuilt when their description changes, and buffers with device addresses.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <vector>

#include "gpu_graph_fixture.hpp"
#include "node_test_shaders.hpp"
#include "vixen/events/engine_events.hpp"
#include "vixen/nodes/compute_kernel.hpp"
#include "vixen/nodes/gpu_import_nodes.hpp"
#include "vixen/nodes/gpu_node.hpp"
#include "vixen/nodes/gpu_pass.hpp"

namespace vixen::nodes {
namespace {

inline constexpr graph::SlotOptions kComputeRead{.stage = graph::StageKind::Compute};
inline constexpr graph::SlotOptions kComputeWrite{.access = graph::Access::Write,
                                                  .stage = graph::StageKind::Compute};

/// Follows WindowResized into `width` and `height` and marks the node dirty.
void followWindow(graph::SetupContext& context, std::uint32_t& width, std::uint32_t& height) {
    context.estimate().eventsPerFrame = 1;
    context.subscribe<events::WindowResized>(
        [&width, &height, markDirty = context.dirtyMarker()](const events::WindowResized& size) {
            width = size.width;
            height = size.height;
            markDirty();
        });
}

struct ValuesConfig {
    static constexpr std::string_view kTypeName = "TestValues";
    static constexpr graph::Output<"values", GpuBuffer,
                                   graph::SlotOptions{.access = graph::Access::Write,
                                                      .stage = graph::StageKind::Transfer,
                                                      .persistent = true}>
        values{};
    static constexpr graph::SlotList slots{values};
};

/// One float per window pixel, value i * 0.5, uploaded when its buffer is new.
class ValuesNode : public GpuNode<ValuesConfig> {
public:
    ValuesNode(GpuRuntime& runtime, std::uint32_t width, std::uint32_t height)
        : GpuNode(runtime), width_(width), height_(height) {}

    std::uint32_t uploads = 0;

protected:
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    void setup(graph::SetupContext& context) override {
        followWindow(context, width_, height_);
        reestimate(context.estimate());
    }
    void reestimate(graph::ResourceEstimate& estimate) override {
        estimate.memory(graph::MemoryKind::DeviceLocal) = bytes();
        estimate.stagingBytes = bytes();
    }
    Result<void> compile(const graph::CompileContext& /*context*/) override {
        auto origin = createOutput(
            ValuesConfig::values,
            gpu::BufferDesc{bytes(),
                            VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                            gpu::MemoryUsage::DeviceLocal});
        if (!origin) {
            return std::unexpected(std::move(origin.error()));
        }
        if (*origin == OutputOrigin::Kept) {
            return {};
        }
        std::vector<float> values(std::size_t{width_} * height_);
        for (std::size_t i = 0; i < values.size(); ++i) {
            values[i] = static_cast<float>(i) * 0.5F;
        }
        const GpuBuffer& buffer = Out(ValuesConfig::values);
        VIXEN_TRY(runtime().uploader()->upload(buffer.buffer, 0, std::as_bytes(std::span(values))));
        buffer.state = gpu::ResourceState::settled(VK_IMAGE_LAYOUT_UNDEFINED);
        ++uploads;
        return {};
    }
    void record(VkCommandBuffer /*commandBuffer*/,
                const graph::ExecuteContext& /*context*/) override {}
    [[nodiscard]] bool writesOutputsEachFrame() const noexcept override { return false; }

private:
    [[nodiscard]] std::uint64_t bytes() const { return std::uint64_t{width_} * height_ * 4; }
    std::uint32_t width_;
    std::uint32_t height_;
};

struct ScaleConfig {
    static constexpr std::string_view kTypeName = "TestScale";
    static constexpr graph::Input<"values", GpuBuffer, kComputeRead> values{};
    static constexpr graph::Output<"image", GpuImage, kComputeWrite> image{};
    static constexpr graph::SlotList slots{values, image};
};

/// image(x, y) = values[y * width + x] * 2 (shaders/scale_to_image.comp).
class ScaleNode : public GpuNode<ScaleConfig> {
public:
    ScaleNode(GpuRuntime& runtime, std::uint32_t width, std::uint32_t height)
        : GpuNode(runtime), width_(width), height_(height) {}

    VkFormat format = VK_FORMAT_R32_SFLOAT;

protected:
    /// Outputs are the runtime's; the kernel retires its descriptor pool: a rebuild need not
    /// wait for the GPU.
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    void setup(graph::SetupContext& context) override {
        followWindow(context, width_, height_);
        context.estimate().memory(graph::MemoryKind::DeviceLocal) =
            std::uint64_t{width_} * height_ * 4;
    }
    Result<void> compile(const graph::CompileContext& /*context*/) override {
        if (Result<void> prepared =
                kernel_.prepare(runtime(), test_shaders::scaleToImageComp(), "scale_to_image.comp");
            !prepared) {
            return prepared;
        }
        auto image = createOutput(
            ScaleConfig::image,
            gpu::ImageDesc{.width = width_,
                           .height = height_,
                           .format = format,
                           .usage = VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT});
        if (!image) {
            return std::unexpected(std::move(image.error()));
        }
        if (Result<void> bound = kernel_.bind(0, In(ScaleConfig::values)); !bound) {
            return bound;
        }
        if (Result<void> bound = kernel_.bind(1, Out(ScaleConfig::image)); !bound) {
            return bound;
        }
        kernel_.commit(runtime().device());
        return {};
    }
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& /*context*/) override {
        struct Params {
            std::uint32_t width;
            std::uint32_t height;
            float scale;
        };
        kernel_.dispatch(commandBuffer, Params{width_, height_, 2.0F}, width_, height_);
    }
    void release(const graph::CleanupContext& context) override {
        if (!context.forRecompile) {
            kernel_.reset();
        }
    }

private:
    ComputeKernel kernel_;
    std::uint32_t width_;
    std::uint32_t height_;
};

struct VolumeConfig {
    static constexpr std::string_view kTypeName = "TestVolume";
    static constexpr graph::Output<"volume", GpuImage, kTransferWrite> volume{};
    static constexpr graph::SlotList slots{volume};
};

/// A 3D RGBA16F image with mip levels, every level cleared to 0.25 each frame.
class VolumeNode : public GpuNode<VolumeConfig> {
public:
    explicit VolumeNode(GpuRuntime& runtime) : GpuNode(runtime) {}

protected:
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    Result<void> compile(const graph::CompileContext& /*context*/) override {
        VIXEN_TRY(createOutput(VolumeConfig::volume,
                               gpu::ImageDesc{.width = 8,
                                              .height = 4,
                                              .format = VK_FORMAT_R16G16B16A16_SFLOAT,
                                              .usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT |
                                                       VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                                              .depth = 3,
                                              .mipLevels = 3}));
        return {};
    }
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& /*context*/) override {
        const VkClearColorValue quarter{{0.25F, 0.25F, 0.25F, 0.25F}};
        const VkImageSubresourceRange everyLevel{VK_IMAGE_ASPECT_COLOR_BIT, 0,
                                                 VK_REMAINING_MIP_LEVELS, 0, 1};
        vkCmdClearColorImage(commandBuffer, Out(VolumeConfig::volume).image.handle(),
                             VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &quarter, 1, &everyLevel);
    }
};

class GpuResourceTest : public GpuGraphTest {
protected:
    struct Chain {
        ValuesNode* values;
        ScaleNode* scale;
        GpuReadbackNode* readback;
        graph::NodeHandle<ScaleNode> scaleHandle;
    };
    Chain buildChain(GpuGraph& gpu, std::uint32_t width, std::uint32_t height) {
        auto values = gpu.graph.addNode<ValuesNode>("values", *gpu.runtime, width, height);
        auto scale = gpu.graph.addNode<ScaleNode>("scale", *gpu.runtime, width, height);
        auto readback = gpu.graph.addNode<GpuReadbackNode>("readback", *gpu.runtime);
        gpu.graph.connect(values, ValuesConfig::values, scale, ScaleConfig::values);
        gpu.graph.connect(scale, ScaleConfig::image, readback, GpuReadbackConfig::image);
        return {&static_cast<ValuesNode&>(gpu.graph.node(values.id)),
                &static_cast<ScaleNode&>(gpu.graph.node(scale.id)),
                &static_cast<GpuReadbackNode&>(gpu.graph.node(readback.id)), scale};
    }

    /// Renders two frames and checks every texel is its index (values[i] * 2 = i).
    static void expectIndices(GpuGraph& gpu, const GpuReadbackNode& readback) {
        ASSERT_TRUE(gpu.runtime->frame());
        ASSERT_TRUE(gpu.runtime->frame());
        ASSERT_TRUE(gpu.runtime->waitIdle());
        auto pixels = readback.pixels();
        ASSERT_TRUE(pixels) << pixels.error().message;
        ASSERT_EQ(readback.format(), VK_FORMAT_R32_SFLOAT);
        const std::size_t count = std::size_t{readback.width()} * readback.height();
        ASSERT_EQ(pixels->size(), count * sizeof(float));
        std::vector<float> texels(count);
        std::memcpy(texels.data(), pixels->data(), pixels->size());
        for (std::size_t i = 0; i < count; ++i) {
            ASSERT_EQ(texels[i], static_cast<float>(i)) << "texel " << i;
        }
    }
};

TEST_F(GpuResourceTest, AComputeNodeReadsABufferAndWritesAFloatImage) {
    GpuGraph& gpu = makeGraph();
    const Chain chain = buildChain(gpu, 24, 10);
    ASSERT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
    expectIndices(gpu, *chain.readback);
    EXPECT_EQ(chain.values->uploads, 1U);
}

TEST_F(GpuResourceTest, AOneOffPassIsTwoLambdasOnTheSameTypedSlots) {
    // ScaleNode again, as a pass: its kernel lives in the pass's state.
    GpuGraph& gpu = makeGraph();
    constexpr std::uint32_t kWidth = 16;
    constexpr std::uint32_t kHeight = 6;
    using ScalePass = GpuPass<ScaleConfig, ComputeKernel>;
    auto values = gpu.graph.addNode<ValuesNode>("values", *gpu.runtime, kWidth, kHeight);
    auto scale = gpu.graph.addNode<ScalePass>(
        "scale pass", *gpu.runtime,
        [](ScalePass& pass) -> Result<void> {
            VIXEN_TRY(pass.state.prepare(pass.runtime(), test_shaders::scaleToImageComp(),
                                         "scale_to_image.comp"));
            VIXEN_TRY(pass.createOutput(ScaleConfig::image,
                                        gpu::ImageDesc{.width = kWidth,
                                                       .height = kHeight,
                                                       .format = VK_FORMAT_R32_SFLOAT,
                                                       .usage = VK_IMAGE_USAGE_STORAGE_BIT |
                                                                VK_IMAGE_USAGE_TRANSFER_SRC_BIT}));
            VIXEN_TRY(pass.state.bind(0, pass.In(ScaleConfig::values)));
            VIXEN_TRY(pass.state.bind(1, pass.Out(ScaleConfig::image)));
            pass.state.commit(pass.runtime().device());
            return {};
        },
        [](ScalePass& pass, VkCommandBuffer commandBuffer, const graph::ExecuteContext&) {
            const std::array<std::uint32_t, 3> params{kWidth, kHeight,
                                                      std::bit_cast<std::uint32_t>(2.0F)};
            pass.state.dispatch(commandBuffer, params, kWidth, kHeight);
        });
    auto readback = gpu.graph.addNode<GpuReadbackNode>("readback", *gpu.runtime);
    gpu.graph.connect(values, ValuesConfig::values, scale, ScaleConfig::values);
    gpu.graph.connect(scale, ScaleConfig::image, readback, GpuReadbackConfig::image);
    ASSERT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
    expectIndices(gpu, static_cast<GpuReadbackNode&>(gpu.graph.node(readback.id)));
}

TEST_F(GpuResourceTest, APersistentOutputOutlivesRecompilesWhileItsDescriptionHolds) {
    GpuGraph& gpu = makeGraph();
    const Chain chain = buildChain(gpu, 8, 4);
    ASSERT_TRUE(gpu.graph.compile());
    expectIndices(gpu, *chain.readback);

    // A structural change rebuilds the graph; the buffer is kept, not uploaded again.
    auto second = gpu.graph.addNode<GpuReadbackNode>("second readback", *gpu.runtime);
    gpu.graph.connect(chain.scaleHandle, ScaleConfig::image, second, GpuReadbackConfig::image);
    ASSERT_TRUE(gpu.graph.compile());
    EXPECT_EQ(gpu.runtime->keptResources(), 1U);
    EXPECT_EQ(chain.values->uploads, 1U);
    expectIndices(gpu, *chain.readback);

    // A resize to as many pixels recompiles the producer, which keeps its buffer.
    ASSERT_TRUE(gpu.graph.events().emit(events::WindowResized{4, 8}));
    expectIndices(gpu, *chain.readback);
    EXPECT_EQ(gpu.graph.compileCount(chain.values->id()), 3U);
    EXPECT_EQ(gpu.runtime->keptResources(), 2U);
    EXPECT_EQ(chain.values->uploads, 1U);

    // One that changes the size makes a new buffer.
    ASSERT_TRUE(gpu.graph.events().emit(events::WindowResized{16, 8}));
    expectIndices(gpu, *chain.readback);
    EXPECT_EQ(gpu.runtime->keptResources(), 2U);
    EXPECT_EQ(chain.values->uploads, 2U);

    // A removed producer takes its buffer with it: nothing is left parked or allocated.
    const VkDeviceSize before = gpu.allocator.statistics().total.usedBytes;
    ASSERT_TRUE(gpu.graph.removeNode(gpu.graph.findNode("values")->id()));
    ASSERT_TRUE(gpu.graph.removeNode(gpu.graph.findNode("scale")->id()));
    ASSERT_TRUE(gpu.graph.removeNode(gpu.graph.findNode("readback")->id()));
    ASSERT_TRUE(gpu.graph.removeNode(second.id));
    EXPECT_LT(gpu.allocator.statistics().total.usedBytes, before);
}

TEST_F(GpuResourceTest, AnImportedBufferIsReadThroughSlotsAndItsStateGoesBackToItsOwner) {
    GpuGraph& gpu = makeGraph();
    constexpr std::uint32_t kWidth = 12;
    constexpr std::uint32_t kHeight = 5;
    // Owned outside the graph (a cache, say), filled by the CPU.
    auto owned = gpu::Buffer::create(
        *device_, gpu.allocator,
        gpu::BufferDesc{kWidth * kHeight * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                        gpu::MemoryUsage::Upload},
        "buffer owned outside the graph");
    ASSERT_TRUE(owned) << owned.error().message;
    std::vector<float> values(std::size_t{kWidth} * kHeight);
    for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = static_cast<float>(i) * 0.5F;
    }
    std::memcpy(owned->mapped().data(), values.data(), values.size() * sizeof(float));

    auto import = gpu.graph.addNode<GpuImportBufferNode>("import", *gpu.runtime, *owned,
                                                         gpu::ResourceState{});
    auto scale = gpu.graph.addNode<ScaleNode>("scale", *gpu.runtime, kWidth, kHeight);
    auto readback = gpu.graph.addNode<GpuReadbackNode>("readback", *gpu.runtime);
    gpu.graph.connect(import, GpuImportBufferConfig::buffer, scale, ScaleConfig::values);
    gpu.graph.connect(scale, ScaleConfig::image, readback, GpuReadbackConfig::image);
    ASSERT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
    expectIndices(gpu, static_cast<GpuReadbackNode&>(gpu.graph.node(readback.id)));
    const auto& importer = static_cast<const GpuImportBufferNode&>(gpu.graph.node(import.id));
    EXPECT_NE(importer.state().readStages & VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, 0U)
        << "the owner learns the graph's frames read it in compute shaders";

    // Leaving the graph destroys nothing of the owner's.
    gpu.graph.cleanup();
    EXPECT_TRUE(owned->valid());
    EXPECT_EQ(static_cast<const float*>(static_cast<void*>(owned->mapped().data()))[3], 1.5F);
}

TEST_F(GpuResourceTest, AnExportedOutputOutlivesItsGraphAndTheNodeMakesANewOne) {
    GpuGraph& gpu = makeGraph();
    const Chain chain = buildChain(gpu, 8, 4);
    ASSERT_TRUE(gpu.graph.compile());
    expectIndices(gpu, *chain.readback);

    Result<GpuImage> exported = chain.scale->detachOutput(ScaleConfig::image);
    ASSERT_TRUE(exported) << exported.error().message;
    EXPECT_TRUE(exported->valid());
    EXPECT_EQ(exported->desc().format, VK_FORMAT_R32_SFLOAT);
    EXPECT_EQ(exported->state.layout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL)
        << "the readback's copy was its last use";
    // The next frame rebuilds the producer (and what reads it); the picture is the same.
    expectIndices(gpu, *chain.readback);
    EXPECT_EQ(gpu.graph.compileCount(chain.scale->id()), 2U);
    gpu.graph.cleanup();
    EXPECT_TRUE(exported->valid()) << "outlives the graph";
    gpu.runtime->release(*exported);

    // A transient output shares memory and cannot leave.
    GpuGraph& other = makeGraph();
    auto pattern = other.graph.addNode<GpuPatternNode>("pattern", *other.runtime,
                                                       GpuImageShape{8, 8, false, true}, kTeal);
    auto out = other.graph.addNode<GpuReadbackNode>("readback", *other.runtime);
    other.graph.connect(pattern, GpuPatternConfig::image, out, GpuReadbackConfig::image);
    ASSERT_TRUE(other.graph.compile());
    auto& node = static_cast<GpuPatternNode&>(other.graph.node(pattern.id));
    const auto refused = node.detachOutput(GpuPatternConfig::image);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("node 'pattern': output 'image' is transient"),
              std::string::npos)
        << refused.error().message;
}

TEST_F(GpuResourceTest, AFormatTheDeviceRefusesFailsTheCompileNamingNodeSlotAndFormat) {
    GpuGraph& gpu = makeGraph();
    const Chain chain = buildChain(gpu, 8, 8);
    // Three-channel formats are not storage images on lavapipe (nor on most GPUs).
    chain.scale->format = VK_FORMAT_R8G8B8_UNORM;
    const Result<void> refused = gpu.graph.compile();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Unsupported);
    for (const char* part : {"node 'scale', output 'image'", "R8G8B8Unorm", "storage"}) {
        EXPECT_NE(refused.error().message.find(part), std::string::npos)
            << part << " missing from: " << refused.error().message;
    }
    chain.scale->format = VK_FORMAT_R32_SFLOAT;
    ASSERT_TRUE(gpu.graph.compile()) << "the graph compiles once the format is fixed";
    expectIndices(gpu, *chain.readback);
}

TEST_F(GpuResourceTest, A3dImageWithMipLevelsIsClearedAndReadBackSliceBySlice) {
    GpuGraph& gpu = makeGraph();
    auto volume = gpu.graph.addNode<VolumeNode>("volume", *gpu.runtime);
    auto readback = gpu.graph.addNode<GpuReadbackNode>("readback", *gpu.runtime);
    gpu.graph.connect(volume, VolumeConfig::volume, readback, GpuReadbackConfig::image);
    ASSERT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
    ASSERT_TRUE(gpu.runtime->frame());
    ASSERT_TRUE(gpu.runtime->waitIdle());
    const auto& node = static_cast<GpuReadbackNode&>(gpu.graph.node(readback.id));
    auto pixels = node.pixels();
    ASSERT_TRUE(pixels);
    ASSERT_EQ(pixels->size(), std::size_t{8} * 4 * 3 * 8) << "8x4x3 texels of 8 bytes";
    std::vector<std::uint16_t> halves(pixels->size() / 2);
    std::memcpy(halves.data(), pixels->data(), pixels->size());
    for (const std::uint16_t half : halves) {
        ASSERT_EQ(half, 0x3400) << "0.25 as a half float";
    }
    EXPECT_FALSE(node.writePng("/tmp/vixen-volume.png")) << "only 2D RGBA8 becomes a PNG";
}

TEST_F(GpuResourceTest, ABufferWithADeviceAddressHasOneWhereTheDeviceSupportsIt) {
    GpuGraph& gpu = makeGraph();
    GpuBuffer buffer;
    const Result<void> created = gpu.runtime->createBuffer(
        buffer,
        gpu::BufferDesc{
            256, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT,
            gpu::MemoryUsage::DeviceLocal},
        "addressed buffer");
    if (device_->enabled().bufferDeviceAddress) {
        ASSERT_TRUE(created) << created.error().message;
        EXPECT_NE(buffer.buffer.deviceAddress(), 0U);
    } else {
        ASSERT_FALSE(created);
        EXPECT_EQ(created.error().code, ErrorCode::Unsupported);
    }
    gpu.runtime->release(buffer);
    EXPECT_FALSE(buffer.valid());
}

}  // namespace
}  // namespace vixen::nodes
