// DeviceMemoryAllocator on lavapipe (CTest sets VK_DRIVER_FILES) with the Khronos validation
// layer; the device is destroyed before TearDown counts errors, so leaked memory objects fail.
#include "vixen/gpu/memory_allocator.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "lavapipe_fixture.hpp"
#include "vixen/gpu/budget_manager.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/instance.hpp"
#include "vixen/gpu/physical_device.hpp"

namespace vixen::gpu {
namespace {

constexpr VkDeviceSize kKiB = 1024;
constexpr VkDeviceSize kMiB = 1024 * kKiB;
constexpr VkMemoryPropertyFlags kHostFlags =
    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;

class MemoryAllocatorTest : public testing::LavapipeFixture {
protected:
    void releaseDeviceObjects() override {
        allocator_.reset();
        budget_.reset();
    }

    void makeAllocator(const MemoryAllocatorOptions& options,
                       const BudgetOptions& budget = BudgetOptions{}) {
        budget_.emplace(*physical_, budget);
        allocator_.emplace(*device_, *budget_, options);
    }

    [[nodiscard]] VkDeviceSize budgetUsed() const {
        VkDeviceSize used = 0;
        for (std::uint32_t heap = 0; heap < budget_->heapCount(); ++heap) {
            used += budget_->heap(heap).used;
        }
        return used;
    }

    static VkMemoryRequirements anyType(VkDeviceSize size, VkDeviceSize alignment = 256) {
        return VkMemoryRequirements{size, alignment, ~std::uint32_t{0}};
    }

