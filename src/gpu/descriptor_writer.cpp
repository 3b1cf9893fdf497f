#include "vixen/gpu/descriptor_writer.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "vixen/gpu/device.hpp"

namespace vixen::gpu {
namespace {

bool isBuffer(VkDescriptorType type) noexcept {
    return type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER || type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER ||
           type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC ||
           type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC;
}

bool isImage(VkDescriptorType type) noexcept {
    return type == VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE || type == VK_DESCRIPTOR_TYPE_STORAGE_IMAGE ||
           type == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER ||
           type == VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT;
}

bool isTexelBuffer(VkDescriptorType type) noexcept {
    return type == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER ||
           type == VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER;
}

}  // namespace

Result<VkDescriptorType> DescriptorWriter::check(const DescriptorSet& set, std::uint32_t binding,
                                                 std::uint32_t element, Kind kind) {
    if (set.handle == VK_NULL_HANDLE) {
        return fail(ErrorCode::InvalidArgument,
                    "writing binding {} of set {} of {}: the set is null", binding, set.set,
                    set.layoutName);
    }
    const auto found = std::ranges::find_if(
        set.bindings, [binding](const DescriptorBinding& b) { return b.binding == binding; });
    if (found == set.bindings.end()) {
        std::string known;
        for (const DescriptorBinding& b : set.bindings) {
            known += fmt::format("{}{} '{}'", known.empty() ? "" : ", ", b.binding, b.name);
        }
        return fail(ErrorCode::NotFound, "set {} of {} has no binding {} (it has: {})", set.set,
                    set.layoutName, binding, known.empty() ? "none" : known);
    }
    if (element >= found->count) {
        return fail(ErrorCode::InvalidArgument,
                    "element {} of '{}' (set {}, binding {} of {}) is past its {} elements",
                    element, found->name, set.set, binding, set.layoutName, found->count);
    }
    const bool matches = [&] {
        switch (kind) {
            case Kind::Buffer:
                return isBuffer(found->type);
            case Kind::Image:
                return isImage(found->type);
            case Kind::Sampler:
                return found->type == VK_DESCRIPTOR_TYPE_SAMPLER;
            case Kind::TexelBuffer:
                return isTexelBuffer(found->type);
            case Kind::AccelerationStructure:
                return found->type == VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_KHR;
        }
        return false;
    }();
    if (!matches) {
        constexpr std::array<std::string_view, 5> kKinds{"a buffer", "an image view", "a sampler",
                                                         "a texel buffer view",
                                                         "an acceleration structure"};
        return fail(ErrorCode::TypeMismatch,
                    "'{}' (set {}, binding {} of {}) is a {}, but {} was written to it",
                    found->name, set.set, binding, set.layoutName, toString(found->type),
                    kKinds[static_cast<std::size_t>(kind)]);
    }
    return found->type;
}

void DescriptorWriter::queue(const DescriptorSet& set, std::uint32_t binding, std::uint32_t element,
                             VkDescriptorType type, std::size_t info) {
    VkWriteDescriptorSet& write = writes_.emplace_back();
    write.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
    write.dstSet = set.handle;
    write.dstBinding = binding;
    write.dstArrayElement = element;
    write.descriptorCount = 1;
    write.descriptorType = type;
    infoIndex_.push_back(info);
}

Result<void> DescriptorWriter::buffer(const DescriptorSet& set, std::uint32_t binding,
                                      VkBuffer buffer, VkDeviceSize offset, VkDeviceSize range,
                                      std::uint32_t element) {
    auto type = check(set, binding, element, Kind::Buffer);
    if (!type) {
        return std::unexpected(std::move(type.error()));
    }
    if (buffer == VK_NULL_HANDLE) {
        return fail(ErrorCode::InvalidArgument, "null buffer written to set {}, binding {} of {}",
                    set.set, binding, set.layoutName);
    }
    buffers_.push_back({buffer, offset, range});
    queue(set, binding, element, *type, buffers_.size() - 1);
    return {};
}

Result<void> DescriptorWriter::image(const DescriptorSet& set, std::uint32_t binding,
                                     VkImageView view, VkImageLayout layout, VkSampler sampler,
                                     std::uint32_t element) {
    auto type = check(set, binding, element, Kind::Image);
    if (!type) {
        return std::unexpected(std::move(type.error()));
    }
    if (view == VK_NULL_HANDLE) {
        return fail(ErrorCode::InvalidArgument,
                    "null image view written to set {}, binding {} of {}", set.set, binding,
                    set.layoutName);
    }
    if (*type == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER && sampler == VK_NULL_HANDLE) {
        return fail(ErrorCode::InvalidArgument,
                    "set {}, binding {} of {} is a combined image sampler: give a sampler "
                    "with the image view",
                    set.set, binding, set.layoutName);
    }
    images_.push_back({sampler, view, layout});
    queue(set, binding, element, *type, images_.size() - 1);
    return {};
}

Result<void> DescriptorWriter::sampler(const DescriptorSet& set, std::uint32_t binding,
                                       VkSampler sampler, std::uint32_t element) {
    auto type = check(set, binding, element, Kind::Sampler);
    if (!type) {
        return std::unexpected(std::move(type.error()));
    }
    if (sampler == VK_NULL_HANDLE) {
        return fail(ErrorCode::InvalidArgument, "null sampler written to set {}, binding {} of {}",
                    set.set, binding, set.layoutName);
    }
    images_.push_back({sampler, VK_NULL_HANDLE, VK_IMAGE_LAYOUT_UNDEFINED});
    queue(set, binding, element, *type, images_.size() - 1);
    return {};
}

Result<void> DescriptorWriter::texelBuffer(const DescriptorSet& set, std::uint32_t binding,
                                           VkBufferView view, std::uint32_t element) {
    auto type = check(set, binding, element, Kind::TexelBuffer);
    if (!type) {
        return std::unexpected(std::move(type.error()));
    }
    if (view == VK_NULL_HANDLE) {
        return fail(ErrorCode::InvalidArgument,
                    "null buffer view written to set {}, binding {} of {}", set.set, binding,
                    set.layoutName);
    }
    texelBuffers_.push_back(view);
    queue(set, binding, element, *type, texelBuffers_.size() - 1);
    return {};
}

Result<void> DescriptorWriter::accelerationStructure(const DescriptorSet& set,
                                                     std::uint32_t binding,
                                                     VkAccelerationStructureKHR structure,
                                                     std::uint32_t element) {
    auto type = check(set, binding, element, Kind::AccelerationStructure);
    if (!type) {
        return std::unexpected(std::move(type.error()));
    }
    if (structure == VK_NULL_HANDLE) {
        return fail(ErrorCode::InvalidArgument,
                    "null acceleration structure written to set {}, binding {} of {}", set.set,
                    binding, set.layoutName);
    }
    accelerationStructures_.push_back(structure);
    queue(set, binding, element, *type, accelerationStructures_.size() - 1);
    return {};
}

void DescriptorWriter::update(const Device& device) {
    // The info vectors may have moved while writes were queued, so pointers are set here.
    accelerationWrites_.assign(accelerationStructures_.size(), {});
    for (std::size_t index = 0; index < writes_.size(); ++index) {
        VkWriteDescriptorSet& write = writes_[index];
        const std::size_t info = infoIndex_[index];
        if (write.descriptorType == VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_KHR) {
            VkWriteDescriptorSetAccelerationStructureKHR& structures = accelerationWrites_[info];
            structures.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET_ACCELERATION_STRUCTURE_KHR;
            structures.accelerationStructureCount = 1;
            structures.pAccelerationStructures = &accelerationStructures_[info];
            write.pNext = &structures;
        } else if (isBuffer(write.descriptorType)) {
            write.pBufferInfo = &buffers_[info];
        } else if (isTexelBuffer(write.descriptorType)) {
            write.pTexelBufferView = &texelBuffers_[info];
        } else {
            write.pImageInfo = &images_[info];
        }
    }
    if (!writes_.empty()) {
        vkUpdateDescriptorSets(device.handle(), static_cast<std::uint32_t>(writes_.size()),
                               writes_.data(), 0, nullptr);
    }
    clear();
}

void DescriptorWriter::clear() noexcept {
    writes_.clear();
    infoIndex_.clear();
    buffers_.clear();
    images_.clear();
    texelBuffers_.clear();
    accelerationStructures_.clear();
    accelerationWrites_.clear();
}

}  // namespace vixen::gpu
