#include "vixen/gpu/memory_allocator.hpp"

#include <algorithm>
#include <bit>
#include <cassert>

#include "vixen/core/resource_takes.hpp"
#include "vixen/gpu/budget_manager.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {
namespace {

constexpr std::uint32_t kNoSlot = ~std::uint32_t{0};

void addInto(MemoryTypeStatistics& into, const MemoryTypeStatistics& from) {
    into.blocks += from.blocks;
    into.blockBytes += from.blockBytes;
    into.usedBytes += from.usedBytes;
    into.allocationCount += from.allocationCount;
    into.dedicatedCount += from.dedicatedCount;
    into.largestFree = std::max(into.largestFree, from.largestFree);
    if (from.largestAllocation.size > into.largestAllocation.size) {
        into.largestAllocation = from.largestAllocation;
    }
}

}  // namespace

DeviceMemoryAllocator::DeviceMemoryAllocator(const Device& device, BudgetManager& budget,
                                             const MemoryAllocatorOptions& options)
    : device_(&device), budget_(&budget), options_(options) {
    const PhysicalDeviceInfo& physical = device.physical();
    options_.maxAllocationsPerBlock =
        std::clamp(options_.maxAllocationsPerBlock, 1U, TlsfAllocator::kMaxAllocations);
    const VkDeviceSize granularity = physical.limits.bufferImageGranularity;
    granularity_ = granularity != 0 && std::has_single_bit(granularity) ? granularity : 1;
    if (device.enabled().bufferDeviceAddress) {
        allocateFlags_ = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT;
    }
    types_.resize(physical.memory.memoryTypeCount);
    for (std::uint32_t i = 0; i < physical.memory.memoryTypeCount; ++i) {
        TypeState& type = types_[i];
        type.heap = physical.memory.memoryTypes[i].heapIndex;
        const VkDeviceSize heapSize = physical.memory.memoryHeaps[type.heap].size;
        type.blockSize =
            std::max<VkDeviceSize>(std::min(options_.blockSize, heapSize / 8), VkDeviceSize{1});
        type.dedicatedThreshold = options_.dedicatedThreshold != 0
                                      ? options_.dedicatedThreshold
                                      : std::max<VkDeviceSize>(type.blockSize / 2, VkDeviceSize{1});
    }
}

DeviceMemoryAllocator::~DeviceMemoryAllocator() {
    for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
        if (slots_[slot]) {
            destroyMemory(slot);
        }
    }
}

std::optional<std::uint32_t> DeviceMemoryAllocator::findMemoryType(
    std::uint32_t typeBits, VkMemoryPropertyFlags required,
    VkMemoryPropertyFlags preferred) const noexcept {
    const VkPhysicalDeviceMemoryProperties& memory = device_->physical().memory;
    std::optional<std::uint32_t> best;
    int bestScore = -1;
    for (std::uint32_t i = 0; i < memory.memoryTypeCount; ++i) {
        const VkMemoryPropertyFlags flags = memory.memoryTypes[i].propertyFlags;
        if ((typeBits & (1U << i)) == 0 || (flags & required) != required) {
            continue;
        }
        const int score = std::popcount(flags & preferred);
        if (score > bestScore) {
            best = i;
            bestScore = score;
        }
    }
    return best;
}

VkDeviceSize DeviceMemoryAllocator::blockSize(std::uint32_t memoryType) const noexcept {
    return memoryType < types_.size() ? types_[memoryType].blockSize : 0;
}

VkDeviceSize DeviceMemoryAllocator::dedicatedThreshold(std::uint32_t memoryType) const noexcept {
    return memoryType < types_.size() ? types_[memoryType].dedicatedThreshold : 0;
}

