// The ray-tracing marcher (VoxelRayTraceNode): boxes around the brick map's occupied bricks
// in an acceleration structure, traced by voxel_rt.rgen with voxel_rt_brick.rint walking a
// brick.

#include <array>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "vixen/gpu/device.hpp"
#include "vixen/nodes/gpu_runtime.hpp"
#include "vixen/nodes/voxel_nodes.hpp"
#include "vixen/voxel/brick_map.hpp"
#include "vixen_nodes_shaders.hpp"

namespace vixen::nodes {
namespace {

/// The intersection shader reads a brick's coordinates from 10 bits an axis.
constexpr std::int32_t kMaxBricksPerAxis = 1024;

}  // namespace

VoxelRayTraceNode::VoxelRayTraceNode(GpuRuntime& runtime,
                                     std::shared_ptr<const std::vector<std::uint32_t>> words,
                                     VoxelStructure structure, GpuImageShape shape,
                                     VoxelShading shading, ShaderLibrary* shaders)
    : VoxelMarchNodeBase(runtime, VoxelPipeline::RayTracing, structure, shape, shading, shaders),
      words_(std::move(words)) {}

void VoxelRayTraceNode::setup(graph::SetupContext& context) {
    VoxelMarchNodeBase::setup(context);
    context.estimate().descriptor(graph::DescriptorKind::StorageBuffer) = 3;
    context.estimate().descriptor(graph::DescriptorKind::StorageImage) = 3;
    context.estimate().descriptor(graph::DescriptorKind::AccelerationStructure) = 1;
}

Result<void> VoxelRayTraceNode::buildBrickBoxes() {
    auto occupied = voxel::occupiedBricks(*words_);
    if (!occupied) {
        return fail(ErrorCode::InvalidArgument, "node '{}': {}", name(), occupied.error().message);
    }
    using H = voxel::BrickMapHeader;
    const std::span<const std::uint32_t> words = *words_;
    for (const H::Word axis : {H::GridX, H::GridY, H::GridZ}) {
        if (words[axis] > static_cast<std::uint32_t>(kMaxBricksPerAxis)) {
            return fail(ErrorCode::CapacityExceeded,
                        "node '{}': the brick map is {} bricks along an axis; the ray-tracing "
                        "pipeline addresses at most {}",
                        name(), words[axis], kMaxBricksPerAxis);
        }
    }
    const std::array<float, 3> size{static_cast<float>(words[H::SizeX]),
                                    static_cast<float>(words[H::SizeY]),
                                    static_cast<float>(words[H::SizeZ])};
    std::vector<VkAabbPositionsKHR> boxes;
    boxes.reserve(occupied->size());
    // One entry at least, so that the binding has a buffer in an empty scene.
    std::vector<std::uint32_t> cells(2 * std::max<std::size_t>(occupied->size(), 1), 0);
    for (std::size_t i = 0; i < occupied->size(); ++i) {
        const auto [brick, cell] = (*occupied)[i];
        const std::array<float, 3> lo{static_cast<float>(brick.x * 8),
                                      static_cast<float>(brick.y * 8),
                                      static_cast<float>(brick.z * 8)};
        boxes.push_back({lo[0], lo[1], lo[2], std::min(lo[0] + 8.0F, size[0]),
                         std::min(lo[1] + 8.0F, size[1]), std::min(lo[2] + 8.0F, size[2])});
        cells[2 * i] = static_cast<std::uint32_t>(brick.x) |
                       static_cast<std::uint32_t>(brick.y) << 10U |
                       static_cast<std::uint32_t>(brick.z) << 20U;
        cells[2 * i + 1] = cell;
    }
    const std::string what = fmt::format("node '{}': the bricks' boxes", name());
    auto structure = gpu::AabbAccelerationStructure::build(runtime().device(),
                                                           runtime().allocator(), boxes, what);
    if (!structure) {
        return std::unexpected(std::move(structure.error()));
    }
    gpu::Uploader* uploader = runtime().uploader();
    if (uploader == nullptr) {
        return fail(ErrorCode::InvalidState, "node '{}': the GPU runtime has no staging uploader",
                    name());
    }
    const auto bytes = std::as_bytes(std::span(cells));
    auto buffer = gpu::Buffer::create(
        runtime().device(), runtime().allocator(),
        gpu::BufferDesc{bytes.size(),
                        VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                        gpu::MemoryUsage::DeviceLocal},
        what);
    if (!buffer) {
        return std::unexpected(std::move(buffer.error()));
    }
    // The upload batch ends with a barrier that makes it visible to later work.
    VIXEN_TRY(uploader->upload(*buffer, 0, bytes));
    boxes_ = std::move(*structure);
    brickCells_ = std::move(*buffer);
    return {};
}

Result<void> VoxelRayTraceNode::makePipeline(std::span<const std::uint32_t> rayGeneration,
                                             bool replace) {
    // The library's SPIR-V of each other stage, held here while the pipeline is made.
    std::array<std::shared_ptr<const std::vector<std::uint32_t>>, 3> loaded;
    const std::array<std::pair<std::string_view, std::span<const std::uint32_t>>, 3> stages{
        std::pair{std::string_view("voxel_rt.rmiss"), shaders::voxelRtRmiss()},
        std::pair{std::string_view("voxel_rt.rchit"), shaders::voxelRtRchit()},
        std::pair{std::string_view("voxel_rt_brick.rint"), shaders::voxelRtBrickRint()}};
    std::array<std::span<const std::uint32_t>, 3> code{};
    for (std::size_t i = 0; i < stages.size(); ++i) {
        code[i] = stages[i].second;
        if (shaderLibrary() != nullptr) {
            auto spirv = shaderLibrary()->spirv(stages[i].first, stages[i].second);
            if (!spirv) {
                return std::unexpected(std::move(spirv.error()));
            }
            loaded[i] = std::move(*spirv);
            code[i] = *loaded[i];
        }
    }
    const auto& [miss, closestHit, intersection] = code;
    const std::array misses{gpu::ShaderStageCode{miss, "voxel_rt.rmiss"}};
    const std::array hitGroups{
        gpu::RayTracingHitGroup{gpu::ShaderStageCode{closestHit, "voxel_rt.rchit"},
                                gpu::ShaderStageCode{intersection, "voxel_rt_brick.rint"}}};
    const gpu::RayTracingPipelineDesc desc{
        .rayGeneration = gpu::ShaderStageCode{rayGeneration, "voxel_rt.rgen"},
        .misses = misses,
        .hitGroups = hitGroups,
        .maxRecursionDepth = 1};
    auto pipeline =
        gpu::RayTracingPipeline::create(runtime().device(), runtime().allocator(), desc, name());
    if (!pipeline) {
        return std::unexpected(std::move(pipeline.error()));
    }
    if (replace && pipeline_) {
        runtime().retire(std::move(*pipeline_));
    }
    pipeline_ = std::make_unique<gpu::RayTracingPipeline>(std::move(*pipeline));
    return {};
}

Result<void> VoxelRayTraceNode::compile(const graph::CompileContext& /*context*/) {
    VIXEN_TRY(detail::checkShape(shape_, name()));
    const gpu::Device& device = runtime().device();
    if (!device.enabled().rayTracingPipeline) {
        return fail(ErrorCode::Unsupported,
                    "node '{}': the ray-tracing pipeline needs VK_KHR_ray_tracing_pipeline and "
                    "VK_KHR_acceleration_structure; device '{}' has no ray-tracing pipelines",
                    name(), device.physical().name);
    }
    if (structure() != VoxelStructure::BrickMap) {
        return fail(ErrorCode::InvalidArgument,
                    "node '{}': the ray-tracing pipeline traces the brick map's bricks; structure "
                    "'{}' has none (use brickmap)",
                    name(), voxel::structureName(structure()));
    }
    if (!boxes_.valid()) {
        VIXEN_TRY(buildBrickBoxes());
    }
    VIXEN_TRY(updatePipeline(pipeline_ != nullptr,
                             [&](std::span<const std::uint32_t> spirv, bool replace) {
                                 return makePipeline(spirv, replace);
                             }));
    VIXEN_TRY(createImages(VK_IMAGE_USAGE_STORAGE_BIT));
    VIXEN_TRY(bindings_.prepare(runtime(), *pipeline_, name()));
    VIXEN_TRY(bindings_.bind(0, In(VoxelRayTraceConfig::scene)));
    VIXEN_TRY(bindings_.bind(1, In(VoxelRayTraceConfig::camera)));
    VIXEN_TRY(bindings_.bind(2, Out(VoxelRayTraceConfig::color), VK_IMAGE_LAYOUT_GENERAL));
    VIXEN_TRY(bindings_.bind(3, Out(VoxelRayTraceConfig::depth), VK_IMAGE_LAYOUT_GENERAL));
    VIXEN_TRY(bindings_.bind(4, Out(VoxelRayTraceConfig::steps), VK_IMAGE_LAYOUT_GENERAL));
    VIXEN_TRY(bindings_.bind(5, boxes_.topLevel()));
    VIXEN_TRY(bindings_.bind(6, brickCells_));
    bindings_.commit(device);
    return {};
}

void VoxelRayTraceNode::record(VkCommandBuffer commandBuffer,
                               const graph::ExecuteContext& /*context*/) {
    const gpu::ImageDesc& target = Out(VoxelRayTraceConfig::color).desc();
    const VoxelMarchParams constants = params(target.width, target.height);
    vkCmdBindPipeline(commandBuffer, VK_PIPELINE_BIND_POINT_RAY_TRACING_KHR, pipeline_->handle());
    bindings_.bindSet(commandBuffer, VK_PIPELINE_BIND_POINT_RAY_TRACING_KHR, pipeline_->layout());
    vkCmdPushConstants(commandBuffer, pipeline_->layout(),
                       pipeline_->interface().pushConstantStages, 0, sizeof constants, &constants);
    pipeline_->traceRays(commandBuffer, target.width, target.height);
}

void VoxelRayTraceNode::release(const graph::CleanupContext& context) {
    if (!context.forRecompile) {
        bindings_.reset();
        pipeline_.reset();
        boxes_.reset();
        brickCells_.reset();
    }
}

}  // namespace vixen::nodes
