#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/gpu/tlsf_allocator.hpp"

namespace vixen::gpu {

class Device;
class BudgetManager;

struct MemoryAllocatorOptions {
    /// Bytes of one pooled block per memory type; clamped to 1/8 of the type's heap.
    VkDeviceSize blockSize = VkDeviceSize{64} << 20;
    /// Requests of at least this many bytes get their own VkDeviceMemory; 0 = half a block.
    VkDeviceSize dedicatedThreshold = 0;
    /// Live sub-allocations per pooled block at most (sizes each block's TLSF node pool).
    std::uint32_t maxAllocationsPerBlock = 4096;
};

/// One range of device memory. `mapped` points at `offset` inside a persistently mapped
/// host-visible memory object, or is null. The remaining fields belong to the allocator.
struct MemoryAllocation {
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkDeviceSize offset = 0;
    VkDeviceSize size = 0;
    void* mapped = nullptr;
    std::uint32_t memoryType = 0;

    std::uint32_t block = ~std::uint32_t{0};  ///< the allocator's slot of the memory object
    AllocationHandle handle{};                ///< within a pooled block; invalid when dedicated

    [[nodiscard]] bool valid() const noexcept { return memory != VK_NULL_HANDLE; }
};

/// The largest allocation made so far: its size and the first bytes of its `what`.
struct LargestAllocation {
    static constexpr std::size_t kNameCapacity = 47;

    VkDeviceSize size = 0;
    std::array<char, kNameCapacity + 1> name{};

    [[nodiscard]] std::string_view what() const noexcept { return std::string_view(name.data()); }
};

/// A snapshot of one memory type, or of all of them. `blockBytes` is every live
/// VkDeviceMemory (pooled blocks and dedicated ones) and is what the budget holds;
/// `usedBytes` the sum of live allocation sizes (dedicated ones included);
/// `largestFree` the largest free range in a pooled block; `fragmentation` is
/// `1 - largestFree / (free bytes in pooled blocks)`, 0 when nothing is free.
struct MemoryTypeStatistics {
    std::uint32_t blocks = 0;  ///< pooled blocks, empty spares included
    VkDeviceSize blockBytes = 0;
    VkDeviceSize usedBytes = 0;
    std::uint32_t allocationCount = 0;  ///< dedicated ones included
    std::uint32_t dedicatedCount = 0;
    VkDeviceSize largestFree = 0;
    double fragmentation = 0.0;
    LargestAllocation largestAllocation;

    /// Live VkDeviceMemory objects: pooled blocks plus dedicated allocations.
    [[nodiscard]] std::uint32_t deviceMemoryCount() const noexcept {
        return blocks + dedicatedCount;
    }
};

struct MemoryStatistics {
    std::vector<MemoryTypeStatistics> types;  ///< by memory type index
    MemoryTypeStatistics total;
    /// Allocations so far that got memory of their own because a new block did not fit
    /// (the budget, or a failed block allocation): a sign of memory pressure.
    std::uint64_t blockFallbacks = 0;
};

/// Device memory in blocks per memory type, sub-allocated with TlsfAllocator (granularity =
/// bufferImageGranularity). Every VkDeviceMemory is reserved in the BudgetManager before
/// Vulkan is called and released when freed; host-visible memory is mapped once, when
/// allocated, and stays mapped. Requests of at least the dedicated threshold (or larger than
/// a block) get their own VkDeviceMemory; if a new block would pass the budget, the request
/// falls back to a memory object of exactly its size. At most one empty block per memory
/// type is kept for reuse. Thread-safe (one mutex). The Device and BudgetManager outlive it.
class DeviceMemoryAllocator {
public:
    DeviceMemoryAllocator(const Device& device, BudgetManager& budget,
                          const MemoryAllocatorOptions& options = {});
    DeviceMemoryAllocator(const DeviceMemoryAllocator&) = delete;
    DeviceMemoryAllocator& operator=(const DeviceMemoryAllocator&) = delete;
    /// Frees every memory object, returning its bytes to the budget.
    ~DeviceMemoryAllocator();

    /// Memory for `requirements` in a type with all `required` flags, the one with most
    /// `preferred` flags first. Errors: InvalidArgument (size 0), NotFound (no such type),
    /// the budget's OverBudget (nothing allocated), the Vulkan error (nothing leaked).
    [[nodiscard]] Result<MemoryAllocation> allocate(const VkMemoryRequirements& requirements,
                                                    VkMemoryPropertyFlags required,
                                                    VkMemoryPropertyFlags preferred,
                                                    AllocationKind kind, std::string_view what);
    /// Returns a live allocation of this allocator; an invalid one is ignored.
    void free(const MemoryAllocation& allocation) noexcept;
    /// Gives back the empty pooled blocks `free` keeps for reuse (one per memory type), so
    /// the budget holds only what live allocations use (after a scene or a graph goes).
    void releaseEmptyBlocks() noexcept;

    /// The memory type `allocate` would pick, if any.
    [[nodiscard]] std::optional<std::uint32_t> findMemoryType(
        std::uint32_t typeBits, VkMemoryPropertyFlags required,
        VkMemoryPropertyFlags preferred) const noexcept;
    /// Block size used for `memoryType` (after the heap clamp).
    [[nodiscard]] VkDeviceSize blockSize(std::uint32_t memoryType) const noexcept;
    [[nodiscard]] VkDeviceSize dedicatedThreshold(std::uint32_t memoryType) const noexcept;

    [[nodiscard]] MemoryStatistics statistics() const;

private:
    struct Block {
        VkDeviceMemory memory = VK_NULL_HANDLE;
        VkDeviceSize size = 0;
        std::byte* mapped = nullptr;
        std::uint32_t memoryType = 0;
        std::optional<TlsfAllocator> tlsf;  ///< none for a dedicated allocation
    };
    struct TypeState {
        VkDeviceSize blockSize = 0;
        VkDeviceSize dedicatedThreshold = 0;
        std::uint32_t heap = 0;
        std::vector<std::uint32_t> pooled;  ///< slots of the pooled blocks of this type
        LargestAllocation largest;
    };

    Result<std::uint32_t> createMemory(std::uint32_t memoryType, VkDeviceSize size, bool pooled,
                                       std::string_view what);
    void destroyMemory(std::uint32_t slot) noexcept;
    /// Counts the allocation in core::ResourceTakes and keeps the type's largest.
    void noteAllocation(std::uint32_t memoryType, VkDeviceSize size,
                        std::string_view what) noexcept;

    const Device* device_ = nullptr;
    BudgetManager* budget_ = nullptr;
    MemoryAllocatorOptions options_;
    VkMemoryAllocateFlags allocateFlags_ = 0;
    std::uint64_t granularity_ = 1;
    std::vector<TypeState> types_;
    std::vector<std::optional<Block>> slots_;
    std::vector<std::uint32_t> freeSlots_;
    mutable std::mutex mutex_;
    std::uint64_t blockFallbacks_ = 0;
};

}  // namespace vixen::gpu
