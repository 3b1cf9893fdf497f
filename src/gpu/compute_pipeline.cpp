#include "vixen/gpu/compute_pipeline.hpp"

#include <chrono>
#include <utility>

#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {
namespace {

/// The shader module, destroyed when the pipeline is made or creation failed.
class ScopedShaderModule {
public:
    explicit ScopedShaderModule(VkDevice device) noexcept : device_(device) {}
    ScopedShaderModule(const ScopedShaderModule&) = delete;
    ScopedShaderModule& operator=(const ScopedShaderModule&) = delete;
    ~ScopedShaderModule() {
        if (module_ != VK_NULL_HANDLE) {
            vkDestroyShaderModule(device_, module_, nullptr);
        }
    }
    VkShaderModule* out() noexcept { return &module_; }
    [[nodiscard]] VkShaderModule get() const noexcept { return module_; }

private:
    VkDevice device_;
    VkShaderModule module_ = VK_NULL_HANDLE;
};

Result<void> checkLimits(const Device& device, const ShaderInterface& shader) {
    const VkPhysicalDeviceLimits& limits = device.physical().limits;
    if (shader.pushConstantSize > limits.maxPushConstantsSize) {
        return fail(ErrorCode::CapacityExceeded,
                    "shader '{}' has {} bytes of push constants; device '{}' allows {}",
                    shader.name, shader.pushConstantSize, device.physical().name,
                    limits.maxPushConstantsSize);
    }
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
                                                std::string_view name, VkPipelineCache cache) {
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
    result.device_ = device.handle();
    result.interface_ = std::move(*merged);
    auto setLayouts = DescriptorSetLayouts::create(device, result.interface_, name);
    if (!setLayouts) {
        return std::unexpected(std::move(setLayouts.error()));
    }
    result.setLayouts_ = std::move(*setLayouts);

    const VkPushConstantRange pushConstants{result.interface_.pushConstantStages, 0,
                                            result.interface_.pushConstantSize};
    VkPipelineLayoutCreateInfo layoutInfo{};
    layoutInfo.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    layoutInfo.setLayoutCount = result.setLayouts_.setCount();
    layoutInfo.pSetLayouts = result.setLayouts_.handles().data();
    layoutInfo.pushConstantRangeCount = pushConstants.size > 0 ? 1 : 0;
    layoutInfo.pPushConstantRanges = &pushConstants;
    VIXEN_TRY_VK_CREATE(
        vkCreatePipelineLayout(result.device_, &layoutInfo, nullptr, &result.layout_), name);

    ScopedShaderModule module(result.device_);
    VkShaderModuleCreateInfo moduleInfo{};
    moduleInfo.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    moduleInfo.codeSize = spirv.size_bytes();
    moduleInfo.pCode = spirv.data();
    VIXEN_TRY_VK_CREATE(vkCreateShaderModule(result.device_, &moduleInfo, nullptr, module.out()),
                        name);

    const std::string entryPoint = shader->entryPoint;
    VkComputePipelineCreateInfo pipelineInfo{};
    pipelineInfo.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
    pipelineInfo.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    pipelineInfo.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    pipelineInfo.stage.module = module.get();
    pipelineInfo.stage.pName = entryPoint.c_str();
    pipelineInfo.layout = result.layout_;
    const auto started = std::chrono::steady_clock::now();
    VIXEN_TRY_VK_CREATE(
        vkCreateComputePipelines(result.device_,
                                 cache != VK_NULL_HANDLE ? cache : device.pipelineCache(), 1,
                                 &pipelineInfo, nullptr, &result.pipeline_),
        name);
    device.addPipelineCreateNanoseconds(
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       std::chrono::steady_clock::now() - started)
                                       .count()));
    return result;
}

ComputePipeline::ComputePipeline(ComputePipeline&& other) noexcept
    : device_(other.device_),
      interface_(std::exchange(other.interface_, {})),
      setLayouts_(std::move(other.setLayouts_)),
      layout_(std::exchange(other.layout_, VK_NULL_HANDLE)),
      pipeline_(std::exchange(other.pipeline_, VK_NULL_HANDLE)) {}

ComputePipeline& ComputePipeline::operator=(ComputePipeline&& other) noexcept {
    if (this != &other) {
        reset();
        device_ = other.device_;
        interface_ = std::exchange(other.interface_, {});
        setLayouts_ = std::move(other.setLayouts_);
        layout_ = std::exchange(other.layout_, VK_NULL_HANDLE);
        pipeline_ = std::exchange(other.pipeline_, VK_NULL_HANDLE);
    }
    return *this;
}

ComputePipeline::~ComputePipeline() {
    reset();
}

void ComputePipeline::reset() noexcept {
    if (pipeline_ != VK_NULL_HANDLE) {
        vkDestroyPipeline(device_, pipeline_, nullptr);
        pipeline_ = VK_NULL_HANDLE;
    }
    if (layout_ != VK_NULL_HANDLE) {
        vkDestroyPipelineLayout(device_, layout_, nullptr);
        layout_ = VK_NULL_HANDLE;
    }
    setLayouts_.reset();
}

std::array<std::uint32_t, 3> ComputePipeline::groupsFor(std::uint32_t x, std::uint32_t y,
                                                        std::uint32_t z) const noexcept {
    const std::array<std::uint32_t, 3> invocations{x, y, z};
    std::array<std::uint32_t, 3> groups{};
    for (std::size_t axis = 0; axis < groups.size(); ++axis) {
        const std::uint32_t size =
            interface_.workgroupSize[axis] == 0 ? 1 : interface_.workgroupSize[axis];
        groups[axis] = invocations[axis] / size + (invocations[axis] % size != 0 ? 1U : 0U);
    }
    return groups;
}

}  // namespace vixen::gpu
