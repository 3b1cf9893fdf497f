#include "vixen/gpu/descriptor_allocator.hpp"

#include <fmt/format.h>

#include <cassert>
#include <limits>
#include <string>
#include <utility>

#include "vixen/core/resource_takes.hpp"
#include "vixen/gpu/descriptor_set_layouts.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {
namespace {

/// a + b, held at the largest count rather than wrapping: a pool that large fails to be
/// made with a Vulkan error instead of being silently small.
std::uint32_t saturatingAdd(std::uint32_t a, std::uint64_t b) noexcept {
    const std::uint64_t sum = std::uint64_t{a} + b;
    return sum > std::numeric_limits<std::uint32_t>::max()
               ? std::numeric_limits<std::uint32_t>::max()
               : static_cast<std::uint32_t>(sum);
}

/// What allocating the sets [first, first + count) of `layouts` takes.
DescriptorPoolSizes needOf(const DescriptorSetLayouts& layouts, std::uint32_t first,
                           std::uint32_t count) noexcept {
    DescriptorPoolSizes need;
    for (std::uint32_t set = first; set < first + count; ++set) {
        for (const DescriptorBinding& binding : layouts.bindings(set)) {
            need.add(binding.type, binding.count);
        }
    }
    need.maxSets = count;
    return need;
}

}  // namespace

std::optional<std::size_t> DescriptorPoolSizes::indexOf(VkDescriptorType type) noexcept {
    for (std::size_t index = 0; index < kPoolDescriptorTypes.size(); ++index) {
        if (kPoolDescriptorTypes[index] == type) {
            return index;
        }
    }
    return std::nullopt;
}

DescriptorPoolSizes& DescriptorPoolSizes::add(VkDescriptorType type, std::uint32_t count) noexcept {
    const std::optional<std::size_t> index = indexOf(type);
    assert(index.has_value() && "a descriptor type pools do not count");
    if (index) {
        counts[*index] = saturatingAdd(counts[*index], count);
    }
    return *this;
}

DescriptorPoolSizes& DescriptorPoolSizes::add(const PipelineInterface& interface,
                                              std::uint32_t copies) noexcept {
    for (const DescriptorBinding& binding : interface.bindings) {
        add(binding.type, saturatingAdd(0, std::uint64_t{binding.count} * copies));
    }
    maxSets = saturatingAdd(maxSets, std::uint64_t{interface.setCount()} * copies);
    return *this;
}

DescriptorPoolSizes& DescriptorPoolSizes::operator+=(const DescriptorPoolSizes& other) noexcept {
    for (std::size_t index = 0; index < counts.size(); ++index) {
        counts[index] = saturatingAdd(counts[index], other.counts[index]);
    }
    maxSets = saturatingAdd(maxSets, other.maxSets);
    return *this;
}

std::uint32_t DescriptorPoolSizes::count(VkDescriptorType type) const noexcept {
    const std::optional<std::size_t> index = indexOf(type);
    return index ? counts[*index] : 0;
}

std::uint64_t DescriptorPoolSizes::total() const noexcept {
    std::uint64_t sum = 0;
    for (const std::uint32_t count : counts) {
        sum += count;
    }
    return sum;
}

Result<DescriptorAllocator> DescriptorAllocator::create(const Device& device,
                                                        const DescriptorPoolSizes& capacity,
                                                        std::string_view what) {
    if (capacity.maxSets == 0) {
        return fail(ErrorCode::InvalidArgument,
                    "descriptor pool for {} is sized for 0 sets; size it from the sets the "
                    "graph allocates",
                    what);
    }
    if (capacity.count(VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_KHR) > 0 &&
        !device.enabled().accelerationStructure) {
        return fail(ErrorCode::NotFound,
                    "descriptor pool for {} holds acceleration structures, but device '{}' has "
                    "none",
                    what, device.physical().name);
    }
    std::vector<VkDescriptorPoolSize> sizes;
    for (std::size_t index = 0; index < kPoolDescriptorTypes.size(); ++index) {
        if (capacity.counts[index] > 0) {
            sizes.push_back({kPoolDescriptorTypes[index], capacity.counts[index]});
        }
    }
    DescriptorAllocator result;
    result.device_ = device.handle();
    result.capacity_ = capacity;
    result.name_ = what;

    VkDescriptorPoolCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    info.maxSets = capacity.maxSets;
    info.poolSizeCount = static_cast<std::uint32_t>(sizes.size());
    info.pPoolSizes = sizes.data();
    VIXEN_TRY_VK_CREATE(vkCreateDescriptorPool(result.device_, &info, nullptr, &result.pool_),
                        what);
    return result;
}

DescriptorAllocator::DescriptorAllocator(DescriptorAllocator&& other) noexcept
    : device_(other.device_),
      pool_(std::exchange(other.pool_, VK_NULL_HANDLE)),
      capacity_(std::exchange(other.capacity_, {})),
      used_(std::exchange(other.used_, {})),
      name_(std::exchange(other.name_, {})) {}

