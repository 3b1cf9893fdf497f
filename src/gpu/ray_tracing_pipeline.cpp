#include "vixen/gpu/ray_tracing_pipeline.hpp"

#include <cstring>
#include <utility>
#include <vector>

#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {
namespace {

VkDeviceSize alignUp(VkDeviceSize value, VkDeviceSize alignment) noexcept {
    return alignment == 0 ? value : (value + alignment - 1) / alignment * alignment;
}

/// The pipeline's stages in order (ray generation, misses, then each hit group's closest hit
/// and intersection), each reflected and checked to be of the kind its place asks for.
class StageList {
public:
    Result<std::uint32_t> add(const ShaderStageCode& code, VkShaderStageFlagBits expected,
                              std::string_view pipeline) {
        auto shader = reflectShader(code.spirv, code.name);
        if (!shader) {
            return std::unexpected(std::move(shader.error()));
        }
        if (shader->stage != expected) {
            return fail(ErrorCode::InvalidArgument,
                        "ray-tracing pipeline '{}': shader '{}' is a {} shader where a {} shader "
                        "belongs",
                        pipeline, code.name, toString(shader->stage), toString(expected));
        }
        codes.push_back(code);
        shaders.push_back(std::move(*shader));
        return static_cast<std::uint32_t>(codes.size() - 1);
    }

    std::vector<ShaderStageCode> codes;
    std::vector<ShaderInterface> shaders;
};

VkRayTracingShaderGroupCreateInfoKHR group(VkRayTracingShaderGroupTypeKHR type) noexcept {
    VkRayTracingShaderGroupCreateInfoKHR info{};
    info.sType = VK_STRUCTURE_TYPE_RAY_TRACING_SHADER_GROUP_CREATE_INFO_KHR;
    info.type = type;
    info.generalShader = VK_SHADER_UNUSED_KHR;
    info.closestHitShader = VK_SHADER_UNUSED_KHR;
    info.anyHitShader = VK_SHADER_UNUSED_KHR;
    info.intersectionShader = VK_SHADER_UNUSED_KHR;
    return info;
}

/// The stages and groups of `desc`, checked.
Result<void> collect(const RayTracingPipelineDesc& desc, std::string_view name, StageList& stages,
                     std::vector<VkRayTracingShaderGroupCreateInfoKHR>& groups) {
    if (desc.misses.empty()) {
        return fail(ErrorCode::InvalidArgument,
                    "ray-tracing pipeline '{}' has no miss shader (rays that hit nothing need one)",
                    name);
    }
    auto rayGeneration = stages.add(desc.rayGeneration, VK_SHADER_STAGE_RAYGEN_BIT_KHR, name);
    if (!rayGeneration) {
        return std::unexpected(std::move(rayGeneration.error()));
    }
    groups.push_back(group(VK_RAY_TRACING_SHADER_GROUP_TYPE_GENERAL_KHR));
    groups.back().generalShader = *rayGeneration;
    for (const ShaderStageCode& miss : desc.misses) {
        auto index = stages.add(miss, VK_SHADER_STAGE_MISS_BIT_KHR, name);
        if (!index) {
            return std::unexpected(std::move(index.error()));
        }
        groups.push_back(group(VK_RAY_TRACING_SHADER_GROUP_TYPE_GENERAL_KHR));
        groups.back().generalShader = *index;
    }
    for (std::size_t i = 0; i < desc.hitGroups.size(); ++i) {
        const RayTracingHitGroup& hit = desc.hitGroups[i];
        const bool procedural = !hit.intersection.spirv.empty();
        if (hit.closestHit.spirv.empty() && !procedural) {
            return fail(ErrorCode::InvalidArgument,
                        "ray-tracing pipeline '{}': hit group {} has no shader", name, i);
        }
        VkRayTracingShaderGroupCreateInfoKHR info =
            group(procedural ? VK_RAY_TRACING_SHADER_GROUP_TYPE_PROCEDURAL_HIT_GROUP_KHR
                             : VK_RAY_TRACING_SHADER_GROUP_TYPE_TRIANGLES_HIT_GROUP_KHR);
        if (!hit.closestHit.spirv.empty()) {
            auto index = stages.add(hit.closestHit, VK_SHADER_STAGE_CLOSEST_HIT_BIT_KHR, name);
            if (!index) {
                return std::unexpected(std::move(index.error()));
            }
            info.closestHitShader = *index;
        }
        if (procedural) {
            auto index = stages.add(hit.intersection, VK_SHADER_STAGE_INTERSECTION_BIT_KHR, name);
            if (!index) {
                return std::unexpected(std::move(index.error()));
            }
            info.intersectionShader = *index;
        }
        groups.push_back(info);
    }
    return {};
}

}  // namespace

ShaderBindingTableLayout layoutShaderBindingTable(const RayTracingProperties& properties,
                                                  std::uint32_t misses,
                                                  std::uint32_t hitGroups) noexcept {
    ShaderBindingTableLayout layout;
    layout.recordStride =
        alignUp(properties.shaderGroupHandleSize, properties.shaderGroupHandleAlignment);
    layout.rayGenerationSize = alignUp(layout.recordStride, properties.shaderGroupBaseAlignment);
    layout.missOffset = layout.rayGenerationSize;
    layout.missSize = alignUp(misses * layout.recordStride, properties.shaderGroupBaseAlignment);
    layout.hitOffset = layout.missOffset + layout.missSize;
    layout.hitSize = alignUp(hitGroups * layout.recordStride, properties.shaderGroupBaseAlignment);
    layout.totalSize = layout.hitOffset + layout.hitSize;
    return layout;
}