    std::optional<BudgetManager> budget_;
    std::optional<DeviceMemoryAllocator> allocator_;
};

TEST_F(MemoryAllocatorTest, BacksARealBufferWrittenThroughTheMappedPointer) {
    makeAllocator({});
    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.size = 4096;
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VkBuffer buffer = VK_NULL_HANDLE;
    ASSERT_EQ(vkCreateBuffer(device_->handle(), &info, nullptr, &buffer), VK_SUCCESS);
    VkMemoryRequirements requirements{};
    vkGetBufferMemoryRequirements(device_->handle(), buffer, &requirements);

    auto allocation =
        allocator_->allocate(requirements, kHostFlags, 0, AllocationKind::Linear, "staging buffer");
    ASSERT_TRUE(allocation) << allocation.error().message;
    EXPECT_TRUE(allocation->valid());
    EXPECT_EQ(allocation->size, requirements.size);
    EXPECT_EQ(allocation->offset % requirements.alignment, 0U);
    ASSERT_NE(allocation->mapped, nullptr);
    const VkMemoryPropertyFlags flags =
        physical_->memory.memoryTypes[allocation->memoryType].propertyFlags;
    EXPECT_EQ(flags & kHostFlags, kHostFlags);
    ASSERT_EQ(vkBindBufferMemory(device_->handle(), buffer, allocation->memory, allocation->offset),
              VK_SUCCESS);

    std::vector<std::uint32_t> pattern(1024);
    for (std::uint32_t i = 0; i < pattern.size(); ++i) {
        pattern[i] = i * 2654435761U;
    }
    std::memcpy(allocation->mapped, pattern.data(), 4096);
    std::vector<std::uint32_t> readBack(1024);
    std::memcpy(readBack.data(), allocation->mapped, 4096);
    EXPECT_EQ(readBack, pattern);

    vkDestroyBuffer(device_->handle(), buffer, nullptr);
    allocator_->free(*allocation);
}

TEST_F(MemoryAllocatorTest, ManySmallAllocationsShareOneBlock) {
    makeAllocator({.blockSize = 1 * kMiB});
    std::vector<MemoryAllocation> allocations;
    for (int i = 0; i < 100; ++i) {
        auto allocation =
            allocator_->allocate(anyType(1000), kHostFlags, 0, AllocationKind::Linear, "small");
        ASSERT_TRUE(allocation) << allocation.error().message;
        allocations.push_back(*allocation);
    }
    for (const MemoryAllocation& a : allocations) {
        EXPECT_EQ(a.memory, allocations.front().memory);
        EXPECT_EQ(a.offset % 256, 0U);
        EXPECT_EQ(a.mapped, static_cast<std::byte*>(allocations.front().mapped) +
                                (a.offset - allocations.front().offset));
    }
    std::sort(allocations.begin(), allocations.end(),
              [](const auto& a, const auto& b) { return a.offset < b.offset; });
    for (std::size_t i = 1; i < allocations.size(); ++i) {
        EXPECT_GE(allocations[i].offset, allocations[i - 1].offset + allocations[i - 1].size);
    }
    const MemoryStatistics stats = allocator_->statistics();
    EXPECT_EQ(stats.total.blocks, 1U);
    EXPECT_EQ(stats.total.dedicatedCount, 0U);
    EXPECT_EQ(stats.total.deviceMemoryCount(), 1U);
    EXPECT_EQ(stats.total.allocationCount, 100U);
    EXPECT_EQ(stats.total.usedBytes, 100U * 1000U);
    EXPECT_EQ(stats.total.blockBytes, 1 * kMiB);
    EXPECT_EQ(budgetUsed(), 1 * kMiB);
    for (const MemoryAllocation& a : allocations) {
        allocator_->free(a);
    }
}

TEST_F(MemoryAllocatorTest, LargeRequestsAreDedicatedAndFreedAtOnce) {
    makeAllocator({.blockSize = 1 * kMiB});
    auto type = allocator_->findMemoryType(~0U, kHostFlags, 0);
    ASSERT_TRUE(type);
    EXPECT_EQ(allocator_->dedicatedThreshold(*type), 512 * kKiB);
    auto large = allocator_->allocate(anyType(768 * kKiB), kHostFlags, 0, AllocationKind::Linear,
                                      "big vertex buffer");
    ASSERT_TRUE(large) << large.error().message;
    EXPECT_EQ(large->offset, 0U);
    EXPECT_NE(large->mapped, nullptr);
    auto larger = allocator_->allocate(anyType(3 * kMiB), kHostFlags, 0, AllocationKind::Optimal,
                                       "bigger than a block");
    ASSERT_TRUE(larger) << larger.error().message;
    EXPECT_NE(larger->memory, large->memory);

    MemoryStatistics stats = allocator_->statistics();
    EXPECT_EQ(stats.total.blocks, 0U);
    EXPECT_EQ(stats.total.dedicatedCount, 2U);
    EXPECT_EQ(stats.total.blockBytes, 768 * kKiB + 3 * kMiB);
    EXPECT_EQ(budgetUsed(), 768 * kKiB + 3 * kMiB);
    EXPECT_EQ(stats.total.largestAllocation.size, 3 * kMiB);
    EXPECT_EQ(stats.total.largestAllocation.what(), "bigger than a block");

    allocator_->free(*large);
    allocator_->free(*larger);
    stats = allocator_->statistics();
    EXPECT_EQ(stats.total.deviceMemoryCount(), 0U);
    EXPECT_EQ(budgetUsed(), 0U);
}

TEST_F(MemoryAllocatorTest, FreedRangesAreReusedAndOneEmptyBlockIsKept) {
    makeAllocator({.blockSize = 1 * kMiB});
    auto first =
        allocator_->allocate(anyType(64 * kKiB), kHostFlags, 0, AllocationKind::Linear, "first");
    ASSERT_TRUE(first) << first.error().message;
    allocator_->free(*first);
    auto again =
        allocator_->allocate(anyType(64 * kKiB), kHostFlags, 0, AllocationKind::Linear, "again");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->memory, first->memory);  // the spare block was kept and reused
    EXPECT_EQ(again->offset, first->offset);

