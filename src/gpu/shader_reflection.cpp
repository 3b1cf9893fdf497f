#include "vixen/gpu/shader_reflection.hpp"

#include <spirv-tools/libspirv.h>
#include <spirv_cross/spirv_cross_c.h>

#include <algorithm>
#include <memory>
#include <utility>

namespace vixen::gpu {
namespace {

constexpr std::uint32_t kSpirvMagic = 0x07230203U;
constexpr std::uint32_t kSpirvMagicSwapped = 0x03022307U;
constexpr std::size_t kHeaderWords = 5;
constexpr std::size_t kWordBytes = sizeof(std::uint32_t);

/// The header, then every instruction's word count against what is left: what SPIRV-Cross
/// would reject as well, but here with the byte offset of the fault.
Result<void> checkWords(std::span<const std::uint32_t> spirv, std::string_view name) {
    if (spirv.empty()) {
        return fail(ErrorCode::ParseError, "shader '{}': the SPIR-V is empty (0 words)", name);
    }
    if (spirv[0] == kSpirvMagicSwapped) {
        return fail(ErrorCode::ParseError,
                    "shader '{}': the SPIR-V is byte-swapped (magic 0x{:08x} at byte 0); "
                    "the engine reads little-endian SPIR-V only",
                    name, spirv[0]);
    }
    if (spirv[0] != kSpirvMagic) {
        return fail(ErrorCode::ParseError,
                    "shader '{}': bad magic 0x{:08x} at byte 0, expected 0x{:08x}: this is "
                    "not SPIR-V (compile GLSL with glslangValidator -V)",
                    name, spirv[0], kSpirvMagic);
    }
    if (spirv.size() < kHeaderWords) {
        return fail(ErrorCode::ParseError,
                    "shader '{}': truncated SPIR-V: {} bytes, shorter than the {}-byte header",
                    name, spirv.size() * kWordBytes, kHeaderWords * kWordBytes);
    }
    std::size_t offset = kHeaderWords;
    while (offset < spirv.size()) {
        const std::uint32_t wordCount = spirv[offset] >> 16U;
        const std::uint32_t opcode = spirv[offset] & 0xffffU;
        if (wordCount == 0) {
            return fail(ErrorCode::ParseError,
                        "shader '{}': malformed SPIR-V: the instruction at byte {} (opcode {}) "
                        "has a word count of 0",
                        name, offset * kWordBytes, opcode);
        }
        if (wordCount > spirv.size() - offset) {
            return fail(ErrorCode::ParseError,
                        "shader '{}': truncated SPIR-V: the instruction at byte {} (opcode {}) "
                        "needs {} bytes, {} remain",
                        name, offset * kWordBytes, opcode, std::size_t{wordCount} * kWordBytes,
                        (spirv.size() - offset) * kWordBytes);
        }
        offset += wordCount;
    }
    return {};
}

/// The SPIRV-Tools validator under Vulkan 1.3 rules: SPIRV-Cross trusts its input (IDs in
/// range, types where types belong), so nothing reaches it unvalidated.
Result<void> validate(std::span<const std::uint32_t> spirv, std::string_view name) {
    const std::unique_ptr<spv_context_t, decltype(&spvContextDestroy)> context(
        spvContextCreate(SPV_ENV_VULKAN_1_3), &spvContextDestroy);
    const std::unique_ptr<spv_validator_options_t, decltype(&spvValidatorOptionsDestroy)> options(
        spvValidatorOptionsCreate(), &spvValidatorOptionsDestroy);
    if (!context || !options) {
        return fail(ErrorCode::OverBudget, "shader '{}': could not create a SPIR-V validator",
                    name);
    }
    spv_const_binary_t binary{spirv.data(), spirv.size()};
    spv_diagnostic rawDiagnostic = nullptr;
    const spv_result_t result =
        spvValidateWithOptions(context.get(), options.get(), &binary, &rawDiagnostic);
    const std::unique_ptr<spv_diagnostic_t, decltype(&spvDiagnosticDestroy)> diagnostic(
        rawDiagnostic, &spvDiagnosticDestroy);
    if (result == SPV_SUCCESS) {
        return {};
    }
    // One line: the validator puts the offending instruction, disassembled, on a second.
    std::string message = diagnostic && diagnostic->error != nullptr ? diagnostic->error : "";
    for (std::size_t at = message.find('\n'); at != std::string::npos; at = message.find('\n')) {
        const std::size_t next = message.find_first_not_of(" \n", at);
        message.replace(at, next == std::string::npos ? std::string::npos : next - at,
                        next == std::string::npos ? "" : ": ");
    }
    // position.index is the 1-based ordinal of the instruction at fault; name its byte.
    const std::size_t ordinal = diagnostic ? diagnostic->position.index : 0;
    std::size_t offset = kHeaderWords;
    for (std::size_t i = 1; i < ordinal && offset < spirv.size(); ++i) {
        offset += spirv[offset] >> 16U;  // word counts were checked by checkWords
    }
    if (ordinal > 0 && offset < spirv.size()) {
        return fail(ErrorCode::ParseError,
                    "shader '{}': invalid SPIR-V in instruction {} (byte {}): {}", name, ordinal,
                    offset * kWordBytes, message);
    }
    return fail(ErrorCode::ParseError, "shader '{}': invalid SPIR-V: {}", name, message);
}

struct ContextDeleter {
    void operator()(spvc_context context) const noexcept { spvc_context_destroy(context); }
};
using ContextPtr = std::unique_ptr<spvc_context_s, ContextDeleter>;

void rememberError(void* userdata, const char* error) {
    *static_cast<std::string*>(userdata) = error != nullptr ? error : "";
}

Result<VkShaderStageFlagBits> stageOf(SpvExecutionModel model, std::string_view name) {
    switch (model) {
        case SpvExecutionModelVertex:
            return VK_SHADER_STAGE_VERTEX_BIT;
        case SpvExecutionModelTessellationControl:
            return VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT;
        case SpvExecutionModelTessellationEvaluation:
            return VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT;
        case SpvExecutionModelGeometry:
            return VK_SHADER_STAGE_GEOMETRY_BIT;
        case SpvExecutionModelFragment:
            return VK_SHADER_STAGE_FRAGMENT_BIT;
        case SpvExecutionModelGLCompute:
            return VK_SHADER_STAGE_COMPUTE_BIT;
        case SpvExecutionModelTaskNV:
        case SpvExecutionModelTaskEXT:
            return VK_SHADER_STAGE_TASK_BIT_EXT;
        case SpvExecutionModelMeshNV:
        case SpvExecutionModelMeshEXT:
            return VK_SHADER_STAGE_MESH_BIT_EXT;
        case SpvExecutionModelRayGenerationKHR:
            return VK_SHADER_STAGE_RAYGEN_BIT_KHR;
        case SpvExecutionModelIntersectionKHR:
            return VK_SHADER_STAGE_INTERSECTION_BIT_KHR;
        case SpvExecutionModelAnyHitKHR:
            return VK_SHADER_STAGE_ANY_HIT_BIT_KHR;
        case SpvExecutionModelClosestHitKHR:
            return VK_SHADER_STAGE_CLOSEST_HIT_BIT_KHR;
        case SpvExecutionModelMissKHR:
            return VK_SHADER_STAGE_MISS_BIT_KHR;
        case SpvExecutionModelCallableKHR:
            return VK_SHADER_STAGE_CALLABLE_BIT_KHR;
        default:
            break;
    }
    return fail(ErrorCode::InvalidArgument,
                "shader '{}': execution model {} has no Vulkan shader stage (an OpenCL "
                "kernel?)",
                name, static_cast<int>(model));
}

/// The reflection of one module: the SPIRV-Cross compiler and the shader's name.
class Reflector {
public:
    Reflector(spvc_compiler compiler, std::string_view name) : compiler_(compiler), name_(name) {}

