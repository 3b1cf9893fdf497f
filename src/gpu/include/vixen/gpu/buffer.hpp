#pragma once

#include <vulkan/vulkan.h>

#include <cstddef>
#include <span>
#include <string_view>

#include "vixen/core/error.hpp"
#include "vixen/gpu/memory_allocator.hpp"

namespace vixen::gpu {

class Device;

/// Where a buffer's memory lives, which decides the memory type it gets.
enum class MemoryUsage : std::uint8_t {
    DeviceLocal,  ///< GPU only; fastest for the GPU
    Upload,       ///< host-visible and coherent, written by the CPU (staging, uniforms)
    /// Host-visible, coherent and cached where the device has such memory: CPU writes from
    /// several threads scale better than in write-combined memory.
    UploadCached,
    /// Host-visible memory that is also device-local where the device has it (a resizable
    /// BAR): CPU writes go straight to the GPU's memory, sparing host memory bandwidth.
    UploadDeviceLocal,
    Readback,  ///< host-visible, cached where possible, read by the CPU
};

struct BufferDesc {
    VkDeviceSize size = 0;
    /// With VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT the buffer has a device address
    /// (shaders reach it through a 64-bit pointer); the device must support it.
    VkBufferUsageFlags usage = 0;
    MemoryUsage memory = MemoryUsage::DeviceLocal;

    friend bool operator==(const BufferDesc&, const BufferDesc&) = default;
};

/// A VkBuffer bound to memory from a DeviceMemoryAllocator, owned. Host-visible buffers
/// stay mapped. The device and the allocator must outlive it; destroying it while the GPU
/// still uses it is the caller's error (hand it to a DeferredDestroyer-driven owner, or
/// wait first).
class Buffer {
public:
    Buffer() = default;
    /// Errors name `what`: InvalidArgument for a zero size, Unsupported for a device address
    /// on a device without bufferDeviceAddress, the allocator's errors, the Vulkan error of
    /// vkCreateBuffer or vkBindBufferMemory; nothing is left behind.
    static Result<Buffer> create(const Device& device, DeviceMemoryAllocator& allocator,
                                 const BufferDesc& desc, std::string_view what);
    /// A view of a buffer someone else owns (imported into a graph): never destroyed here,
    /// and not mapped through it. The owner keeps it alive while this is used.
    [[nodiscard]] static Buffer borrow(VkBuffer buffer, const BufferDesc& desc,
                                       VkDeviceAddress address = 0) noexcept;

    Buffer(Buffer&& other) noexcept;
    Buffer& operator=(Buffer&& other) noexcept;
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer();

    /// Destroys the buffer and frees its memory now; the buffer becomes empty.
    void reset() noexcept;

    [[nodiscard]] VkBuffer handle() const noexcept { return buffer_; }
    [[nodiscard]] VkDeviceSize size() const noexcept { return desc_.size; }
    [[nodiscard]] const BufferDesc& desc() const noexcept { return desc_; }
    /// The buffer's device address; 0 unless created with SHADER_DEVICE_ADDRESS usage.
    [[nodiscard]] VkDeviceAddress deviceAddress() const noexcept { return address_; }
    /// False for a borrowed buffer, which reset() forgets without destroying.
    [[nodiscard]] bool owned() const noexcept { return owned_; }
    [[nodiscard]] bool valid() const noexcept { return buffer_ != VK_NULL_HANDLE; }
    /// The mapped bytes of a host-visible buffer; empty otherwise.
    [[nodiscard]] std::span<std::byte> mapped() const noexcept;
    [[nodiscard]] const MemoryAllocation& allocation() const noexcept { return allocation_; }

private:
    VkDevice device_ = VK_NULL_HANDLE;
    DeviceMemoryAllocator* allocator_ = nullptr;
    VkBuffer buffer_ = VK_NULL_HANDLE;
    BufferDesc desc_{};
    VkDeviceAddress address_ = 0;
    MemoryAllocation allocation_{};
    bool owned_ = true;
};

/// The memory property flags a usage requires, and those it prefers.
struct MemoryFlags {
    VkMemoryPropertyFlags required = 0;
    VkMemoryPropertyFlags preferred = 0;
};
[[nodiscard]] MemoryFlags memoryFlags(MemoryUsage usage) noexcept;

}  // namespace vixen::gpu
