#include "vixen/gpu/compute_pipeline.hpp"

#include <utility>

#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {
namespace {

Result<void> checkLimits(const Device& device, const ShaderInterface& shader) {
    const VkPhysicalDeviceLimits& limits = device.physical().limits;
    const auto& size = shader.workgroupSize;
    std::uint64_t invocations = 1;
    for (std::size_t axis = 0; axis < size.size(); ++axis) {
        if (size[axis] > limits.maxComputeWorkGroupSize[axis]) {
            return fail(ErrorCode::CapacityExceeded,
                        "shader '{}' has a workgroup {} wide along {}; device '{}' allows {}",
                        shader.name, size[axis], "xyz"[axis], device.physical().name,
                        limits.maxComputeWorkGroupSize[axis]);
        }
        invocations *= size[axis];
    }
    if (invocations > limits.maxComputeWorkGroupInvocations) {
        return fail(ErrorCode::CapacityExceeded,
                    "shader '{}' has {}x{}x{} = {} invocations per workgroup; device '{}' "
                    "allows {}",
                    shader.name, size[0], size[1], size[2], invocations, device.physical().name,
                    limits.maxComputeWorkGroupInvocations);
    }
    return {};
}

}  // namespace

Result<ComputePipeline> ComputePipeline::create(const Device& device,
                                                std::span<const std::uint32_t> spirv,
                                                std::string_view name,
                                                const PipelineOptions& options) {
    auto shader = reflectShader(spirv, name);
    if (!shader) {
        return std::unexpected(std::move(shader.error()));
    }
    if (shader->stage != VK_SHADER_STAGE_COMPUTE_BIT) {
        return fail(ErrorCode::InvalidArgument,
                    "shader '{}' is a {} shader; a compute pipeline needs a compute shader", name,
                    toString(shader->stage));
    }
    if (auto withinLimits = checkLimits(device, *shader); !withinLimits) {
        return std::unexpected(std::move(withinLimits.error()));
    }
    auto merged = mergeInterfaces(std::span(&*shader, 1));
    if (!merged) {
        return std::unexpected(std::move(merged.error()));
    }
    ComputePipeline result;
    VIXEN_TRY(result.makeLayout(device, std::move(*merged), name, options));

    ScopedShaderModule module;
    VIXEN_TRY(module.create(device.handle(), spirv, name));
    VkComputePipelineCreateInfo pipelineInfo{};
    pipelineInfo.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
    pipelineInfo.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    pipelineInfo.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    pipelineInfo.stage.module = module.get();
    pipelineInfo.stage.pName = shader->entryPoint.c_str();
    pipelineInfo.layout = result.layout();
    const PipelineCreationTimer timer(device);
    VIXEN_TRY_VK_CREATE(
        vkCreateComputePipelines(
            device.handle(),
            options.cache != VK_NULL_HANDLE ? options.cache : device.pipelineCache(), 1,
            &pipelineInfo, nullptr, result.pipelineSlot()),
        name);
    return result;
}

std::array<std::uint32_t, 3> ComputePipeline::groupsFor(std::uint32_t x, std::uint32_t y,
                                                        std::uint32_t z) const noexcept {
    const std::array<std::uint32_t, 3> invocations{x, y, z};
    std::array<std::uint32_t, 3> groups{};
    for (std::size_t axis = 0; axis < groups.size(); ++axis) {
        const std::uint32_t size = workgroupSize()[axis] == 0 ? 1 : workgroupSize()[axis];
        groups[axis] = invocations[axis] / size + (invocations[axis] % size != 0 ? 1U : 0U);
    }
    return groups;
}

}  // namespace vixen::gpu
