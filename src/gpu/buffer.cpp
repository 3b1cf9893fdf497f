#include "vixen/gpu/buffer.hpp"

#include <utility>

#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {

MemoryFlags memoryFlags(MemoryUsage usage) noexcept {
    switch (usage) {
        case MemoryUsage::Upload:
            return {VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, 0};
        case MemoryUsage::UploadDeviceLocal:
            return {VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                    VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT};
        case MemoryUsage::UploadCached:
        case MemoryUsage::Readback:
            return {VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                    VK_MEMORY_PROPERTY_HOST_CACHED_BIT};
        case MemoryUsage::DeviceLocal:
            break;
    }
    return {0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT};
}

Result<Buffer> Buffer::create(const Device& device, DeviceMemoryAllocator& allocator,
                              const BufferDesc& desc, std::string_view what) {
    if (desc.size == 0) {
        return fail(ErrorCode::InvalidArgument, "buffer for {} has size 0", what);
    }
    const bool addressed = (desc.usage & VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT) != 0;
    if (addressed && !device.enabled().bufferDeviceAddress) {
        return fail(ErrorCode::Unsupported,
                    "buffer for {} asks for a device address, which {} does not support (check "
                    "Device::enabled().bufferDeviceAddress and bind it as a descriptor instead)",
                    what, device.physical().name);
    }
    Buffer buffer;
    buffer.device_ = device.handle();
    buffer.allocator_ = &allocator;
    buffer.desc_ = desc;

    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.size = desc.size;
    info.usage = desc.usage;
    // With a compute queue of another family, every queue may use it with semaphores alone
    // (no ownership transfers; see Device).
    const std::span<const std::uint32_t> families = device.queueFamilies();
    info.sharingMode = families.size() > 1 ? VK_SHARING_MODE_CONCURRENT : VK_SHARING_MODE_EXCLUSIVE;
    info.queueFamilyIndexCount =
        families.size() > 1 ? static_cast<std::uint32_t>(families.size()) : 0;
    info.pQueueFamilyIndices = families.size() > 1 ? families.data() : nullptr;
    VIXEN_TRY_VK_CREATE(vkCreateBuffer(buffer.device_, &info, nullptr, &buffer.buffer_), what);

    VkMemoryRequirements requirements{};
    vkGetBufferMemoryRequirements(buffer.device_, buffer.buffer_, &requirements);
    const MemoryFlags flags = memoryFlags(desc.memory);
    auto memory = allocator.allocate(requirements, flags.required, flags.preferred,
                                     AllocationKind::Linear, what);
    if (!memory) {
        return std::unexpected(std::move(memory.error()));  // ~Buffer destroys the VkBuffer
    }
    buffer.allocation_ = *memory;
    VIXEN_TRY_VK(vkBindBufferMemory(buffer.device_, buffer.buffer_, memory->memory, memory->offset),
                 what);
    if (addressed) {
        VkBufferDeviceAddressInfo addressInfo{};
        addressInfo.sType = VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO;
        addressInfo.buffer = buffer.buffer_;
        buffer.address_ = vkGetBufferDeviceAddress(buffer.device_, &addressInfo);
    }
    return buffer;
}

Buffer Buffer::borrow(VkBuffer buffer, const BufferDesc& desc, VkDeviceAddress address) noexcept {
    Buffer borrowed;
    borrowed.buffer_ = buffer;
    borrowed.desc_ = desc;
    borrowed.address_ = address;
    borrowed.owned_ = false;
    return borrowed;
}

Buffer::Buffer(Buffer&& other) noexcept
    : device_(other.device_),
      allocator_(other.allocator_),
      buffer_(std::exchange(other.buffer_, VK_NULL_HANDLE)),
      desc_(std::exchange(other.desc_, BufferDesc{})),
      address_(std::exchange(other.address_, 0)),
      allocation_(std::exchange(other.allocation_, MemoryAllocation{})),
      owned_(std::exchange(other.owned_, true)) {}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
    if (this != &other) {
        reset();
        device_ = other.device_;
        allocator_ = other.allocator_;
        buffer_ = std::exchange(other.buffer_, VK_NULL_HANDLE);
        desc_ = std::exchange(other.desc_, BufferDesc{});
        address_ = std::exchange(other.address_, 0);
        allocation_ = std::exchange(other.allocation_, MemoryAllocation{});
        owned_ = std::exchange(other.owned_, true);
    }
    return *this;
}

Buffer::~Buffer() {
    reset();
}

void Buffer::reset() noexcept {
    if (buffer_ != VK_NULL_HANDLE && owned_) {
        vkDestroyBuffer(device_, buffer_, nullptr);
    }
    buffer_ = VK_NULL_HANDLE;
    owned_ = true;
    if (allocation_.valid()) {
        allocator_->free(allocation_);
        allocation_ = MemoryAllocation{};
    }
    desc_ = BufferDesc{};
    address_ = 0;
}

std::span<std::byte> Buffer::mapped() const noexcept {
    if (allocation_.mapped == nullptr) {
        return {};
    }
    return {static_cast<std::byte*>(allocation_.mapped), static_cast<std::size_t>(desc_.size)};
}

}  // namespace vixen::gpu