    /// The descriptor type of resources of `kind`; texel buffers are told apart by the
    /// image's dimension.
    [[nodiscard]] VkDescriptorType descriptorType(spvc_resource_type kind,
                                                  spvc_type_id baseType) const {
        const bool texelBuffer = [&] {
            if (kind != SPVC_RESOURCE_TYPE_STORAGE_IMAGE &&
                kind != SPVC_RESOURCE_TYPE_SAMPLED_IMAGE &&
                kind != SPVC_RESOURCE_TYPE_SEPARATE_IMAGE) {
                return false;
            }
            return spvc_type_get_image_dimension(
                       spvc_compiler_get_type_handle(compiler_, baseType)) == SpvDimBuffer;
        }();
        switch (kind) {
            case SPVC_RESOURCE_TYPE_UNIFORM_BUFFER:
                return VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
            case SPVC_RESOURCE_TYPE_STORAGE_BUFFER:
                return VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
            case SPVC_RESOURCE_TYPE_STORAGE_IMAGE:
                return texelBuffer ? VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER
                                   : VK_DESCRIPTOR_TYPE_STORAGE_IMAGE;
            case SPVC_RESOURCE_TYPE_SAMPLED_IMAGE:
                return texelBuffer ? VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER
                                   : VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
            case SPVC_RESOURCE_TYPE_SEPARATE_IMAGE:
                return texelBuffer ? VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER
                                   : VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE;
            case SPVC_RESOURCE_TYPE_SEPARATE_SAMPLERS:
                return VK_DESCRIPTOR_TYPE_SAMPLER;
            case SPVC_RESOURCE_TYPE_SUBPASS_INPUT:
                return VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT;
            case SPVC_RESOURCE_TYPE_ACCELERATION_STRUCTURE:
                return VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_KHR;
            default:
                break;
        }
        return VK_DESCRIPTOR_TYPE_MAX_ENUM;
    }

