#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/gpu/shader_reflection.hpp"

namespace vixen::gpu {

class Device;

/// The VkDescriptorSetLayouts of one pipeline, made from its reflected interface: one per
/// set index from 0 to the highest set used (an index no binding uses gets an empty
/// layout, as pipeline layouts need every index below the highest), owned, with the
/// bindings each was made from. The device must outlive it.
class DescriptorSetLayouts {
public:
    DescriptorSetLayouts() = default;
    /// Errors name `what`: CapacityExceeded for more sets than the device binds at once,
    /// NotFound for acceleration structures on a device without them, the Vulkan error of
    /// vkCreateDescriptorSetLayout; nothing is left behind.
    static Result<DescriptorSetLayouts> create(const Device& device,
                                               const PipelineInterface& interface,
                                               std::string_view what);

    DescriptorSetLayouts(DescriptorSetLayouts&& other) noexcept;
    DescriptorSetLayouts& operator=(DescriptorSetLayouts&& other) noexcept;
    DescriptorSetLayouts(const DescriptorSetLayouts&) = delete;
    DescriptorSetLayouts& operator=(const DescriptorSetLayouts&) = delete;
    ~DescriptorSetLayouts();

    /// Destroys every layout now; sets allocated with them stay valid (Vulkan allows it).
    void reset() noexcept;

    [[nodiscard]] std::uint32_t setCount() const noexcept {
        return static_cast<std::uint32_t>(layouts_.size());
    }
    /// Layouts by set index, for VkPipelineLayoutCreateInfo.
    [[nodiscard]] std::span<const VkDescriptorSetLayout> handles() const noexcept {
        return layouts_;
    }
    /// The layout of set index `set` (< setCount()).
    [[nodiscard]] VkDescriptorSetLayout layout(std::uint32_t set) const noexcept;
    /// The bindings of set index `set`, sorted by binding; empty past setCount().
    [[nodiscard]] std::span<const DescriptorBinding> bindings(std::uint32_t set) const noexcept;
    /// What the layouts were made for (the `what` given to create), for messages; stays
    /// where it is when the layouts move, like the bindings.
    [[nodiscard]] std::string_view name() const noexcept {
        return name_ ? std::string_view(*name_) : std::string_view();
    }

private:
    VkDevice device_ = VK_NULL_HANDLE;
    std::vector<VkDescriptorSetLayout> layouts_;
    std::vector<DescriptorBinding> bindings_;  ///< sorted by set, then binding
    std::unique_ptr<const std::string> name_;  ///< on the heap: DescriptorSets view it
};

}  // namespace vixen::gpu
