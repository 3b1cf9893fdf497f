#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/gpu/pipeline.hpp"

namespace vixen::gpu {

/// One stage of a graphics pipeline: its SPIR-V and a name for messages (a file name).
struct ShaderStageCode {
    std::span<const std::uint32_t> spirv;
    std::string_view name;
};

/// The fixed state of a graphics pipeline drawn with dynamic rendering. Vertices are not
/// fed by vertex input state: shaders make them from gl_VertexIndex or pull them from
/// storage buffers. Viewport and scissor are dynamic, so one pipeline serves every size.
struct GraphicsPipelineDesc {
    std::span<const ShaderStageCode> stages{};  ///< a vertex shader, and usually a fragment one
    std::span<const VkFormat> colorFormats{};   ///< one per fragment output location
    VkFormat depthFormat = VK_FORMAT_UNDEFINED;
    VkCompareOp depthCompare = VK_COMPARE_OP_LESS;  ///< with a depth format: test and write
    VkPrimitiveTopology topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
    VkCullModeFlags cullMode = VK_CULL_MODE_NONE;
};

/// A graphics pipeline for dynamic rendering (Pipeline: set layouts from the stages'
/// merged reflection, pipeline layout, pipeline).
class GraphicsPipeline : public Pipeline {
public:
    /// Reflects every stage and builds the pipeline; errors name the stage or `name`.
    /// InvalidArgument for no vertex stage, a compute stage, a stage given twice, bindings
    /// the stages disagree on, or a fragment shader whose outputs do not match the colour
    /// formats one to one; CapacityExceeded for more colour attachments or push constants
    /// than the device allows; the Vulkan error of the failing call. Nothing is left behind.
    static Result<GraphicsPipeline> create(const Device& device, const GraphicsPipelineDesc& desc,
                                           std::string_view name,
                                           const PipelineOptions& options = {});

    /// The colour attachment formats it renders to, by location.
    [[nodiscard]] std::span<const VkFormat> colorFormats() const noexcept { return colorFormats_; }
    [[nodiscard]] VkFormat depthFormat() const noexcept { return depthFormat_; }

private:
    std::vector<VkFormat> colorFormats_;
    VkFormat depthFormat_ = VK_FORMAT_UNDEFINED;
};

}  // namespace vixen::gpu