    /// Array elements of a resource: the product of its literal array sizes.
    [[nodiscard]] Result<std::uint32_t> elementCount(const spvc_reflected_resource& resource,
                                                     const DescriptorBinding& where) const {
        const spvc_type type = spvc_compiler_get_type_handle(compiler_, resource.type_id);
        std::uint64_t count = 1;
        const unsigned dimensions = spvc_type_get_num_array_dimensions(type);
        for (unsigned dimension = 0; dimension < dimensions; ++dimension) {
            if (spvc_type_array_dimension_is_literal(type, dimension) == SPVC_FALSE) {
                return fail(ErrorCode::InvalidArgument,
                            "shader '{}': '{}' (set {}, binding {}) is an array sized by a "
                            "specialization constant, which descriptor layouts do not support",
                            name_, where.name, where.set, where.binding);
            }
            const SpvId size = spvc_type_get_array_dimension(type, dimension);
            if (size == 0) {
                return fail(ErrorCode::InvalidArgument,
                            "shader '{}': '{}' (set {}, binding {}) is a runtime-sized "
                            "descriptor array; give it a fixed size",
                            name_, where.name, where.set, where.binding);
            }
            count *= size;
        }
        if (count > ~std::uint32_t{0}) {
            return fail(ErrorCode::InvalidArgument,
                        "shader '{}': '{}' (set {}, binding {}) has {} array elements", name_,
                        where.name, where.set, where.binding, count);
        }
        return static_cast<std::uint32_t>(count);
    }

