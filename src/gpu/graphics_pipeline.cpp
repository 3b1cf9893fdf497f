#include "vixen/gpu/graphics_pipeline.hpp"

#include <array>
#include <utility>

#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {
namespace {

/// The stages' interfaces, each checked to belong in a graphics pipeline.
Result<std::vector<ShaderInterface>> reflectStages(std::span<const ShaderStageCode> stages,
                                                   std::string_view name) {
    std::vector<ShaderInterface> reflected;
    reflected.reserve(stages.size());
    bool vertex = false;
    for (const ShaderStageCode& stage : stages) {
        auto shader = reflectShader(stage.spirv, stage.name);
        if (!shader) {
            return std::unexpected(std::move(shader.error()));
        }
        if (shader->stage == VK_SHADER_STAGE_COMPUTE_BIT) {
            return fail(ErrorCode::InvalidArgument,
                        "graphics pipeline '{}': shader '{}' is a compute shader", name,
                        stage.name);
        }
        vertex = vertex || shader->stage == VK_SHADER_STAGE_VERTEX_BIT;
        reflected.push_back(std::move(*shader));
    }
    if (!vertex) {
        return fail(ErrorCode::InvalidArgument,
                    "graphics pipeline '{}' has no vertex shader among its {} stages", name,
                    stages.size());
    }
    return reflected;
}

Result<void> checkAttachments(const Device& device, const GraphicsPipelineDesc& desc,
                              const PipelineInterface& interface, std::string_view name) {
    const std::uint32_t limit = device.physical().limits.maxColorAttachments;
    if (desc.colorFormats.size() > limit) {
        return fail(ErrorCode::CapacityExceeded,
                    "graphics pipeline '{}' has {} colour attachments; device '{}' allows {}", name,
                    desc.colorFormats.size(), device.physical().name, limit);
    }
    const bool fragment = (interface.stages & VK_SHADER_STAGE_FRAGMENT_BIT) != 0;
    if (fragment && interface.colorOutputs != desc.colorFormats.size()) {
        return fail(ErrorCode::InvalidArgument,
                    "graphics pipeline '{}': its fragment shader writes {} colour outputs but {} "
                    "colour formats were given (one per output location)",
                    name, interface.colorOutputs, desc.colorFormats.size());
    }
    for (std::size_t i = 0; i < desc.colorFormats.size(); ++i) {
        if (desc.colorFormats[i] == VK_FORMAT_UNDEFINED) {
            return fail(ErrorCode::InvalidArgument,
                        "graphics pipeline '{}': colour attachment {} has no format", name, i);
        }
    }
    return {};
}

}  // namespace

Result<GraphicsPipeline> GraphicsPipeline::create(const Device& device,
                                                  const GraphicsPipelineDesc& desc,
                                                  std::string_view name,
                                                  const PipelineOptions& options) {
    auto shaders = reflectStages(desc.stages, name);
    if (!shaders) {
        return std::unexpected(std::move(shaders.error()));
    }
    auto merged = mergeInterfaces(*shaders);
    if (!merged) {
        return std::unexpected(std::move(merged.error()));
    }
    VIXEN_TRY(checkAttachments(device, desc, *merged, name));

    GraphicsPipeline result;
    VIXEN_TRY(result.makeLayout(device, std::move(*merged), name, options));
    result.colorFormats_.assign(desc.colorFormats.begin(), desc.colorFormats.end());
    result.depthFormat_ = desc.depthFormat;

    std::vector<ScopedShaderModule> modules(desc.stages.size());
    std::vector<VkPipelineShaderStageCreateInfo> stageInfos(desc.stages.size());
    for (std::size_t i = 0; i < desc.stages.size(); ++i) {
        VIXEN_TRY(modules[i].create(device.handle(), desc.stages[i].spirv, desc.stages[i].name));
        stageInfos[i].sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
        stageInfos[i].stage = (*shaders)[i].stage;
        stageInfos[i].module = modules[i].get();
        stageInfos[i].pName = (*shaders)[i].entryPoint.c_str();
    }

    VkPipelineVertexInputStateCreateInfo vertexInput{};
    vertexInput.sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO;
    VkPipelineInputAssemblyStateCreateInfo inputAssembly{};
    inputAssembly.sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO;
    inputAssembly.topology = desc.topology;
    VkPipelineViewportStateCreateInfo viewport{};
    viewport.sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO;
    viewport.viewportCount = 1;
    viewport.scissorCount = 1;
    VkPipelineRasterizationStateCreateInfo rasterization{};
    rasterization.sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO;
    rasterization.polygonMode = VK_POLYGON_MODE_FILL;
    rasterization.cullMode = desc.cullMode;
    rasterization.frontFace = VK_FRONT_FACE_COUNTER_CLOCKWISE;
    rasterization.lineWidth = 1.0F;
    VkPipelineMultisampleStateCreateInfo multisample{};
    multisample.sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO;
    multisample.rasterizationSamples = VK_SAMPLE_COUNT_1_BIT;
    VkPipelineDepthStencilStateCreateInfo depth{};
    depth.sType = VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO;
    depth.depthTestEnable = desc.depthFormat != VK_FORMAT_UNDEFINED ? VK_TRUE : VK_FALSE;
    depth.depthWriteEnable = depth.depthTestEnable;
    depth.depthCompareOp = desc.depthCompare;
    std::vector<VkPipelineColorBlendAttachmentState> blends(desc.colorFormats.size());
    for (VkPipelineColorBlendAttachmentState& blend : blends) {
        blend.colorWriteMask = VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT |
                               VK_COLOR_COMPONENT_B_BIT | VK_COLOR_COMPONENT_A_BIT;
    }
    VkPipelineColorBlendStateCreateInfo blend{};
    blend.sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO;
    blend.attachmentCount = static_cast<std::uint32_t>(blends.size());
    blend.pAttachments = blends.data();
    constexpr std::array<VkDynamicState, 2> kDynamic{VK_DYNAMIC_STATE_VIEWPORT,
                                                     VK_DYNAMIC_STATE_SCISSOR};
    VkPipelineDynamicStateCreateInfo dynamic{};
    dynamic.sType = VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO;
    dynamic.dynamicStateCount = static_cast<std::uint32_t>(kDynamic.size());
    dynamic.pDynamicStates = kDynamic.data();
    VkPipelineRenderingCreateInfo rendering{};
    rendering.sType = VK_STRUCTURE_TYPE_PIPELINE_RENDERING_CREATE_INFO;
    rendering.colorAttachmentCount = static_cast<std::uint32_t>(desc.colorFormats.size());
    rendering.pColorAttachmentFormats = desc.colorFormats.data();
    rendering.depthAttachmentFormat = desc.depthFormat;

    VkGraphicsPipelineCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO;
    info.pNext = &rendering;
    info.stageCount = static_cast<std::uint32_t>(stageInfos.size());
    info.pStages = stageInfos.data();
    info.pVertexInputState = &vertexInput;
    info.pInputAssemblyState = &inputAssembly;
    info.pViewportState = &viewport;
    info.pRasterizationState = &rasterization;
    info.pMultisampleState = &multisample;
    info.pDepthStencilState = &depth;
    info.pColorBlendState = &blend;
    info.pDynamicState = &dynamic;
    info.layout = result.layout();
    const PipelineCreationTimer timer(device);
    VIXEN_TRY_VK_CREATE(
        vkCreateGraphicsPipelines(
            device.handle(),
            options.cache != VK_NULL_HANDLE ? options.cache : device.pipelineCache(), 1, &info,
            nullptr, result.pipelineSlot()),
        name);
    return result;
}

}  // namespace vixen::gpu
