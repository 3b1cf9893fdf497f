#include "vixen/nodes/voxel_nodes.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "vixen/core/log.hpp"
#include "vixen/events/engine_events.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/nodes/gpu_stream_nodes.hpp"
#include "vixen_nodes_shaders.hpp"

namespace vixen::nodes {
namespace {

/// Staging for the scene upload: large scenes go through it in pieces.
constexpr std::uint64_t kMaxSceneStaging = std::uint64_t{64} << 20;

std::uint64_t pixelBytes(const GpuImageShape& shape) {
    return std::uint64_t{shape.width} * shape.height;
}

}  // namespace

// ---- VoxelScene ----------------------------------------------------------------------------

VoxelSceneNode::VoxelSceneNode(GpuRuntime& runtime,
                               std::shared_ptr<const std::vector<std::uint32_t>> words)
    : GpuNode(runtime), words_(std::move(words)) {}

void VoxelSceneNode::setup(graph::SetupContext& context) {
    const std::uint64_t bytes = words_->size() * sizeof(std::uint32_t);
    context.estimate().memory(graph::MemoryKind::DeviceLocal) = bytes;
    context.estimate().stagingBytes = std::min(bytes, kMaxSceneStaging);
}

Result<void> VoxelSceneNode::compile(const graph::CompileContext& /*context*/) {
    const auto bytes = static_cast<VkDeviceSize>(words_->size() * sizeof(std::uint32_t));
    // The shaders bind the whole scene as one storage buffer.
    const std::uint32_t range = runtime().device().physical().limits.maxStorageBufferRange;
    if (bytes > range) {
        return fail(ErrorCode::OverBudget,
                    "node '{}': the scene's {} bytes exceed the device's largest storage buffer "
                    "({} bytes, maxStorageBufferRange); use fewer voxels or the other structure",
                    name(), bytes, range);
    }
    auto origin = createOutput(
        VoxelSceneConfig::scene,
        gpu::BufferDesc{bytes,
                        VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                        gpu::MemoryUsage::DeviceLocal});
    if (!origin) {
        return std::unexpected(std::move(origin.error()));
    }
    if (*origin == OutputOrigin::Kept) {
        return {};
    }
    gpu::Uploader* uploader = runtime().uploader();
    if (uploader == nullptr) {
        return fail(ErrorCode::InvalidState, "node '{}': the GPU runtime has no staging uploader",
                    name());
    }
    const GpuBuffer& scene = Out(VoxelSceneConfig::scene);
    VIXEN_TRY(uploader->upload(scene.buffer, 0, std::as_bytes(std::span(*words_))));
    // The upload batch ends with a barrier that makes it visible to later work.
    scene.state = gpu::ResourceState::settled(VK_IMAGE_LAYOUT_UNDEFINED);
    ++uploads_;
    return {};
}

// ---- VoxelCamera ---------------------------------------------------------------------------

VoxelCameraNode::VoxelCameraNode(GpuRuntime& runtime, Path path, GpuImageShape shape)
    : GpuNode(runtime), path_(std::move(path)), shape_(shape) {}

void VoxelCameraNode::setup(graph::SetupContext& context) {
    context.estimate().streamBytesPerFrame = sizeof(voxel::CameraConstants);
    detail::followWindow(shape_, context);
}

Result<void> VoxelCameraNode::compile(const graph::CompileContext& /*context*/) {
    VIXEN_TRY(detail::checkShape(shape_, name()));
    VIXEN_TRY(createOutput(
        VoxelCameraConfig::camera,
        gpu::BufferDesc{sizeof(voxel::CameraConstants),
                        VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                        gpu::MemoryUsage::DeviceLocal}));
    return {};
}

void VoxelCameraNode::record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) {
    last_ = voxel::cameraConstants(path_(context.frameIndex), shape_.width, shape_.height);
    StreamWriter writer(runtime(), commandBuffer, Out(VoxelCameraConfig::camera).buffer);
    writer.write(0, std::as_bytes(std::span(&last_, 1)));
}

// ---- VoxelRayMarch -------------------------------------------------------------------------

VoxelRayMarchNode::VoxelRayMarchNode(GpuRuntime& runtime, VoxelStructure structure,
                                     GpuImageShape shape, VoxelShading shading,
                                     ShaderLibrary* shaders)
    : GpuNode(runtime), structure_(structure), shape_(shape), shading_(shading), shaders_(shaders) {
    const auto [x, y, z] = shading_.towardsLight;
    const float length = std::sqrt(x * x + y * y + z * z);
    if (length > 0.0F) {
        shading_.towardsLight = {x / length, y / length, z / length};
    }
}

void VoxelRayMarchNode::setup(graph::SetupContext& context) {
    reestimate(context.estimate());
    context.estimate().descriptor(graph::DescriptorKind::StorageBuffer) = 2;
    context.estimate().descriptor(graph::DescriptorKind::StorageImage) = 3;
    detail::followWindow(shape_, context);
    if (shaders_ != nullptr && shaders_->fromDirectory()) {
        context.subscribe<events::ShaderChanged>(
            [this, dirty = context.dirtyMarker()](const events::ShaderChanged& changed) {
                if (changed.shader == ShaderLibrary::idOf(shaderName())) {
                    reloadPending_ = true;
                    dirty();
                }
            });
    }
}

std::string_view VoxelRayMarchNode::shaderName() const noexcept {
    return structure_ == VoxelStructure::BrickMap ? "voxel_brickmap.comp" : "voxel_octree.comp";
}

std::span<const std::uint32_t> VoxelRayMarchNode::embeddedShader() const noexcept {
    return structure_ == VoxelStructure::BrickMap ? shaders::voxelBrickmapComp()
                                                  : shaders::voxelOctreeComp();
}