    Result<void> addResources(spvc_resources resources, spvc_resource_type kind,
                              VkShaderStageFlagBits stage, std::vector<DescriptorBinding>& out) {
        const spvc_reflected_resource* list = nullptr;
        std::size_t count = 0;
        if (spvc_resources_get_resource_list_for_type(resources, kind, &list, &count) !=
            SPVC_SUCCESS) {
            return fail(ErrorCode::ParseError,
                        "shader '{}': SPIRV-Cross could not list its resources", name_);
        }
        for (const spvc_reflected_resource& resource : std::span(list, count)) {
            DescriptorBinding binding;
            // The variable's name (`params` of `uniform Params {...} params;`), else the
            // block's, which is what SPIRV-Cross reports for blocks.
            const char* variable = spvc_compiler_get_name(compiler_, resource.id);
            binding.name = variable != nullptr && *variable != '\0' ? variable
                           : resource.name != nullptr               ? resource.name
                                                                    : "";
            binding.stages = static_cast<VkShaderStageFlags>(stage);
            if (spvc_compiler_has_decoration(compiler_, resource.id, SpvDecorationDescriptorSet) ==
                    SPVC_FALSE ||
                spvc_compiler_has_decoration(compiler_, resource.id, SpvDecorationBinding) ==
                    SPVC_FALSE) {
                return fail(ErrorCode::InvalidArgument,
                            "shader '{}': '{}' has no set and binding decoration; declare it "
                            "with layout(set = S, binding = B)",
                            name_, binding.name);
            }
            binding.set =
                spvc_compiler_get_decoration(compiler_, resource.id, SpvDecorationDescriptorSet);
            binding.binding =
                spvc_compiler_get_decoration(compiler_, resource.id, SpvDecorationBinding);
            binding.type = descriptorType(kind, resource.base_type_id);
            auto elements = elementCount(resource, binding);
            if (!elements) {
                return std::unexpected(std::move(elements.error()));
            }
            binding.count = *elements;
            out.push_back(std::move(binding));
        }
        return {};
    }

    Result<std::uint32_t> pushConstantSize(spvc_resources resources) {
        const spvc_reflected_resource* list = nullptr;
        std::size_t count = 0;
        if (spvc_resources_get_resource_list_for_type(resources, SPVC_RESOURCE_TYPE_PUSH_CONSTANT,
                                                      &list, &count) != SPVC_SUCCESS) {
            return fail(ErrorCode::ParseError,
                        "shader '{}': SPIRV-Cross could not list its push constants", name_);
        }
        std::size_t largest = 0;
        for (const spvc_reflected_resource& resource : std::span(list, count)) {
            std::size_t size = 0;
            if (spvc_compiler_get_declared_struct_size(
                    compiler_, spvc_compiler_get_type_handle(compiler_, resource.base_type_id),
                    &size) != SPVC_SUCCESS) {
                return fail(ErrorCode::ParseError,
                            "shader '{}': SPIRV-Cross could not size the push-constant block "
                            "'{}'",
                            name_, resource.name != nullptr ? resource.name : "");
            }
            largest = std::max(largest, size);
        }
        return static_cast<std::uint32_t>(largest);
    }

    /// LocalSize literals, or the default values of LocalSizeId's (specialization) constants.
    [[nodiscard]] std::array<std::uint32_t, 3> workgroupSize() const {
        const SpvExecutionMode* modes = nullptr;
        std::size_t count = 0;
        bool byId = false;
        if (spvc_compiler_get_execution_modes(compiler_, &modes, &count) == SPVC_SUCCESS) {
            byId = std::ranges::find(std::span(modes, count), SpvExecutionModeLocalSizeId) !=
                   std::span(modes, count).end();
        }
        std::array<std::uint32_t, 3> size{};
        for (unsigned axis = 0; axis < 3; ++axis) {
            if (byId) {
                const unsigned id = spvc_compiler_get_execution_mode_argument_by_index(
                    compiler_, SpvExecutionModeLocalSizeId, axis);
                const spvc_constant constant = spvc_compiler_get_constant_handle(compiler_, id);
                size[axis] = constant != nullptr ? spvc_constant_get_scalar_u32(constant, 0, 0) : 0;
            } else {
                size[axis] = spvc_compiler_get_execution_mode_argument_by_index(
                    compiler_, SpvExecutionModeLocalSize, axis);
            }
        }
        return size;
    }

