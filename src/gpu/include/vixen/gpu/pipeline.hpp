#pragma once

#include <vulkan/vulkan.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>

#include "vixen/core/error.hpp"
#include "vixen/gpu/descriptor_set_layouts.hpp"
#include "vixen/gpu/shader_reflection.hpp"

namespace vixen::gpu {

class Device;

/// A VkPipelineLayout with the descriptor set layouts it is made of (possibly shared with
/// other layouts) and the push-constant range of its shaders. Equal interfaces (bindings and
/// push constants) make interchangeable layouts, so runtimes share one. The device must
/// outlive it.
class PipelineLayout {
public:
    PipelineLayout() = default;
    /// The layout of `interface` over `setLayouts` (made for that interface); errors name
    /// `name`. Push constants past the device's limit are CapacityExceeded.
    static Result<PipelineLayout> create(const Device& device,
                                         std::shared_ptr<const DescriptorSetLayouts> setLayouts,
                                         const PipelineInterface& interface, std::string_view name);

    PipelineLayout(PipelineLayout&& other) noexcept;
    PipelineLayout& operator=(PipelineLayout&& other) noexcept;
    PipelineLayout(const PipelineLayout&) = delete;
    PipelineLayout& operator=(const PipelineLayout&) = delete;
    ~PipelineLayout();

    [[nodiscard]] VkPipelineLayout handle() const noexcept { return layout_; }
    [[nodiscard]] const DescriptorSetLayouts& setLayouts() const noexcept;

private:
    void reset() noexcept;

    VkDevice device_ = VK_NULL_HANDLE;
    std::shared_ptr<const DescriptorSetLayouts> setLayouts_;  ///< null when empty
    VkPipelineLayout layout_ = VK_NULL_HANDLE;
};

/// Where a pipeline's layout comes from: by default each pipeline makes its own (and its
/// set layouts); a runtime passes one that shares them between pipelines of equal
/// interfaces.
using PipelineLayoutSource = std::function<Result<std::shared_ptr<const PipelineLayout>>(
    const PipelineInterface& interface, std::string_view name)>;

/// How a pipeline is made: through which VkPipelineCache (null: the device's) and with
/// whose layout (empty: its own).
struct PipelineOptions {
    VkPipelineCache cache = VK_NULL_HANDLE;
    PipelineLayoutSource layouts;
};

/// What every pipeline owns: its merged shader interface, its layout (set layouts and push
/// constants, possibly shared with other pipelines) and the VkPipeline. The device must
/// outlive it; destroying it while the GPU still uses it is the caller's error.
/// ComputePipeline and GraphicsPipeline make one.
class Pipeline {
public:
    Pipeline() = default;
    Pipeline(Pipeline&& other) noexcept;
    Pipeline& operator=(Pipeline&& other) noexcept;
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;
    ~Pipeline();

    /// Destroys the pipeline now and lets go of its layout; it becomes empty.
    void reset() noexcept;

    [[nodiscard]] VkPipeline handle() const noexcept { return pipeline_; }
    [[nodiscard]] VkPipelineLayout layout() const noexcept {
        return layout_ ? layout_->handle() : VK_NULL_HANDLE;
    }
    /// The set layouts (none for an empty pipeline).
    [[nodiscard]] const DescriptorSetLayouts& setLayouts() const noexcept;
    [[nodiscard]] const PipelineInterface& interface() const noexcept { return interface_; }
    [[nodiscard]] bool valid() const noexcept { return pipeline_ != VK_NULL_HANDLE; }

protected:
    /// Takes `interface` and gets its layout from `options` (or makes one); errors name
    /// `name`.
    [[nodiscard]] Result<void> makeLayout(const Device& device, PipelineInterface interface,
                                          std::string_view name, const PipelineOptions& options);
    /// Where vkCreate*Pipelines writes the handle.
    VkPipeline* pipelineSlot() noexcept { return &pipeline_; }

private:
    VkDevice device_ = VK_NULL_HANDLE;
    PipelineInterface interface_;
    std::shared_ptr<const PipelineLayout> layout_;  ///< null when empty
    VkPipeline pipeline_ = VK_NULL_HANDLE;
};

/// A shader module that lives while a pipeline is made: destroyed when the pipeline is
/// made or its creation failed.
class ScopedShaderModule {
public:
    ScopedShaderModule() = default;
    ScopedShaderModule(const ScopedShaderModule&) = delete;
    ScopedShaderModule& operator=(const ScopedShaderModule&) = delete;
    ~ScopedShaderModule();
    /// The module of `spirv`; errors name `name`.
    [[nodiscard]] Result<void> create(VkDevice device, std::span<const std::uint32_t> spirv,
                                      std::string_view name);
    [[nodiscard]] VkShaderModule get() const noexcept { return module_; }

private:
    VkDevice device_ = VK_NULL_HANDLE;
    VkShaderModule module_ = VK_NULL_HANDLE;
};

/// Adds the time from its construction to its destruction to the device's pipeline
/// creation counter: put around a vkCreate*Pipelines call.
class PipelineCreationTimer {
public:
    explicit PipelineCreationTimer(const Device& device) noexcept;
    PipelineCreationTimer(const PipelineCreationTimer&) = delete;
    PipelineCreationTimer& operator=(const PipelineCreationTimer&) = delete;
    ~PipelineCreationTimer();

private:
    const Device& device_;
    std::chrono::steady_clock::time_point started_;
};

}  // namespace vixen::gpu
