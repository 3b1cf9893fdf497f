#include "vixen/gpu/descriptor_set_layouts.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {

Result<DescriptorSetLayouts> DescriptorSetLayouts::create(const Device& device,
                                                          const PipelineInterface& interface,
                                                          std::string_view what) {
    const std::uint32_t setCount = interface.setCount();
    const std::uint32_t maxSets = device.physical().limits.maxBoundDescriptorSets;
    if (setCount > maxSets) {
        return fail(ErrorCode::CapacityExceeded,
                    "{} uses descriptor set {}, but device '{}' binds at most {} sets; move its "
                    "bindings to lower set indices",
                    what, setCount - 1, device.physical().name, maxSets);
    }
    for (const DescriptorBinding& binding : interface.bindings) {
        if (binding.type == VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_KHR &&
            !device.enabled().accelerationStructure) {
            return fail(ErrorCode::NotFound,
                        "{} binds acceleration structure '{}' (set {}, binding {}), but device "
                        "'{}' has no acceleration structures",
                        what, binding.name, binding.set, binding.binding, device.physical().name);
        }
    }

    DescriptorSetLayouts result;
    result.device_ = device.handle();
    result.bindings_ = interface.bindings;
    result.name_ = std::make_unique<const std::string>(what);
    result.layouts_.reserve(setCount);
    std::vector<VkDescriptorSetLayoutBinding> vkBindings;
    for (std::uint32_t set = 0; set < setCount; ++set) {
        vkBindings.clear();
        for (const DescriptorBinding& binding : interface.setBindings(set)) {
            VkDescriptorSetLayoutBinding& vkBinding = vkBindings.emplace_back();
            vkBinding.binding = binding.binding;
            vkBinding.descriptorType = binding.type;
            vkBinding.descriptorCount = binding.count;
            vkBinding.stageFlags = binding.stages;
        }
        VkDescriptorSetLayoutCreateInfo info{};
        info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
        info.bindingCount = static_cast<std::uint32_t>(vkBindings.size());
        info.pBindings = vkBindings.data();
        VkDescriptorSetLayout layout = VK_NULL_HANDLE;
        VIXEN_TRY_VK_CREATE(vkCreateDescriptorSetLayout(result.device_, &info, nullptr, &layout),
                            what);  // ~DescriptorSetLayouts destroys the sets made before
        result.layouts_.push_back(layout);
    }
    return result;
}

DescriptorSetLayouts::DescriptorSetLayouts(DescriptorSetLayouts&& other) noexcept
    : device_(other.device_),
      layouts_(std::exchange(other.layouts_, {})),
      bindings_(std::exchange(other.bindings_, {})),
      name_(std::exchange(other.name_, {})) {}

DescriptorSetLayouts& DescriptorSetLayouts::operator=(DescriptorSetLayouts&& other) noexcept {
    if (this != &other) {
        reset();
        device_ = other.device_;
        layouts_ = std::exchange(other.layouts_, {});
        bindings_ = std::exchange(other.bindings_, {});
        name_ = std::exchange(other.name_, {});
    }
    return *this;
}

DescriptorSetLayouts::~DescriptorSetLayouts() {
    reset();
}

void DescriptorSetLayouts::reset() noexcept {
    for (const VkDescriptorSetLayout layout : layouts_) {
        vkDestroyDescriptorSetLayout(device_, layout, nullptr);
    }
    layouts_.clear();
    bindings_.clear();
}

VkDescriptorSetLayout DescriptorSetLayouts::layout(std::uint32_t set) const noexcept {
    assert(set < layouts_.size());
    return layouts_[set];
}

std::span<const DescriptorBinding> DescriptorSetLayouts::bindings(
    std::uint32_t set) const noexcept {
    const auto first = std::ranges::find_if(
        bindings_, [set](const DescriptorBinding& binding) { return binding.set >= set; });
    const auto last = std::find_if(first, bindings_.end(), [set](const DescriptorBinding& binding) {
        return binding.set > set;
    });
    return {first, last};
}

}  // namespace vixen::gpu