    /// The highest output Location + 1: a fragment shader's colour attachments.
    [[nodiscard]] std::uint32_t outputLocations(spvc_resources resources) const {
        const spvc_reflected_resource* list = nullptr;
        std::size_t count = 0;
        if (spvc_resources_get_resource_list_for_type(resources, SPVC_RESOURCE_TYPE_STAGE_OUTPUT,
                                                      &list, &count) != SPVC_SUCCESS) {
            return 0;
        }
        std::uint32_t locations = 0;
        for (const spvc_reflected_resource& resource : std::span(list, count)) {
            // Outputs without a Location (built-ins) are no attachment.
            const std::uint32_t location =
                spvc_compiler_get_decoration(compiler_, resource.id, SpvDecorationLocation);
            const bool located = spvc_compiler_has_decoration(compiler_, resource.id,
                                                              SpvDecorationLocation) == SPVC_TRUE;
            locations = located ? std::max(locations, location + 1) : locations;
        }
        return locations;
    }

private:
    spvc_compiler compiler_;
    std::string_view name_;
};

bool bySetAndBinding(const DescriptorBinding& a, const DescriptorBinding& b) noexcept {
    return a.set != b.set ? a.set < b.set : a.binding < b.binding;
}

/// Bindings gathered so far, each with the shader that declared it first.
struct BindingUnion {
    std::vector<DescriptorBinding> bindings;
    std::vector<std::string_view> owners;

    /// Adds `binding`, declared by shader `from`: stages OR-ed where it is already there,
    /// TypeMismatch naming both shaders where the two disagree.
    Result<void> fold(const DescriptorBinding& binding, std::string_view from) {
        const auto same = std::ranges::find_if(bindings, [&](const DescriptorBinding& existing) {
            return existing.set == binding.set && existing.binding == binding.binding;
        });
        if (same == bindings.end()) {
            bindings.push_back(binding);
            owners.push_back(from);
            return {};
        }
        const std::string_view owner = owners[static_cast<std::size_t>(same - bindings.begin())];
        if (same->type != binding.type) {
            return fail(ErrorCode::TypeMismatch,
                        "set {}, binding {} is a {} ('{}') in '{}' but a {} ('{}') in '{}'; a "
                        "binding has one descriptor type in every stage",
                        binding.set, binding.binding, toString(same->type), same->name, owner,
                        toString(binding.type), binding.name, from);
        }
        if (same->count != binding.count) {
            return fail(ErrorCode::TypeMismatch,
                        "set {}, binding {} ('{}') has {} elements in '{}' but {} in '{}'",
                        binding.set, binding.binding, same->name, same->count, owner, binding.count,
                        from);
        }
        same->stages |= binding.stages;
        return {};
    }

