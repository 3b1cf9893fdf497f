#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "vixen/core/error.hpp"
#include "vixen/gpu/descriptor_set_layouts.hpp"
#include "vixen/gpu/shader_reflection.hpp"

namespace vixen::gpu {

class Device;

/// A compute pipeline made from SPIR-V and what reflection reads from it: the descriptor
/// set layouts, a pipeline layout with the shader's push-constant range, and the pipeline
/// (the shader module only lives while the pipeline is made). Owns all of them; the
/// device must outlive it, and destroying it while the GPU still uses it is the caller's
/// error.
class ComputePipeline {
public:
    ComputePipeline() = default;
    /// Reflects `spirv` (errors name `name`) and builds the pipeline through `cache` (by
    /// default the device's). InvalidArgument for a shader that is not a compute shader;
    /// CapacityExceeded for a push-constant block or workgroup size past the device's limits; the
    /// Vulkan error of the failing call. Nothing is left behind.
    static Result<ComputePipeline> create(const Device& device,
                                          std::span<const std::uint32_t> spirv,
                                          std::string_view name,
                                          VkPipelineCache cache = VK_NULL_HANDLE);

    ComputePipeline(ComputePipeline&& other) noexcept;
    ComputePipeline& operator=(ComputePipeline&& other) noexcept;
    ComputePipeline(const ComputePipeline&) = delete;
    ComputePipeline& operator=(const ComputePipeline&) = delete;
    ~ComputePipeline();

    /// Destroys the pipeline, its layout and its set layouts now; it becomes empty.
    void reset() noexcept;

    [[nodiscard]] VkPipeline handle() const noexcept { return pipeline_; }
    [[nodiscard]] VkPipelineLayout layout() const noexcept { return layout_; }
    [[nodiscard]] const DescriptorSetLayouts& setLayouts() const noexcept { return setLayouts_; }
    [[nodiscard]] const PipelineInterface& interface() const noexcept { return interface_; }
    [[nodiscard]] const std::array<std::uint32_t, 3>& workgroupSize() const noexcept {
        return interface_.workgroupSize;
    }
    [[nodiscard]] bool valid() const noexcept { return pipeline_ != VK_NULL_HANDLE; }

    /// Workgroups that cover `x` by `y` by `z` invocations, each rounded up: the arguments
    /// of vkCmdDispatch.
    [[nodiscard]] std::array<std::uint32_t, 3> groupsFor(std::uint32_t x, std::uint32_t y = 1,
                                                         std::uint32_t z = 1) const noexcept;

private:
    VkDevice device_ = VK_NULL_HANDLE;
    PipelineInterface interface_;
    DescriptorSetLayouts setLayouts_;
    VkPipelineLayout layout_ = VK_NULL_HANDLE;
    VkPipeline pipeline_ = VK_NULL_HANDLE;
};

}  // namespace vixen::gpu
