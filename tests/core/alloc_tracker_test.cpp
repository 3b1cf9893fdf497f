#include "vixen/core/alloc_tracker.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <new>
#include <thread>
#include <vector>

namespace vixen::core {
namespace {

// Keeps the optimiser from eliding a new/delete pair.
template <class T>
void escape(T* pointer) {
    asm volatile("" : : "g"(pointer) : "memory");
}

TEST(AllocationTrackerTest, HooksAreLinkedIntoTests) {
    EXPECT_TRUE(AllocationTracker::installed());
}

TEST(AllocationTrackerTest, CountsEveryFormOfNewAndDelete) {
    AllocationRegion region;
    auto* single = new int(7);
    escape(single);
    delete single;
    auto* array = new int[16];
    escape(array);
    delete[] array;
    auto* nothrow = new (std::nothrow) double(1.0);
    escape(nothrow);
    delete nothrow;
    struct alignas(64) Wide {
        char bytes[64];
    };
    auto* aligned = new Wide;
    escape(aligned);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(aligned) % 64, 0U);
    delete aligned;
    auto* alignedArray = new Wide[3];
    escape(alignedArray);
    delete[] alignedArray;

    const AllocationCounts counts = region.counts();
    EXPECT_EQ(counts.allocations, 5U);
    EXPECT_EQ(counts.frees, 5U);
    EXPECT_EQ(counts.largest, 3 * sizeof(Wide));
    EXPECT_GE(counts.bytes, sizeof(int) + 16 * sizeof(int) + sizeof(double) + 4 * sizeof(Wide));
}

TEST(AllocationTrackerTest, LargestIsExactPerRegionAndRegionsNest) {
    auto* before = new char[10000];
    escape(before);
    AllocationRegion outer;
    auto* a = new char[300];
    escape(a);
    {
        AllocationRegion inner;
        auto* b = new char[200];
        escape(b);
        EXPECT_EQ(inner.counts().largest, 200U);
        EXPECT_EQ(inner.counts().allocations, 1U);
        delete[] b;
    }
    EXPECT_EQ(outer.counts().largest, 300U);
    EXPECT_EQ(outer.counts().allocations, 2U);
    delete[] a;
    delete[] before;
}

TEST(AllocationTrackerTest, ThisThreadScopeIgnoresOtherThreads) {
    AllocationRegion mine(TrackScope::ThisThread);
    AllocationRegion everyone(TrackScope::AllThreads);
    std::thread worker([] {
        auto data = std::make_unique<std::vector<int>>(1000);
        escape(data.get());
    });
    worker.join();
    // Starting a thread may itself allocate on this thread (its state block), so compare
    // the worker's 4000-byte vector, which only the all-threads region can have seen.
    EXPECT_GE(everyone.counts().largest, 4000U);
    EXPECT_LT(mine.counts().largest, 4000U);
    EXPECT_GE(everyone.counts().allocations, mine.counts().allocations + 2);
}

TEST(AllocationTrackerTest, CountsOfExitedThreadsAreKept) {
    const AllocationCounts before = AllocationTracker::allThreads();
    for (int i = 0; i < 4; ++i) {
        std::thread([] {
            for (int j = 0; j < 10; ++j) {
                auto* p = new int(j);
                escape(p);
                delete p;
            }
        }).join();
    }
    const AllocationCounts after = AllocationTracker::allThreads();
    EXPECT_GE(after.allocations - before.allocations, 40U);
    EXPECT_GE(after.frees - before.frees, 40U);
}

TEST(NoAllocationGuardTest, PassesWhenNothingIsAllocated) {
    std::vector<int> reserved;
    reserved.reserve(64);
    NoAllocationGuard guard;
    for (int i = 0; i < 64; ++i) {
        reserved.push_back(i);
    }
    EXPECT_TRUE(guard.ok()) << guard.describe();
    EXPECT_EQ(guard.describe(), "no allocations");
}

TEST(NoAllocationGuardTest, FailsWithCountAndLargestSize) {
    NoAllocationGuard guard;
    std::vector<char> a(100);
    std::vector<char> b(2048);
    EXPECT_FALSE(guard.ok());
    EXPECT_EQ(guard.counts().allocations, 2U);
    EXPECT_EQ(guard.counts().largest, 2048U);
    EXPECT_NE(guard.describe().find("2 allocation(s)"), std::string::npos) << guard.describe();
    EXPECT_NE(guard.describe().find("largest 2048 bytes"), std::string::npos) << guard.describe();
}

[[gnu::noinline]] void allocateFromNamedFunction() {
    auto* p = new std::vector<int>(33);
    escape(p);
    delete p;
}

TEST(NoAllocationGuardTest, CallSiteCaptureNamesTheOffender) {
    AllocationTracker::setCallSiteCapture(true);
    AllocationTracker::resetCallSites();
    std::string report;
    {
        NoAllocationGuard guard;
        allocateFromNamedFunction();
        report = guard.describe();
    }
    AllocationTracker::setCallSiteCapture(false);
    // Symbol names need the dynamic symbol table (-rdynamic); the frame count and sizes do not.
    EXPECT_NE(report.find("call site 1:"), std::string::npos) << report;
    EXPECT_NE(report.find("largest 132 bytes"), std::string::npos) << report;
}

}  // namespace
}  // namespace vixen::core