Result<std::uint32_t> DeviceMemoryAllocator::createMemory(std::uint32_t memoryType,
                                                          VkDeviceSize size, bool pooled,
                                                          std::string_view what) {
    const std::uint32_t heap = types_[memoryType].heap;
    if (auto reserved = budget_->reserve(heap, size, what); !reserved) {
        return std::unexpected(std::move(reserved.error()));
    }
    std::optional<TlsfAllocator> tlsf;
    if (pooled) {
        auto created = TlsfAllocator::create(TlsfConfig{
            .size = size,
            .maxAllocations = options_.maxAllocationsPerBlock,
            .granularity = granularity_,
        });
        if (!created) {
            budget_->release(heap, size);
            return std::unexpected(std::move(created.error()));
        }
        tlsf.emplace(std::move(*created));
    }

    VkMemoryAllocateFlagsInfo flagsInfo{};
    flagsInfo.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO;
    flagsInfo.flags = allocateFlags_;
    VkMemoryAllocateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    info.pNext = allocateFlags_ != 0 ? &flagsInfo : nullptr;
    info.allocationSize = size;
    info.memoryTypeIndex = memoryType;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkResult result = CreationGate::pass();
    if (result == VK_SUCCESS) {
        result = vkAllocateMemory(device_->handle(), &info, nullptr, &memory);
    }
    if (result != VK_SUCCESS) {
        budget_->release(heap, size);
        return std::unexpected(vulkanError(result, "vkAllocateMemory", what));
    }
    void* mapped = nullptr;
    const VkMemoryPropertyFlags flags =
        device_->physical().memory.memoryTypes[memoryType].propertyFlags;
    if ((flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) != 0) {
        // Through the gate, so fault injection reaches this failure path too.
        result = CreationGate::pass();
        if (result == VK_SUCCESS) {
            result = vkMapMemory(device_->handle(), memory, 0, VK_WHOLE_SIZE, 0, &mapped);
        }
        if (result != VK_SUCCESS) {
            vkFreeMemory(device_->handle(), memory, nullptr);
            budget_->release(heap, size);
            return std::unexpected(vulkanError(result, "vkMapMemory", what));
        }
    }

    std::uint32_t slot = 0;
    if (!freeSlots_.empty()) {
        slot = freeSlots_.back();
        freeSlots_.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
    }
    slots_[slot].emplace(
        Block{memory, size, static_cast<std::byte*>(mapped), memoryType, std::move(tlsf)});
    if (pooled) {
        types_[memoryType].pooled.push_back(slot);
    }
    return slot;
}

void DeviceMemoryAllocator::releaseEmptyBlocks() noexcept {
    const std::scoped_lock lock(mutex_);
    for (const TypeState& state : types_) {
        // destroyMemory erases its slot from the list: walk it from the back.
        for (std::size_t i = state.pooled.size(); i-- > 0;) {
            if (slots_[state.pooled[i]]->tlsf->empty()) {
                destroyMemory(state.pooled[i]);
            }
        }
    }
}

void DeviceMemoryAllocator::destroyMemory(std::uint32_t slot) noexcept {
    Block& block = *slots_[slot];
    // vkFreeMemory unmaps a mapped object implicitly.
    vkFreeMemory(device_->handle(), block.memory, nullptr);
    budget_->release(types_[block.memoryType].heap, block.size);
    if (block.tlsf) {
        auto& pooled = types_[block.memoryType].pooled;
        pooled.erase(std::remove(pooled.begin(), pooled.end(), slot), pooled.end());
    }
    slots_[slot].reset();
    freeSlots_.push_back(slot);
}

void DeviceMemoryAllocator::noteAllocation(std::uint32_t memoryType, VkDeviceSize size,
                                           std::string_view what) noexcept {
    core::ResourceTakes::note(core::ResourceTake::DeviceMemory, size, what);
    LargestAllocation& largest = types_[memoryType].largest;
    if (size <= largest.size) {
        return;
    }
    largest.size = size;
    const std::size_t length = std::min(what.size(), LargestAllocation::kNameCapacity);
    std::copy_n(what.data(), length, largest.name.data());
    largest.name[length] = '\0';
}