Result<void> VoxelRayMarchNode::makePipeline() {
    const bool reload = kernel_.hasPipeline();
    if (reload && !reloadPending_) {
        return {};
    }
    reloadPending_ = false;
    if (shaders_ == nullptr) {
        return kernel_.prepare(runtime(), embeddedShader(), shaderName());
    }
    auto spirv = shaders_->spirv(shaderName(), embeddedShader());
    Result<void> made = !spirv   ? Result<void>(std::unexpected(spirv.error()))
                        : reload ? kernel_.replacePipeline(runtime(), **spirv, shaderName())
                                 : kernel_.prepare(runtime(), **spirv, shaderName());
    if (made || !reload) {
        reloads_ += made && reload ? 1U : 0U;
        return made;
    }
    // The previous pipeline keeps running until the shader compiles again.
    ++failedReloads_;
    lastError_ = made.error().message;
    log::error("node '{}': the shader did not reload, the previous pipeline stays: {}", name(),
               lastError_);
    return {};
}

void VoxelRayMarchNode::reestimate(graph::ResourceEstimate& estimate) {
    // Colour, depth and steps: four bytes a pixel each.
    estimate.memory(graph::MemoryKind::DeviceLocal) = 12 * pixelBytes(shape_);
}

Result<void> VoxelRayMarchNode::compile(const graph::CompileContext& /*context*/) {
    VIXEN_TRY(detail::checkShape(shape_, name()));
    VIXEN_TRY(makePipeline());
    // With a pipeline made, this lays out set 0 for it (the SPIR-V is not read again).
    VIXEN_TRY(kernel_.prepare(runtime(), embeddedShader(), shaderName()));
    const auto image = [&](VkFormat format) {
        return gpu::ImageDesc{
            .width = shape_.width,
            .height = shape_.height,
            .format = format,
            .usage = VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT};
    };
    VIXEN_TRY(createOutput(VoxelRayMarchConfig::color, image(VK_FORMAT_R8G8B8A8_UNORM)));
    VIXEN_TRY(createOutput(VoxelRayMarchConfig::depth, image(VK_FORMAT_R32_SFLOAT)));
    VIXEN_TRY(createOutput(VoxelRayMarchConfig::steps, image(VK_FORMAT_R32_UINT)));
    VIXEN_TRY(kernel_.bind(0, In(VoxelRayMarchConfig::scene)));
    VIXEN_TRY(kernel_.bind(1, In(VoxelRayMarchConfig::camera)));
    VIXEN_TRY(kernel_.bind(2, Out(VoxelRayMarchConfig::color)));
    VIXEN_TRY(kernel_.bind(3, Out(VoxelRayMarchConfig::depth)));
    VIXEN_TRY(kernel_.bind(4, Out(VoxelRayMarchConfig::steps)));
    kernel_.commit(runtime().device());
    return {};
}

void VoxelRayMarchNode::record(VkCommandBuffer commandBuffer,
                               const graph::ExecuteContext& /*context*/) {
    struct Params {
        std::uint32_t width;
        std::uint32_t height;
        std::uint32_t flags;
        std::uint32_t pad;
        std::array<float, 4> light;
    };
    const gpu::ImageDesc& target = Out(VoxelRayMarchConfig::color).desc();
    const Params params{target.width,
                        target.height,
                        shading_.shadows ? 1U : 0U,
                        0,
                        {shading_.towardsLight[0], shading_.towardsLight[1],
                         shading_.towardsLight[2], shading_.ambient}};
    kernel_.dispatch(commandBuffer, params, target.width, target.height);
}

void VoxelRayMarchNode::release(const graph::CleanupContext& context) {
    if (!context.forRecompile) {
        kernel_.reset();
    }
}

// ---- wiring ---------------------------------------------------------------------------------

VoxelRenderer addVoxelRenderer(graph::RenderGraph& graph, GpuRuntime& runtime,
                               std::shared_ptr<const std::vector<std::uint32_t>> words,
                               VoxelCameraNode::Path path, GpuImageShape shape,
                               VoxelStructure structure, VoxelShading shading,
                               ShaderLibrary* shaders) {
    VoxelRenderer renderer{
        graph.addNode<VoxelSceneNode>("scene", runtime, std::move(words)),
        graph.addNode<VoxelCameraNode>("camera", runtime, std::move(path), shape),
        graph.addNode<VoxelRayMarchNode>("ray march", runtime, structure, shape, shading, shaders)};
    graph.connect(renderer.scene, VoxelSceneConfig::scene, renderer.march,
                  VoxelRayMarchConfig::scene);
    graph.connect(renderer.camera, VoxelCameraConfig::camera, renderer.march,
                  VoxelRayMarchConfig::camera);
    return renderer;
}

StepTotals sumSteps(std::span<const std::byte> stepImage) noexcept {
    StepTotals totals;
    for (std::size_t i = 0; i + sizeof(std::uint32_t) <= stepImage.size();
         i += sizeof(std::uint32_t)) {
        std::uint32_t value = 0;
        std::memcpy(&value, stepImage.data() + i, sizeof value);
        totals.coarse += value >> 16U;
        totals.voxels += value & 0xFFFFU;
        ++totals.pixels;
    }
    return totals;
}

std::uint64_t countHits(std::span<const std::byte> depthImage) noexcept {
    std::uint64_t hits = 0;
    for (std::size_t i = 0; i + sizeof(float) <= depthImage.size(); i += sizeof(float)) {
        float depth = 0.0F;
        std::memcpy(&depth, depthImage.data() + i, sizeof depth);
        hits += depth >= 0.0F ? 1U : 0U;
    }
    return hits;
}

}  // namespace vixen::nodes
