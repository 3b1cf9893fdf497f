#include <cmath>
#include <utility>

#include "vixen/core/log.hpp"
#include "vixen/events/engine_events.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/nodes/voxel_nodes.hpp"
#include "vixen_nodes_shaders.hpp"

namespace vixen::nodes {
namespace {

constexpr std::uint32_t kShadowsFlag = 1;

/// The marcher's three outputs, by location: colour, depth, steps.
constexpr std::array<VkFormat, 3> kOutputFormats{VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R32_SFLOAT,
                                                 VK_FORMAT_R32_UINT};

}  // namespace

std::string_view pipelineName(VoxelPipeline pipeline) noexcept {
    switch (pipeline) {
        case VoxelPipeline::Compute:
            return "compute";
        case VoxelPipeline::Fragment:
            return "fragment";
        case VoxelPipeline::RayTracing:
            return "raytracing";
    }
    return {};
}

std::optional<VoxelPipeline> voxelPipelineNamed(std::string_view name) noexcept {
    for (const VoxelPipeline pipeline :
         {VoxelPipeline::Compute, VoxelPipeline::Fragment, VoxelPipeline::RayTracing}) {
        if (pipelineName(pipeline) == name) {
            return pipeline;
        }
    }
    return std::nullopt;
}

// ---- what every marcher shares ------------------------------------------------------------

template <class Config>
VoxelMarchNodeBase<Config>::VoxelMarchNodeBase(GpuRuntime& runtime, VoxelPipeline pipeline,
                                               VoxelStructure structure, GpuImageShape shape,
                                               VoxelShading shading, ShaderLibrary* shaders)
    : GpuNode<Config>(runtime),
      shape_(shape),
      pipeline_(pipeline),
      structure_(structure),
      shading_(shading),
      shaders_(shaders) {
    const auto [x, y, z] = shading_.towardsLight;
    const float length = std::sqrt(x * x + y * y + z * z);
    if (length > 0.0F) {
        shading_.towardsLight = {x / length, y / length, z / length};
    }
}

template <class Config>
void VoxelMarchNodeBase<Config>::setup(graph::SetupContext& context) {
    reestimate(context.estimate());
    context.estimate().descriptor(graph::DescriptorKind::StorageBuffer) = 2;
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

template <class Config>
void VoxelMarchNodeBase<Config>::reestimate(graph::ResourceEstimate& estimate) {
    // Colour, depth and steps: four bytes a pixel each.
    estimate.memory(graph::MemoryKind::DeviceLocal) =
        12 * std::uint64_t{shape_.width} * shape_.height;
}

template <class Config>
std::string_view VoxelMarchNodeBase<Config>::shaderName() const noexcept {
    if (pipeline_ == VoxelPipeline::RayTracing) {
        return "voxel_rt.rgen";  // its other stages reload with it
    }
    const bool fragment = pipeline_ == VoxelPipeline::Fragment;
    switch (structure_) {
        case VoxelStructure::BrickMap:
            return fragment ? "voxel_brickmap.frag" : "voxel_brickmap.comp";
        case VoxelStructure::Octree:
            return fragment ? "voxel_octree.frag" : "voxel_octree.comp";
        case VoxelStructure::NanoVdb:
            return fragment ? "voxel_nanovdb.frag" : "voxel_nanovdb.comp";
    }
    return {};
}

template <class Config>
std::span<const std::uint32_t> VoxelMarchNodeBase<Config>::embeddedShader() const noexcept {
    if (pipeline_ == VoxelPipeline::RayTracing) {
        return shaders::voxelRtRgen();
    }
    const bool fragment = pipeline_ == VoxelPipeline::Fragment;
    switch (structure_) {
        case VoxelStructure::BrickMap:
            return fragment ? shaders::voxelBrickmapFrag() : shaders::voxelBrickmapComp();
        case VoxelStructure::Octree:
            return fragment ? shaders::voxelOctreeFrag() : shaders::voxelOctreeComp();
        case VoxelStructure::NanoVdb:
            return fragment ? shaders::voxelNanovdbFrag() : shaders::voxelNanovdbComp();
    }
    return {};
}

template <class Config>
Result<void> VoxelMarchNodeBase<Config>::updatePipeline(bool hasPipeline,
                                                        const PipelineMaker& make) {
    if (hasPipeline && !reloadPending_) {
        return {};
    }
    reloadPending_ = false;
    if (shaders_ == nullptr) {
        return make(embeddedShader(), false);
    }
    auto spirv = shaders_->spirv(shaderName(), embeddedShader());
    Result<void> made =
        spirv ? make(**spirv, hasPipeline) : Result<void>(std::unexpected(spirv.error()));
    if (made || !hasPipeline) {
        reloads_ += made && hasPipeline ? 1U : 0U;
        return made;
    }
    // The previous pipeline keeps running until the shader compiles again.
    ++failedReloads_;
    lastError_ = made.error().message;
    log::error("node '{}': the shader did not reload, the previous pipeline stays: {}",
               this->name(), lastError_);
    return {};
}

template <class Config>
VoxelMarchParams VoxelMarchNodeBase<Config>::params(std::uint32_t width,
                                                    std::uint32_t height) const noexcept {
    return {width,
            height,
            shading_.shadows ? kShadowsFlag : 0U,
            0,
            {shading_.towardsLight[0], shading_.towardsLight[1], shading_.towardsLight[2],
             shading_.ambient}};
}

template <class Config>
Result<void> VoxelMarchNodeBase<Config>::createImages(VkImageUsageFlags usage) {
    const auto image = [&](VkFormat format) {
        return gpu::ImageDesc{.width = shape_.width,
                              .height = shape_.height,
                              .format = format,
                              .usage = usage | VK_IMAGE_USAGE_TRANSFER_SRC_BIT};
    };
    VIXEN_TRY(this->createOutput(Config::color, image(kOutputFormats[0])));
    VIXEN_TRY(this->createOutput(Config::depth, image(kOutputFormats[1])));
    VIXEN_TRY(this->createOutput(Config::steps, image(kOutputFormats[2])));
    return {};
}

template class VoxelMarchNodeBase<VoxelRayMarchConfig>;
template class VoxelMarchNodeBase<VoxelFragmentMarchConfig>;
template class VoxelMarchNodeBase<VoxelRayTraceConfig>;

// ---- compute -----------------------------------------------------------------------------

VoxelRayMarchNode::VoxelRayMarchNode(GpuRuntime& runtime, VoxelStructure structure,
                                     GpuImageShape shape, VoxelShading shading,
                                     ShaderLibrary* shaders)
    : VoxelMarchNodeBase(runtime, VoxelPipeline::Compute, structure, shape, shading, shaders) {}

void VoxelRayMarchNode::setup(graph::SetupContext& context) {
    VoxelMarchNodeBase::setup(context);
    context.estimate().descriptor(graph::DescriptorKind::StorageImage) = 3;
}

Result<void> VoxelRayMarchNode::compile(const graph::CompileContext& /*context*/) {
    VIXEN_TRY(detail::checkShape(shape_, name()));
    bool prepared = false;
    VIXEN_TRY(updatePipeline(
        kernel_.hasPipeline(), [&](std::span<const std::uint32_t> spirv, bool replace) {
            prepared = !replace;
            return replace ? kernel_.replacePipeline(runtime(), spirv, shaderName())
                           : kernel_.prepare(runtime(), spirv, shaderName());
        }));
    if (!prepared) {
        // The pipeline was kept or replaced: set 0 is laid out for it anew (the SPIR-V is not
        // read again).
        VIXEN_TRY(kernel_.prepare(runtime(), embeddedShader(), shaderName()));
    }
    VIXEN_TRY(createImages(VK_IMAGE_USAGE_STORAGE_BIT));
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
    const gpu::ImageDesc& target = Out(VoxelRayMarchConfig::color).desc();
    kernel_.dispatch(commandBuffer, params(target.width, target.height), target.width,
                     target.height);
}

void VoxelRayMarchNode::release(const graph::CleanupContext& context) {
    if (!context.forRecompile) {
        kernel_.reset();
    }
}

// ---- fragment ----------------------------------------------------------------------------

VoxelFragmentMarchNode::VoxelFragmentMarchNode(GpuRuntime& runtime, VoxelStructure structure,
                                               GpuImageShape shape, VoxelShading shading,
                                               ShaderLibrary* shaders)
    : VoxelMarchNodeBase(runtime, VoxelPipeline::Fragment, structure, shape, shading, shaders) {}

gpu::GraphicsPipelineDesc VoxelFragmentMarchNode::pipelineDesc(
    std::span<const std::uint32_t> fragment) noexcept {
    stages_ = {gpu::ShaderStageCode{shaders::fullscreenVert(), "fullscreen.vert"},
               gpu::ShaderStageCode{fragment, shaderName()}};
    return gpu::GraphicsPipelineDesc{.stages = stages_, .colorFormats = kOutputFormats};
}

Result<void> VoxelFragmentMarchNode::compile(const graph::CompileContext& /*context*/) {
    VIXEN_TRY(detail::checkShape(shape_, name()));
    bool prepared = false;
    VIXEN_TRY(updatePipeline(
        kernel_.hasPipeline(), [&](std::span<const std::uint32_t> spirv, bool replace) {
            prepared = !replace;
            return replace ? kernel_.replacePipeline(runtime(), pipelineDesc(spirv), shaderName())
                           : kernel_.prepare(runtime(), pipelineDesc(spirv), shaderName());
        }));
    if (!prepared) {
        VIXEN_TRY(kernel_.prepare(runtime(), pipelineDesc(embeddedShader()), shaderName()));
    }
    VIXEN_TRY(createImages(VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT));
    VIXEN_TRY(kernel_.bind(0, In(VoxelFragmentMarchConfig::scene)));
    VIXEN_TRY(kernel_.bind(1, In(VoxelFragmentMarchConfig::camera)));
    kernel_.commit(runtime().device());
    return {};
}

void VoxelFragmentMarchNode::record(VkCommandBuffer commandBuffer,
                                    const graph::ExecuteContext& /*context*/) {
    const std::array<const GpuImage*, 3> targets{&Out(VoxelFragmentMarchConfig::color),
                                                 &Out(VoxelFragmentMarchConfig::depth),
                                                 &Out(VoxelFragmentMarchConfig::steps)};
    const gpu::ImageDesc& target = targets[0]->desc();
    kernel_.draw(commandBuffer, params(target.width, target.height), targets, 3);
}

void VoxelFragmentMarchNode::release(const graph::CleanupContext& context) {
    if (!context.forRecompile) {
        kernel_.reset();
    }
}

}  // namespace vixen::nodes
