#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/gpu/shader_reflection.hpp"

namespace vixen::gpu {

class Device;
class DescriptorSetLayouts;

/// The descriptor types a pool can hold, in the order DescriptorPoolSizes counts them.
inline constexpr std::array<VkDescriptorType, 12> kPoolDescriptorTypes{
    VK_DESCRIPTOR_TYPE_SAMPLER,
    VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER,
    VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE,
    VK_DESCRIPTOR_TYPE_STORAGE_IMAGE,
    VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER,
    VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER,
    VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER,
    VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
    VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC,
    VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC,
    VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT,
    VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_KHR,
};

/// How many descriptors of each type and how many sets a pool holds (or a graph needs):
/// the sum of the nodes' estimates, or of the interfaces whose sets it will allocate.
struct DescriptorPoolSizes {
    std::array<std::uint32_t, kPoolDescriptorTypes.size()> counts{};
    std::uint32_t maxSets = 0;

    /// Index of `type` in kPoolDescriptorTypes; none for a type a pool does not count.
    [[nodiscard]] static std::optional<std::size_t> indexOf(VkDescriptorType type) noexcept;

    /// Adds `count` descriptors of `type` (one of kPoolDescriptorTypes).
    DescriptorPoolSizes& add(VkDescriptorType type, std::uint32_t count) noexcept;
    /// Adds `copies` sets of every set index of `interface` and their descriptors: what
    /// allocating all its sets `copies` times takes.
    DescriptorPoolSizes& add(const PipelineInterface& interface, std::uint32_t copies = 1) noexcept;
    DescriptorPoolSizes& operator+=(const DescriptorPoolSizes& other) noexcept;

    [[nodiscard]] std::uint32_t count(VkDescriptorType type) const noexcept;
    /// Descriptors of every type.
    [[nodiscard]] std::uint64_t total() const noexcept;

    friend bool operator==(const DescriptorPoolSizes&, const DescriptorPoolSizes&) = default;
};

/// A descriptor set from a DescriptorAllocator: its handle, its set index and the bindings
/// of its layout (owned by the DescriptorSetLayouts it was allocated with, which must
/// outlive this view).
struct DescriptorSet {
    VkDescriptorSet handle = VK_NULL_HANDLE;
    std::uint32_t set = 0;
    std::span<const DescriptorBinding> bindings;
    std::string_view layoutName;  ///< the DescriptorSetLayouts' name, for messages
};

/// One VkDescriptorPool sized once, at compile, from summed counts, and the sets taken
/// from it. Every allocation is checked against what is left before Vulkan is called: one
/// that does not fit is CapacityExceeded and allocates nothing; the pool never grows and no
/// second pool is made. Sets are not freed one by one; reset() returns them all (for a
/// recompile). Not thread-safe: one compile owns it. The device must outlive it.
class DescriptorAllocator {
public:
    DescriptorAllocator() = default;
    /// Errors name `what`: InvalidArgument for maxSets 0, the Vulkan error of
    /// vkCreateDescriptorPool.
    static Result<DescriptorAllocator> create(const Device& device,
                                              const DescriptorPoolSizes& capacity,
                                              std::string_view what);

    DescriptorAllocator(DescriptorAllocator&& other) noexcept;
    DescriptorAllocator& operator=(DescriptorAllocator&& other) noexcept;
    DescriptorAllocator(const DescriptorAllocator&) = delete;
    DescriptorAllocator& operator=(const DescriptorAllocator&) = delete;
    ~DescriptorAllocator();

    /// A set of layout `set` of `layouts`, for `what`. CapacityExceeded (naming the pool,
    /// `what`, the descriptor type, what is needed and what is left) when it does not fit;
    /// InvalidArgument for a set index past the layouts; else the Vulkan error.
    [[nodiscard]] Result<DescriptorSet> allocate(const DescriptorSetLayouts& layouts,
                                                 std::uint32_t set, std::string_view what);
    /// One set of every set index of `layouts`, by index, with one vkAllocateDescriptorSets:
    /// all of them or, on any error, none.
    [[nodiscard]] Result<std::vector<DescriptorSet>> allocateAll(
        const DescriptorSetLayouts& layouts, std::string_view what);

    /// Returns every set to the pool; the sets allocated so far become invalid.
    [[nodiscard]] Result<void> reset();
    /// Destroys the pool, and with it its sets, now; the allocator becomes empty.
    void destroy() noexcept;

    [[nodiscard]] VkDescriptorPool handle() const noexcept { return pool_; }
    [[nodiscard]] const DescriptorPoolSizes& capacity() const noexcept { return capacity_; }
    /// What the sets allocated since creation or the last reset() took.
    [[nodiscard]] const DescriptorPoolSizes& used() const noexcept { return used_; }

private:
    /// CapacityExceeded when `need` does not fit in what is left.
    [[nodiscard]] Result<void> checkFits(const DescriptorPoolSizes& need,
                                         std::string_view what) const;

    VkDevice device_ = VK_NULL_HANDLE;
    VkDescriptorPool pool_ = VK_NULL_HANDLE;
    DescriptorPoolSizes capacity_;
    DescriptorPoolSizes used_;
    std::string name_;
};

}  // namespace vixen::gpu