DescriptorAllocator& DescriptorAllocator::operator=(DescriptorAllocator&& other) noexcept {
    if (this != &other) {
        destroy();
        device_ = other.device_;
        pool_ = std::exchange(other.pool_, VK_NULL_HANDLE);
        capacity_ = std::exchange(other.capacity_, {});
        used_ = std::exchange(other.used_, {});
        name_ = std::exchange(other.name_, {});
    }
    return *this;
}

DescriptorAllocator::~DescriptorAllocator() {
    destroy();
}

void DescriptorAllocator::destroy() noexcept {
    if (pool_ != VK_NULL_HANDLE) {
        vkDestroyDescriptorPool(device_, pool_, nullptr);
        pool_ = VK_NULL_HANDLE;
    }
    capacity_ = {};
    used_ = {};
}

Result<void> DescriptorAllocator::checkFits(const DescriptorPoolSizes& need,
                                            std::string_view what) const {
    if (pool_ == VK_NULL_HANDLE) {
        return fail(ErrorCode::InvalidState, "no descriptor pool to allocate {} from", what);
    }
    // Every shortfall at once, so one resize fixes them all.
    std::string shortfalls;
    const auto note = [&](std::string_view kind, std::uint32_t needed, std::uint32_t capacity,
                          std::uint32_t used) {
        if (needed > capacity - used) {
            shortfalls +=
                fmt::format("{}{}: {} needed, {} of {} left", shortfalls.empty() ? "" : "; ", kind,
                            needed, capacity - used, capacity);
        }
    };
    note("sets", need.maxSets, capacity_.maxSets, used_.maxSets);
    for (std::size_t index = 0; index < kPoolDescriptorTypes.size(); ++index) {
        note(toString(kPoolDescriptorTypes[index]), need.counts[index], capacity_.counts[index],
             used_.counts[index]);
    }
    if (!shortfalls.empty()) {
        return fail(ErrorCode::CapacityExceeded,
                    "descriptor pool '{}' is too small for {}: {}; size it at compile for every "
                    "set the graph allocates (the nodes' descriptor estimates)",
                    name_, what, shortfalls);
    }
    return {};
}

Result<DescriptorSet> DescriptorAllocator::allocate(const DescriptorSetLayouts& layouts,
                                                    std::uint32_t set, std::string_view what) {
    if (set >= layouts.setCount()) {
        return fail(ErrorCode::InvalidArgument, "{} asks for set {} of {}, which has {} sets", what,
                    set, layouts.name(), layouts.setCount());
    }
    const DescriptorPoolSizes need = needOf(layouts, set, 1);
    if (auto fits = checkFits(need, what); !fits) {
        return std::unexpected(std::move(fits.error()));
    }
    const VkDescriptorSetLayout layout = layouts.layout(set);
    VkDescriptorSetAllocateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
    info.descriptorPool = pool_;
    info.descriptorSetCount = 1;
    info.pSetLayouts = &layout;
    DescriptorSet result{VK_NULL_HANDLE, set, layouts.bindings(set), layouts.name()};
    VIXEN_TRY_VK_CREATE(vkAllocateDescriptorSets(device_, &info, &result.handle), what);
    used_ += need;
    core::ResourceTakes::note(core::ResourceTake::DescriptorSet, 1, what);
    return result;
}

Result<std::vector<DescriptorSet>> DescriptorAllocator::allocateAll(
    const DescriptorSetLayouts& layouts, std::string_view what) {
    const std::uint32_t count = layouts.setCount();
    if (count == 0) {
        return std::vector<DescriptorSet>{};
    }
    const DescriptorPoolSizes need = needOf(layouts, 0, count);
    if (auto fits = checkFits(need, what); !fits) {
        return std::unexpected(std::move(fits.error()));
    }
    VkDescriptorSetAllocateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
    info.descriptorPool = pool_;
    info.descriptorSetCount = count;
    info.pSetLayouts = layouts.handles().data();
    std::vector<VkDescriptorSet> handles(count, VK_NULL_HANDLE);
    VIXEN_TRY_VK_CREATE(vkAllocateDescriptorSets(device_, &info, handles.data()), what);
    used_ += need;
    core::ResourceTakes::note(core::ResourceTake::DescriptorSet, count, what);
    std::vector<DescriptorSet> result;
    result.reserve(count);
    for (std::uint32_t set = 0; set < count; ++set) {
        result.push_back({handles[set], set, layouts.bindings(set), layouts.name()});
    }
    return result;
}

Result<void> DescriptorAllocator::reset() {
    if (pool_ == VK_NULL_HANDLE) {
        return fail(ErrorCode::InvalidState, "no descriptor pool to reset");
    }
    VIXEN_TRY_VK(vkResetDescriptorPool(device_, pool_, 0), name_);
    used_ = {};
    return {};
}

}  // namespace vixen::gpu