    // Fill more than two blocks, then free everything: one empty block stays.
    std::vector<MemoryAllocation> allocations{*again};
    for (int i = 0; i < 40; ++i) {
        auto allocation =
            allocator_->allocate(anyType(64 * kKiB), kHostFlags, 0, AllocationKind::Linear, "fill");
        ASSERT_TRUE(allocation) << allocation.error().message;
        allocations.push_back(*allocation);
    }
    EXPECT_EQ(allocator_->statistics().total.blocks, 3U);
    EXPECT_EQ(budgetUsed(), 3 * kMiB);
    for (const MemoryAllocation& a : allocations) {
        allocator_->free(a);
    }
    const MemoryStatistics stats = allocator_->statistics();
    EXPECT_EQ(stats.total.blocks, 1U);
    EXPECT_EQ(stats.total.allocationCount, 0U);
    EXPECT_EQ(stats.total.usedBytes, 0U);
    EXPECT_EQ(stats.total.largestFree, 1 * kMiB);
    EXPECT_EQ(stats.total.fragmentation, 0.0);
    EXPECT_EQ(budgetUsed(), 1 * kMiB);
}

TEST_F(MemoryAllocatorTest, BudgetRefusalAllocatesNothing) {
    BudgetOptions budget;
    budget.heaps.assign(physical_->heaps.size(), HeapLimits{1 * kKiB, 4 * kKiB});
    makeAllocator({.blockSize = 1 * kMiB}, budget);
    auto refused = allocator_->allocate(anyType(64 * kKiB), kHostFlags, 0, AllocationKind::Linear,
                                        "shadow atlas");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::OverBudget);
    EXPECT_NE(refused.error().message.find("shadow atlas"), std::string::npos)
        << refused.error().message;
    const MemoryStatistics stats = allocator_->statistics();
    EXPECT_EQ(stats.total.deviceMemoryCount(), 0U);
    EXPECT_EQ(stats.total.blockBytes, 0U);
    EXPECT_EQ(budgetUsed(), 0U);
    std::uint64_t refusals = 0;
    for (std::uint32_t heap = 0; heap < budget_->heapCount(); ++heap) {
        refusals += budget_->heap(heap).refusals;
    }
    EXPECT_GE(refusals, 1U);
}

TEST_F(MemoryAllocatorTest, ABlockOverBudgetFallsBackToAnExactMemoryObject) {
    BudgetOptions budget;
    budget.heaps.assign(physical_->heaps.size(), HeapLimits{128 * kKiB, 256 * kKiB});
    makeAllocator({.blockSize = 1 * kMiB}, budget);
    auto allocation =
        allocator_->allocate(anyType(64 * kKiB), kHostFlags, 0, AllocationKind::Linear, "tight");
    ASSERT_TRUE(allocation) << allocation.error().message;
    MemoryStatistics stats = allocator_->statistics();
    EXPECT_EQ(stats.total.blocks, 0U);
    EXPECT_EQ(stats.total.dedicatedCount, 1U);
    EXPECT_EQ(stats.blockFallbacks, 1U);
    EXPECT_EQ(budgetUsed(), 64 * kKiB);
    allocator_->free(*allocation);
    EXPECT_EQ(budgetUsed(), 0U);
    EXPECT_EQ(allocator_->statistics().blockFallbacks, 1U) << "counted for good";
}

TEST_F(MemoryAllocatorTest, StatisticsAddUp) {
    makeAllocator({.blockSize = 1 * kMiB});
    const VkDeviceSize sizes[] = {1000, 4096, 70000, 300, 600 * kKiB, 12345};
    std::vector<MemoryAllocation> allocations;
    VkDeviceSize total = 0;
    for (const VkDeviceSize size : sizes) {
        auto allocation =
            allocator_->allocate(anyType(size), 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                                 AllocationKind::Optimal, "mixed");
        ASSERT_TRUE(allocation) << allocation.error().message;
        allocations.push_back(*allocation);
        total += size;
    }
    allocator_->free(allocations[1]);
    total -= sizes[1];

    const MemoryStatistics stats = allocator_->statistics();
    MemoryTypeStatistics sum;
    for (const MemoryTypeStatistics& type : stats.types) {
        sum.blocks += type.blocks;
        sum.blockBytes += type.blockBytes;
        sum.usedBytes += type.usedBytes;
        sum.allocationCount += type.allocationCount;
        sum.dedicatedCount += type.dedicatedCount;
        EXPECT_LE(type.usedBytes, type.blockBytes);
        EXPECT_GE(type.fragmentation, 0.0);
        EXPECT_LT(type.fragmentation, 1.0);
    }
    EXPECT_EQ(sum.blocks, stats.total.blocks);
    EXPECT_EQ(sum.blockBytes, stats.total.blockBytes);
    EXPECT_EQ(sum.usedBytes, stats.total.usedBytes);
    EXPECT_EQ(sum.allocationCount, stats.total.allocationCount);
    EXPECT_EQ(sum.dedicatedCount, stats.total.dedicatedCount);
    EXPECT_EQ(stats.total.usedBytes, total);
    EXPECT_EQ(stats.total.allocationCount, 5U);
    EXPECT_EQ(stats.total.dedicatedCount, 1U);
    EXPECT_EQ(stats.total.blocks, 1U);
    EXPECT_EQ(stats.total.blockBytes, 1 * kMiB + 600 * kKiB);
    EXPECT_EQ(stats.total.blockBytes, budgetUsed());
    EXPECT_GT(stats.total.largestFree, 0U);
    EXPECT_LE(stats.total.largestFree, stats.total.blockBytes - stats.total.usedBytes);
    EXPECT_EQ(stats.total.largestAllocation.size, 600 * kKiB);
    EXPECT_EQ(stats.total.largestAllocation.what(), "mixed");
    for (std::size_t i = 0; i < allocations.size(); ++i) {
        if (i != 1) {
            allocator_->free(allocations[i]);
        }
    }
}