Result<MemoryAllocation> DeviceMemoryAllocator::allocate(const VkMemoryRequirements& requirements,
                                                         VkMemoryPropertyFlags required,
                                                         VkMemoryPropertyFlags preferred,
                                                         AllocationKind kind,
                                                         std::string_view what) {
    if (requirements.size == 0) {
        return fail(ErrorCode::InvalidArgument, "{} asks for 0 bytes of device memory", what);
    }
    const VkDeviceSize alignment = std::max<VkDeviceSize>(requirements.alignment, 1);
    if (!std::has_single_bit(alignment)) {
        return fail(ErrorCode::InvalidArgument,
                    "{} asks for an alignment of {}, which is not a power of two", what, alignment);
    }
    const std::optional<std::uint32_t> type =
        findMemoryType(requirements.memoryTypeBits, required, preferred);
    if (!type) {
        return fail(ErrorCode::NotFound,
                    "{} needs a memory type of mask {:#x} with property flags {:#x}, and the "
                    "device has none",
                    what, requirements.memoryTypeBits, required);
    }

    const std::scoped_lock lock(mutex_);
    TypeState& state = types_[*type];
    const auto dedicated = [&]() -> Result<MemoryAllocation> {
        auto slot = createMemory(*type, requirements.size, false, what);
        if (!slot) {
            return std::unexpected(std::move(slot.error()));
        }
        const Block& block = *slots_[*slot];
        noteAllocation(*type, requirements.size, what);
        return MemoryAllocation{block.memory, 0,     requirements.size, block.mapped,
                                *type,        *slot, AllocationHandle{}};
    };
    const auto fromBlock = [&](std::uint32_t slot) -> std::optional<MemoryAllocation> {
        Block& block = *slots_[slot];
        const std::optional<Allocation> range =
            block.tlsf->allocate(requirements.size, alignment, kind);
        if (!range) {
            return std::nullopt;
        }
        noteAllocation(*type, requirements.size, what);
        return MemoryAllocation{
            block.memory, range->offset,
            range->size,  block.mapped != nullptr ? block.mapped + range->offset : nullptr,
            *type,        slot,
            range->handle};
    };

    if (requirements.size >= state.dedicatedThreshold || requirements.size > state.blockSize) {
        return dedicated();
    }
    for (const std::uint32_t slot : state.pooled) {
        if (auto allocation = fromBlock(slot)) {
            return *allocation;
        }
    }
    auto slot = createMemory(*type, state.blockSize, true, what);
    if (!slot) {
        if (slot.error().code == ErrorCode::OverBudget) {
            // A whole block does not fit: try a memory object of exactly this size.
            ++blockFallbacks_;
            return dedicated();
        }
        return std::unexpected(std::move(slot.error()));
    }
    if (auto allocation = fromBlock(*slot)) {
        return *allocation;
    }
    // Cannot happen for a fresh block of at least twice the size, but never leak one.
    destroyMemory(*slot);
    return fail(ErrorCode::CapacityExceeded, "{} does not fit a fresh {}-byte block", what,
                state.blockSize);
}

void DeviceMemoryAllocator::free(const MemoryAllocation& allocation) noexcept {
    if (!allocation.valid() || allocation.block == kNoSlot) {
        return;
    }
    const std::scoped_lock lock(mutex_);
    assert(allocation.block < slots_.size() && slots_[allocation.block]);
    Block& block = *slots_[allocation.block];
    assert(block.memory == allocation.memory);
    if (!block.tlsf) {
        destroyMemory(allocation.block);
        return;
    }
    block.tlsf->free(allocation.handle);
    if (!block.tlsf->empty()) {
        return;
    }
    // Keep one empty block per type for reuse; free any other.
    const TypeState& state = types_[block.memoryType];
    const auto emptyBlocks =
        std::count_if(state.pooled.begin(), state.pooled.end(),
                      [&](std::uint32_t slot) { return slots_[slot]->tlsf->empty(); });
    if (emptyBlocks > 1) {
        destroyMemory(allocation.block);
    }
}

MemoryStatistics DeviceMemoryAllocator::statistics() const {
    const std::scoped_lock lock(mutex_);
    MemoryStatistics result;
    result.blockFallbacks = blockFallbacks_;
    result.types.resize(types_.size());
    std::vector<VkDeviceSize> pooledFree(types_.size(), 0);
    for (const std::optional<Block>& slot : slots_) {
        if (!slot) {
            continue;
        }
        MemoryTypeStatistics& stats = result.types[slot->memoryType];
        stats.blockBytes += slot->size;
        if (slot->tlsf) {
            ++stats.blocks;
            stats.usedBytes += slot->tlsf->usedBytes();
            stats.allocationCount += slot->tlsf->allocationCount();
            stats.largestFree = std::max(stats.largestFree, slot->tlsf->largestFree());
            pooledFree[slot->memoryType] += slot->tlsf->freeBytes();
        } else {
            ++stats.dedicatedCount;
            ++stats.allocationCount;
            stats.usedBytes += slot->size;
        }
    }
    VkDeviceSize totalFree = 0;
    for (std::size_t i = 0; i < types_.size(); ++i) {
        MemoryTypeStatistics& stats = result.types[i];
        stats.largestAllocation = types_[i].largest;
        if (pooledFree[i] != 0) {
            stats.fragmentation =
                1.0 - static_cast<double>(stats.largestFree) / static_cast<double>(pooledFree[i]);
        }
        totalFree += pooledFree[i];
        addInto(result.total, stats);
    }
    if (totalFree != 0) {
        result.total.fragmentation =
            1.0 - static_cast<double>(result.total.largestFree) / static_cast<double>(totalFree);
    }
    return result;
}

}  // namespace vixen::gpu
