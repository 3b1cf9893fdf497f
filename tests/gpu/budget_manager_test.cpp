#include "vixen/gpu/budget_manager.hpp"

#include <gtest/gtest.h>

#include <random>
#include <thread>
#include <vector>

#include "vixen/core/alloc_tracker.hpp"

namespace vixen::gpu {
namespace {

constexpr VkDeviceSize kMiB = 1024 * 1024;

PhysicalDeviceInfo twoHeaps(bool memoryBudget) {
    PhysicalDeviceInfo device;
    device.features.memoryBudget = memoryBudget;
    device.heaps.push_back(MemoryHeap{1000 * kMiB, true, 800 * kMiB, 0});
    device.heaps.push_back(MemoryHeap{400 * kMiB, false, 300 * kMiB, 0});
    return device;
}

TEST(BudgetManagerTest, DefaultsComeFromTheDriverBudgetOrElseTheHeapSize) {
    const BudgetManager withBudget(twoHeaps(true));
    EXPECT_EQ(withBudget.heap(0).limits.hard, 800 * kMiB);
    EXPECT_EQ(withBudget.heap(0).limits.soft, 720 * kMiB);        // 90 %
    EXPECT_EQ(withBudget.heap(0).throttleThreshold, 612 * kMiB);  // 85 % of soft
    const BudgetManager withoutBudget(twoHeaps(false));
    EXPECT_EQ(withoutBudget.heap(0).limits.hard, 1000 * kMiB);
    EXPECT_EQ(withoutBudget.heap(1).limits.hard, 400 * kMiB);
}

TEST(BudgetManagerTest, OverridesReplaceTheDefaults) {
    BudgetOptions options;
    options.heaps = {std::nullopt, HeapLimits{10 * kMiB, 20 * kMiB}};
    options.throttleFraction = 0.5;
    const BudgetManager budget(twoHeaps(true), options);
    EXPECT_EQ(budget.heap(1).limits.hard, 20 * kMiB);
    EXPECT_EQ(budget.heap(1).throttleThreshold, 5 * kMiB);
    EXPECT_EQ(budget.heap(0).limits.hard, 800 * kMiB);
}

TEST(BudgetManagerTest, HardLimitRefusesWithAClearErrorAndChangesNothing) {
    BudgetOptions options;
    options.heaps = {HeapLimits{60 * kMiB, 100 * kMiB}};
    BudgetManager budget(twoHeaps(false), options);
    ASSERT_TRUE(budget.reserve(0, 70 * kMiB, "gbuffer"));
    EXPECT_TRUE(budget.overSoftLimit(0));
    EXPECT_TRUE(budget.shouldThrottle(0));
    const Result<void> refused = budget.reserve(0, 40 * kMiB, "node 'taa' history image");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::OverBudget);
    EXPECT_EQ(refused.error().message,
              "node 'taa' history image needs 40.00 MiB of heap 0 (device-local), which has "
              "70.00 MiB of its 100.00 MiB hard limit in use; free memory or raise the limit");
    EXPECT_EQ(budget.heap(0).used, 70 * kMiB);
    EXPECT_EQ(budget.heap(0).refusals, 1U);
    budget.release(0, 70 * kMiB);
    EXPECT_TRUE(budget.reserve(0, 100 * kMiB, "everything"));  // exactly the limit fits
    EXPECT_EQ(budget.heap(0).peak, 100 * kMiB);
    EXPECT_FALSE(budget.reserve(0, 1, "one more byte"));
}

TEST(BudgetManagerTest, ConcurrentReservationsNeverPassTheHardLimit) {
    BudgetOptions options;
    options.heaps = {HeapLimits{900, 1000}};
    BudgetManager budget(twoHeaps(false), options);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&budget, t] {
            std::mt19937 random(static_cast<unsigned>(t));
            std::uniform_int_distribution<VkDeviceSize> size(1, 300);
            for (int i = 0; i < 20000; ++i) {
                const VkDeviceSize bytes = size(random);
                if (budget.reserve(0, bytes, "worker")) {
                    EXPECT_LE(budget.heap(0).used, 1000U);
                    budget.release(0, bytes);
                }
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(budget.heap(0).used, 0U);
    EXPECT_LE(budget.heap(0).peak, 1000U);
}

TEST(BudgetManagerTest, ReserveAndReleaseAllocateNothing) {
    BudgetManager budget(twoHeaps(true));
    core::NoAllocationGuard guard;
    for (int i = 0; i < 1000; ++i) {
        static_cast<void>(budget.reserve(1, kMiB, "staging"));
        budget.release(1, kMiB);
    }
    EXPECT_TRUE(guard.ok()) << guard.describe();
}

}  // namespace
}  // namespace vixen::gpu
