#include "vixen/nodes/voxel_nodes.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "vixen/gpu/device.hpp"
#include "vixen/nodes/gpu_stream_nodes.hpp"

namespace vixen::nodes {
namespace {

/// Staging for the scene upload: large scenes go through it in pieces.
constexpr std::uint64_t kMaxSceneStaging = std::uint64_t{64} << 20;

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

VoxelCameraNode::VoxelCameraNode(GpuRuntime& runtime, Path path, GpuImageShape shape,
                                 voxel::JitterOffsets jitter)
    : GpuNode(runtime), path_(std::move(path)), shape_(shape), jitter_(std::move(jitter)) {}

void VoxelCameraNode::setup(graph::SetupContext& context) {
    context.estimate().streamBytesPerFrame = sizeof(voxel::TemporalCameraConstants);
    detail::followWindow(shape_, context);
}

Result<void> VoxelCameraNode::compile(const graph::CompileContext& /*context*/) {
    VIXEN_TRY(detail::checkShape(shape_, name()));
    VIXEN_TRY(createOutput(
        VoxelCameraConfig::camera,
        gpu::BufferDesc{sizeof(voxel::TemporalCameraConstants),
                        VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                        gpu::MemoryUsage::DeviceLocal}));
    return {};
}

void VoxelCameraNode::record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) {
    const voxel::CameraConstants current =
        voxel::cameraConstants(path_(context.frameIndex), shape_.width, shape_.height);
    const bool still = hasPrevious_ && std::memcmp(&current, &last_.current, sizeof current) == 0;
    last_.previous = hasPrevious_ ? last_.current : current;
    last_.current = current;
    last_.stillFrames[0] = still ? last_.stillFrames[0] + 1 : 0;
    last_.jitter = {};
    if (!jitter_.empty()) {
        const auto& offset = jitter_[context.frameIndex % jitter_.size()];
        last_.jitter = {offset[0], offset[1], 0.0F, 0.0F};
    }
    last_.traced =
        voxel::jittered(current, last_.jitter[0], last_.jitter[1], shape_.width, shape_.height);
    hasPrevious_ = true;
    StreamWriter writer(runtime(), commandBuffer, Out(VoxelCameraConfig::camera).buffer);
    writer.write(0, std::as_bytes(std::span(&last_, 1)));
}

// ---- wiring ---------------------------------------------------------------------------------

VoxelRenderer addVoxelRenderer(graph::RenderGraph& graph, GpuRuntime& runtime,
                               std::shared_ptr<const std::vector<std::uint32_t>> words,
                               VoxelCameraNode::Path path, GpuImageShape shape,
                               VoxelStructure structure, VoxelShading shading,
                               ShaderLibrary* shaders, VoxelPipeline pipeline,
                               voxel::JitterOffsets jitter) {
    VoxelRenderer renderer{graph.addNode<VoxelSceneNode>("scene", runtime, words),
                           graph.addNode<VoxelCameraNode>("camera", runtime, std::move(path), shape,
                                                          std::move(jitter)),
                           {}};
    if (pipeline == VoxelPipeline::Fragment) {
        renderer.march = graph.addNode<VoxelFragmentMarchNode>("ray march", runtime, structure,
                                                               shape, shading, shaders);
    } else if (pipeline == VoxelPipeline::RayTracing) {
        renderer.march = graph.addNode<VoxelRayTraceNode>("ray march", runtime, std::move(words),
                                                          structure, shape, shading, shaders);
    } else {
        renderer.march = graph.addNode<VoxelRayMarchNode>("ray march", runtime, structure, shape,
                                                          shading, shaders);
    }
    std::visit(
        [&]<class N>(graph::NodeHandle<N> march) {
            graph.connect(renderer.scene, VoxelSceneConfig::scene, march, N::NodeConfig::scene);
            graph.connect(renderer.camera, VoxelCameraConfig::camera, march, N::NodeConfig::camera);
        },
        renderer.march);
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