Result<RayTracingPipeline> RayTracingPipeline::create(const Device& device,
                                                      DeviceMemoryAllocator& allocator,
                                                      const RayTracingPipelineDesc& desc,
                                                      std::string_view name,
                                                      const PipelineOptions& options) {
    // The shaders are checked first: what is wrong with them is wrong on every device.
    StageList stages;
    std::vector<VkRayTracingShaderGroupCreateInfoKHR> groups;
    VIXEN_TRY(collect(desc, name, stages, groups));
    auto merged = mergeInterfaces(stages.shaders);
    if (!merged) {
        return std::unexpected(std::move(merged.error()));
    }
    if (!device.enabled().rayTracingPipeline) {
        return fail(ErrorCode::Unsupported,
                    "ray-tracing pipeline '{}': device '{}' has no ray-tracing pipelines "
                    "(VK_KHR_ray_tracing_pipeline)",
                    name, device.physical().name);
    }
    const RayTracingProperties& properties = device.physical().rayTracing;
    if (desc.maxRecursionDepth > properties.maxRayRecursionDepth) {
        return fail(ErrorCode::CapacityExceeded,
                    "ray-tracing pipeline '{}' nests rays {} deep; device '{}' allows {}", name,
                    desc.maxRecursionDepth, device.physical().name,
                    properties.maxRayRecursionDepth);
    }
    RayTracingPipeline result;
    VIXEN_TRY(result.makeLayout(device, std::move(*merged), name, options));

    std::vector<ScopedShaderModule> modules(stages.codes.size());
    std::vector<VkPipelineShaderStageCreateInfo> stageInfos(stages.codes.size());
    for (std::size_t i = 0; i < stages.codes.size(); ++i) {
        VIXEN_TRY(modules[i].create(device.handle(), stages.codes[i].spirv, stages.codes[i].name));
        stageInfos[i].sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
        stageInfos[i].stage = stages.shaders[i].stage;
        stageInfos[i].module = modules[i].get();
        stageInfos[i].pName = stages.shaders[i].entryPoint.c_str();
    }
    VkRayTracingPipelineCreateInfoKHR info{};
    info.sType = VK_STRUCTURE_TYPE_RAY_TRACING_PIPELINE_CREATE_INFO_KHR;
    info.stageCount = static_cast<std::uint32_t>(stageInfos.size());
    info.pStages = stageInfos.data();
    info.groupCount = static_cast<std::uint32_t>(groups.size());
    info.pGroups = groups.data();
    info.maxPipelineRayRecursionDepth = desc.maxRecursionDepth;
    info.layout = result.layout();
    const RayTracingFunctions& rt = device.rayTracing();
    {
        const PipelineCreationTimer timer(device);
        VIXEN_TRY_VK_CREATE(
            rt.createRayTracingPipelines(
                device.handle(), VK_NULL_HANDLE,
                options.cache != VK_NULL_HANDLE ? options.cache : device.pipelineCache(), 1, &info,
                nullptr, result.pipelineSlot()),
            name);
    }

    // The table: each group's handle copied into its record. The buffer gets one base
    // alignment more than the table, so that the table can start on one.
    const auto misses = static_cast<std::uint32_t>(desc.misses.size());
    const auto hits = static_cast<std::uint32_t>(desc.hitGroups.size());
    result.layout_ = layoutShaderBindingTable(properties, misses, hits);
    const std::uint32_t handleSize = properties.shaderGroupHandleSize;
    std::vector<std::byte> handles(std::size_t{handleSize} * groups.size());
    VIXEN_TRY_VK(rt.getShaderGroupHandles(device.handle(), result.handle(), 0,
                                          static_cast<std::uint32_t>(groups.size()), handles.size(),
                                          handles.data()),
                 name);
    const VkDeviceSize baseAlignment = properties.shaderGroupBaseAlignment;
    auto table = Buffer::create(device, allocator,
                                BufferDesc{result.layout_.totalSize + baseAlignment,
                                           VK_BUFFER_USAGE_SHADER_BINDING_TABLE_BIT_KHR |
                                               VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT,
                                           MemoryUsage::UploadDeviceLocal},
                                name);
    if (!table) {
        return std::unexpected(std::move(table.error()));
    }
    result.table_ = std::move(*table);
    const VkDeviceAddress base = alignUp(result.table_.deviceAddress(), baseAlignment);
    std::byte* const mapped =
        result.table_.mapped().data() + (base - result.table_.deviceAddress());
    const ShaderBindingTableLayout& layout = result.layout_;
    const auto copyRecord = [&](std::size_t groupIndex, VkDeviceSize offset) {
        std::memcpy(mapped + offset, handles.data() + groupIndex * handleSize, handleSize);
    };
    copyRecord(0, 0);
    for (std::uint32_t i = 0; i < misses; ++i) {
        copyRecord(1 + i, layout.missOffset + i * layout.recordStride);
    }
    for (std::uint32_t i = 0; i < hits; ++i) {
        copyRecord(1 + misses + i, layout.hitOffset + i * layout.recordStride);
    }
    result.regions_[0] = {base, layout.rayGenerationSize, layout.rayGenerationSize};
    result.regions_[1] = {base + layout.missOffset, layout.recordStride, layout.missSize};
    result.regions_[2] = {hits == 0 ? 0 : base + layout.hitOffset, layout.recordStride,
                          layout.hitSize};
    result.regions_[3] = {};
    result.cmdTraceRays_ = rt.cmdTraceRays;
    return result;
}

void RayTracingPipeline::traceRays(VkCommandBuffer commandBuffer, std::uint32_t width,
                                   std::uint32_t height, std::uint32_t depth) const noexcept {
    cmdTraceRays_(commandBuffer, &regions_[0], &regions_[1], &regions_[2], &regions_[3], width,
                  height, depth);
}

}  // namespace vixen::gpu
