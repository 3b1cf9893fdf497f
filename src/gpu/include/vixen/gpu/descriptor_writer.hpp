#pragma once

#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/gpu/descriptor_allocator.hpp"

namespace vixen::gpu {

class Device;

/// Writes into descriptor sets, checked against the reflected bindings of each set: each
/// call queues one descriptor, update() writes all queued ones with one
/// vkUpdateDescriptorSets. A wrong binding number, an element past the array, a resource of
/// the wrong kind (a buffer for an image binding) or a null handle is an error naming the
/// set, the binding and its name, and queues nothing. Use it at compile; it allocates.
class DescriptorWriter {
public:
    /// A uniform or storage buffer (dynamic ones included) at `binding` of `set`.
    [[nodiscard]] Result<void> buffer(const DescriptorSet& set, std::uint32_t binding,
                                      VkBuffer buffer, VkDeviceSize offset = 0,
                                      VkDeviceSize range = VK_WHOLE_SIZE,
                                      std::uint32_t element = 0);
    /// A sampled image, storage image, input attachment, or (with `sampler`) combined image
    /// sampler, in `layout`.
    [[nodiscard]] Result<void> image(const DescriptorSet& set, std::uint32_t binding,
                                     VkImageView view, VkImageLayout layout,
                                     VkSampler sampler = VK_NULL_HANDLE, std::uint32_t element = 0);
    /// A separate sampler.
    [[nodiscard]] Result<void> sampler(const DescriptorSet& set, std::uint32_t binding,
                                       VkSampler sampler, std::uint32_t element = 0);
    /// A uniform or storage texel buffer.
    [[nodiscard]] Result<void> texelBuffer(const DescriptorSet& set, std::uint32_t binding,
                                           VkBufferView view, std::uint32_t element = 0);
    /// An acceleration structure (a top level one, as shaders trace).
    [[nodiscard]] Result<void> accelerationStructure(const DescriptorSet& set,
                                                     std::uint32_t binding,
                                                     VkAccelerationStructureKHR structure,
                                                     std::uint32_t element = 0);

    /// Writes every queued descriptor and empties the queue.
    void update(const Device& device);
    /// Forgets the queued descriptors without writing them.
    void clear() noexcept;
    [[nodiscard]] std::size_t pending() const noexcept { return writes_.size(); }

private:
    enum class Kind : std::uint8_t { Buffer, Image, Sampler, TexelBuffer, AccelerationStructure };

    /// The binding's type, checked for `kind` and `element`.
    [[nodiscard]] static Result<VkDescriptorType> check(const DescriptorSet& set,
                                                        std::uint32_t binding,
                                                        std::uint32_t element, Kind kind);
    void queue(const DescriptorSet& set, std::uint32_t binding, std::uint32_t element,
               VkDescriptorType type, std::size_t info);

    std::vector<VkWriteDescriptorSet> writes_;  ///< info pointers set by update()
    std::vector<std::size_t> infoIndex_;        ///< per write, into the vector of its kind
    std::vector<VkDescriptorBufferInfo> buffers_;
    std::vector<VkDescriptorImageInfo> images_;
    std::vector<VkBufferView> texelBuffers_;
    std::vector<VkAccelerationStructureKHR> accelerationStructures_;
    std::vector<VkWriteDescriptorSetAccelerationStructureKHR> accelerationWrites_;
};

}  // namespace vixen::gpu