TEST_F(MemoryAllocatorTest, RejectsBadRequests) {
    makeAllocator({.blockSize = 1 * kMiB});
    auto zero = allocator_->allocate(anyType(0), 0, 0, AllocationKind::Linear, "empty");
    ASSERT_FALSE(zero);
    EXPECT_EQ(zero.error().code, ErrorCode::InvalidArgument);
    auto noType = allocator_->allocate(VkMemoryRequirements{256, 256, 0}, 0, 0,
                                       AllocationKind::Linear, "nowhere");
    ASSERT_FALSE(noType);
    EXPECT_EQ(noType.error().code, ErrorCode::NotFound);
    EXPECT_NE(noType.error().message.find("nowhere"), std::string::npos);
    EXPECT_EQ(allocator_->statistics().total.deviceMemoryCount(), 0U);
}

TEST_F(MemoryAllocatorTest, DestructorFreesLiveMemory) {
    makeAllocator({.blockSize = 1 * kMiB});
    ASSERT_TRUE(allocator_->allocate(anyType(4096), 0, 0, AllocationKind::Linear, "left live"));
    ASSERT_TRUE(
        allocator_->allocate(anyType(2 * kMiB), 0, 0, AllocationKind::Linear, "left dedicated"));
    EXPECT_EQ(allocator_->statistics().total.deviceMemoryCount(), 2U);
    allocator_.reset();  // must free both; TearDown's device destruction would report leaks
    EXPECT_EQ(budgetUsed(), 0U);
}

// Pauses LeakSanitizer (in sanitizer builds) for allocations that are leaked on purpose.
struct LeakCheckPause {
#if defined(__SANITIZE_ADDRESS__)
    LeakCheckPause() {
        __lsan_disable();
    }
    ~LeakCheckPause() {
        __lsan_enable();
    }
#else
    LeakCheckPause() = default;
#endif
    LeakCheckPause(const LeakCheckPause&) = delete;
    LeakCheckPause& operator=(const LeakCheckPause&) = delete;
};

TEST_F(MemoryAllocatorTest, TheLayerReportsLeakedMemoryAtDeviceDestruction) {
    // The premise of the leak checks above: a VkDeviceMemory left at vkDestroyDevice is an
    // error of the validation layer.
    VkMemoryAllocateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    info.allocationSize = 4096;
    info.memoryTypeIndex = 0;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    {
        // The leak is the point of this test; LeakSanitizer should not count the driver's
        // memory behind it.
        [[maybe_unused]] const LeakCheckPause pause;
        ASSERT_EQ(vkAllocateMemory(device_->handle(), &info, nullptr, &memory), VK_SUCCESS);
    }
    device_.reset();
    EXPECT_GE(instance_->validation().errors(), 1U);
    instance_->validation().reset();
}

}  // namespace
}  // namespace vixen::gpu
