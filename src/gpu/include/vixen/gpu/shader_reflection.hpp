#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"

namespace vixen::gpu {

/// One descriptor binding a shader declares.
struct DescriptorBinding {
    std::uint32_t set = 0;
    std::uint32_t binding = 0;
    VkDescriptorType type = VK_DESCRIPTOR_TYPE_MAX_ENUM;
    std::uint32_t count = 1;  ///< array elements; 1 for a plain binding
    VkShaderStageFlags stages = 0;
    std::string name;  ///< the variable's name in the source, else its block's

    friend bool operator==(const DescriptorBinding&, const DescriptorBinding&) = default;
};

/// What one shader stage declares, read from its SPIR-V. `bindings` are sorted by set,
/// then binding.
struct ShaderInterface {
    std::string name;  ///< the name reflectShader was given (a file name), for messages
    VkShaderStageFlagBits stage = VK_SHADER_STAGE_ALL;
    std::string entryPoint;
    std::vector<DescriptorBinding> bindings;
    /// Bytes of the push-constant block, from offset 0; 0 when there is none.
    std::uint32_t pushConstantSize = 0;
    /// The local workgroup size of a compute shader; zeros for other stages.
    std::array<std::uint32_t, 3> workgroupSize{};
    /// The colour outputs of a fragment shader: its highest output location + 1; 0 for other
    /// stages.
    std::uint32_t colorOutputs = 0;
};

/// What a pipeline's stages declare together: the union of their bindings, each with the
/// stages that use it OR-ed, and one push-constant range for all stages that have one.
struct PipelineInterface {
    std::string name;  ///< the stages' names joined with '+', for messages
    VkShaderStageFlags stages = 0;
    std::vector<DescriptorBinding> bindings;  ///< sorted by set, then binding
    std::uint32_t pushConstantSize = 0;
    VkShaderStageFlags pushConstantStages = 0;
    std::array<std::uint32_t, 3> workgroupSize{};  ///< the compute stage's, if any
    std::uint32_t colorOutputs = 0;                ///< the fragment stage's, if any

    /// Set indices the pipeline layout needs: the highest set used + 1 (0 for none). A set
    /// index below it that no binding uses still gets an (empty) layout.
    [[nodiscard]] std::uint32_t setCount() const noexcept;
    /// The bindings of one set, a sub-range of `bindings`.
    [[nodiscard]] std::span<const DescriptorBinding> setBindings(std::uint32_t set) const noexcept;
};

/// Reflects one SPIR-V module: checked word by word, then by the SPIRV-Tools validator under
/// Vulkan 1.3 rules, then read through SPIRV-Cross: its first entry point, its stage, the
/// descriptor bindings (uniform and storage buffers, storage and sampled images, samplers,
/// combined image samplers, texel buffers, input attachments, acceleration structures),
/// the push-constant size and a compute shader's workgroup size. Errors name `name`:
/// ParseError for words that are not valid SPIR-V (empty, bad magic, truncated, malformed,
/// invalid, with the byte offset where it can tell), InvalidArgument for what the engine
/// does not support (a runtime-sized or specialization-sized descriptor array, a binding
/// without set and binding decorations, a stage Vulkan has no flag for).
[[nodiscard]] Result<ShaderInterface> reflectShader(std::span<const std::uint32_t> spirv,
                                                    std::string_view name);

/// Merges the stages of one pipeline. InvalidArgument for no stages or one stage twice;
/// TypeMismatch, naming both shaders, the set and the binding, when two stages declare one
/// binding with different descriptor types or array sizes.
[[nodiscard]] Result<PipelineInterface> mergeInterfaces(std::span<const ShaderInterface> stages);

/// "storage buffer" for VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, and so on.
[[nodiscard]] std::string_view toString(VkDescriptorType type) noexcept;
/// "compute" for VK_SHADER_STAGE_COMPUTE_BIT, and so on; "unknown" for a combination.
[[nodiscard]] std::string_view toString(VkShaderStageFlagBits stage) noexcept;

}  // namespace vixen::gpu
