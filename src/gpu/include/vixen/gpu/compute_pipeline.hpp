#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "vixen/core/error.hpp"
#include "vixen/gpu/pipeline.hpp"

namespace vixen::gpu {

/// A compute pipeline made from SPIR-V and what reflection reads from it (Pipeline: set
/// layouts, pipeline layout, pipeline; the shader module only lives while it is made).
class ComputePipeline : public Pipeline {
public:
    /// Reflects `spirv` (errors name `name`) and builds the pipeline as `options` say.
    /// InvalidArgument for a shader that is not a compute shader; CapacityExceeded for a
    /// push-constant block or workgroup size past the device's limits; the Vulkan error of
    /// the failing call. Nothing is left behind.
    static Result<ComputePipeline> create(const Device& device,
                                          std::span<const std::uint32_t> spirv,
                                          std::string_view name,
                                          const PipelineOptions& options = {});

    [[nodiscard]] const std::array<std::uint32_t, 3>& workgroupSize() const noexcept {
        return interface().workgroupSize;
    }

    /// Workgroups that cover `x` by `y` by `z` invocations, each rounded up: the arguments
    /// of vkCmdDispatch.
    [[nodiscard]] std::array<std::uint32_t, 3> groupsFor(std::uint32_t x, std::uint32_t y = 1,
                                                         std::uint32_t z = 1) const noexcept;
};

}  // namespace vixen::gpu