    /// The bindings, sorted by set and binding.
    std::vector<DescriptorBinding> take() {
        std::ranges::sort(bindings, bySetAndBinding);
        return std::move(bindings);
    }
};

}  // namespace

Result<ShaderInterface> reflectShader(std::span<const std::uint32_t> spirv, std::string_view name) {
    if (auto checked = checkWords(spirv, name); !checked) {
        return std::unexpected(std::move(checked.error()));
    }
    if (auto valid = validate(spirv, name); !valid) {
        return std::unexpected(std::move(valid.error()));
    }

    spvc_context rawContext = nullptr;
    if (spvc_context_create(&rawContext) != SPVC_SUCCESS) {
        return fail(ErrorCode::OverBudget, "shader '{}': could not create a SPIRV-Cross context",
                    name);
    }
    const ContextPtr context(rawContext);
    std::string lastError;
    spvc_context_set_error_callback(context.get(), &rememberError, &lastError);

    spvc_parsed_ir ir = nullptr;
    if (spvc_context_parse_spirv(context.get(), spirv.data(), spirv.size(), &ir) != SPVC_SUCCESS) {
        return fail(ErrorCode::ParseError, "shader '{}': malformed SPIR-V: {}", name, lastError);
    }
    spvc_compiler compiler = nullptr;
    if (spvc_context_create_compiler(context.get(), SPVC_BACKEND_NONE, ir,
                                     SPVC_CAPTURE_MODE_TAKE_OWNERSHIP, &compiler) != SPVC_SUCCESS) {
        return fail(ErrorCode::ParseError, "shader '{}': SPIRV-Cross rejected the SPIR-V: {}", name,
                    lastError);
    }

    const spvc_entry_point* entryPoints = nullptr;
    std::size_t entryPointCount = 0;
    if (spvc_compiler_get_entry_points(compiler, &entryPoints, &entryPointCount) != SPVC_SUCCESS ||
        entryPointCount == 0) {
        return fail(ErrorCode::ParseError, "shader '{}': the SPIR-V has no entry point", name);
    }
    const spvc_entry_point& entry = entryPoints[0];
    if (spvc_compiler_set_entry_point(compiler, entry.name, entry.execution_model) !=
        SPVC_SUCCESS) {
        return fail(ErrorCode::ParseError, "shader '{}': cannot select entry point '{}': {}", name,
                    entry.name, lastError);
    }
    ShaderInterface result;
    result.name = name;
    result.entryPoint = entry.name;
    auto stage = stageOf(entry.execution_model, name);
    if (!stage) {
        return std::unexpected(std::move(stage.error()));
    }
    result.stage = *stage;

    spvc_resources resources = nullptr;
    if (spvc_compiler_create_shader_resources(compiler, &resources) != SPVC_SUCCESS) {
        return fail(ErrorCode::ParseError, "shader '{}': SPIRV-Cross could not reflect it: {}",
                    name, lastError);
    }
    Reflector reflector(compiler, name);
    std::vector<DescriptorBinding> declared;
    for (const spvc_resource_type kind :
         {SPVC_RESOURCE_TYPE_UNIFORM_BUFFER, SPVC_RESOURCE_TYPE_STORAGE_BUFFER,
          SPVC_RESOURCE_TYPE_STORAGE_IMAGE, SPVC_RESOURCE_TYPE_SAMPLED_IMAGE,
          SPVC_RESOURCE_TYPE_SEPARATE_IMAGE, SPVC_RESOURCE_TYPE_SEPARATE_SAMPLERS,
          SPVC_RESOURCE_TYPE_SUBPASS_INPUT, SPVC_RESOURCE_TYPE_ACCELERATION_STRUCTURE}) {
        if (auto added = reflector.addResources(resources, kind, result.stage, declared); !added) {
            return std::unexpected(std::move(added.error()));
        }
    }
    // Variables aliasing one binding (two views of one buffer) are one descriptor.
    BindingUnion bindings;
    for (const DescriptorBinding& binding : declared) {
        if (auto folded = bindings.fold(binding, name); !folded) {
            return std::unexpected(std::move(folded.error()));
        }
    }
    result.bindings = bindings.take();

    auto pushConstants = reflector.pushConstantSize(resources);
    if (!pushConstants) {
        return std::unexpected(std::move(pushConstants.error()));
    }
    result.pushConstantSize = *pushConstants;
    if (result.stage == VK_SHADER_STAGE_COMPUTE_BIT) {
        result.workgroupSize = reflector.workgroupSize();
    }
    if (result.stage == VK_SHADER_STAGE_FRAGMENT_BIT) {
        result.colorOutputs = reflector.outputLocations(resources);
    }
    return result;
}

Result<PipelineInterface> mergeInterfaces(std::span<const ShaderInterface> stages) {
    if (stages.empty()) {
        return fail(ErrorCode::InvalidArgument, "a pipeline needs at least one shader stage");
    }
    PipelineInterface merged;
    BindingUnion bindings;
    for (const ShaderInterface& stage : stages) {
        const auto bit = static_cast<VkShaderStageFlags>(stage.stage);
        if ((merged.stages & bit) != 0) {
            const auto first = std::ranges::find_if(
                stages, [&](const ShaderInterface& s) { return s.stage == stage.stage; });
            return fail(ErrorCode::InvalidArgument,
                        "'{}' and '{}' are both {} shaders; a pipeline has one shader per stage",
                        first->name, stage.name, toString(stage.stage));
        }
        if (!merged.name.empty()) {
            merged.name += '+';
        }
        merged.name += stage.name;
        merged.stages |= bit;
        for (const DescriptorBinding& binding : stage.bindings) {
            if (auto folded = bindings.fold(binding, stage.name); !folded) {
                return std::unexpected(std::move(folded.error()));
            }
        }
        if (stage.pushConstantSize > 0) {
            merged.pushConstantSize = std::max(merged.pushConstantSize, stage.pushConstantSize);
            merged.pushConstantStages |= bit;
        }
        if (stage.stage == VK_SHADER_STAGE_COMPUTE_BIT) {
            merged.workgroupSize = stage.workgroupSize;
        }
        if (stage.stage == VK_SHADER_STAGE_FRAGMENT_BIT) {
            merged.colorOutputs = stage.colorOutputs;
        }
    }
    merged.bindings = bindings.take();
    return merged;
}

std::uint32_t PipelineInterface::setCount() const noexcept {
    return bindings.empty() ? 0 : bindings.back().set + 1;
}

std::span<const DescriptorBinding> PipelineInterface::setBindings(
    std::uint32_t set) const noexcept {
    const auto first = std::ranges::find_if(
        bindings, [set](const DescriptorBinding& binding) { return binding.set >= set; });
    const auto last =
        std::ranges::find_if(first, bindings.end(),
                             [set](const DescriptorBinding& binding) { return binding.set > set; });
    return {first, last};
}

std::string_view toString(VkDescriptorType type) noexcept {
    switch (type) {
        case VK_DESCRIPTOR_TYPE_SAMPLER:
            return "sampler";
        case VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER:
            return "combined image sampler";
        case VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE:
            return "sampled image";
        case VK_DESCRIPTOR_TYPE_STORAGE_IMAGE:
            return "storage image";
        case VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER:
            return "uniform texel buffer";
        case VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER:
            return "storage texel buffer";
        case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER:
            return "uniform buffer";
        case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER:
            return "storage buffer";
        case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC:
            return "dynamic uniform buffer";
        case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC:
            return "dynamic storage buffer";
        case VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT:
            return "input attachment";
        case VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_KHR:
            return "acceleration structure";
        default:
            break;
    }
    return "unknown descriptor type";
}

std::string_view toString(VkShaderStageFlagBits stage) noexcept {
    switch (stage) {
        case VK_SHADER_STAGE_VERTEX_BIT:
            return "vertex";
        case VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT:
            return "tessellation control";
        case VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT:
            return "tessellation evaluation";
        case VK_SHADER_STAGE_GEOMETRY_BIT:
            return "geometry";
        case VK_SHADER_STAGE_FRAGMENT_BIT:
            return "fragment";
        case VK_SHADER_STAGE_COMPUTE_BIT:
            return "compute";
        case VK_SHADER_STAGE_TASK_BIT_EXT:
            return "task";
        case VK_SHADER_STAGE_MESH_BIT_EXT:
            return "mesh";
        case VK_SHADER_STAGE_RAYGEN_BIT_KHR:
            return "ray generation";
        case VK_SHADER_STAGE_INTERSECTION_BIT_KHR:
            return "intersection";
        case VK_SHADER_STAGE_ANY_HIT_BIT_KHR:
            return "any-hit";
        case VK_SHADER_STAGE_CLOSEST_HIT_BIT_KHR:
            return "closest-hit";
        case VK_SHADER_STAGE_MISS_BIT_KHR:
            return "miss";
        case VK_SHADER_STAGE_CALLABLE_BIT_KHR:
            return "callable";
        default:
            break;
    }
    return "unknown";
}

}  // namespace vixen::gpu
