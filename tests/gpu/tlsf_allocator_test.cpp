// TLSF offset sub-allocator: pure CPU bookkeeping, no Vulkan device needed.
#include "vixen/gpu/tlsf_allocator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include "vixen/core/alloc_tracker.hpp"

namespace vixen::gpu {
namespace {

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * kKiB;

TlsfAllocator make(std::uint64_t size, std::uint32_t maxAllocations,
                   std::uint64_t granularity = 1) {
    auto created = TlsfAllocator::create(
        TlsfConfig{.size = size, .maxAllocations = maxAllocations, .granularity = granularity});
    EXPECT_TRUE(created) << (created ? "" : created.error().message);
    return std::move(*created);
}

TEST(TlsfAllocator, CreateRejectsBadConfig) {
    EXPECT_FALSE(TlsfAllocator::create({.size = 0, .maxAllocations = 4}));
    EXPECT_FALSE(
        TlsfAllocator::create({.size = TlsfAllocator::kMaxBlockSize + 1, .maxAllocations = 4}));
    EXPECT_FALSE(TlsfAllocator::create({.size = kMiB, .maxAllocations = 0}));
    EXPECT_FALSE(TlsfAllocator::create({.size = kMiB, .maxAllocations = 4, .granularity = 0}));
    EXPECT_FALSE(TlsfAllocator::create({.size = kMiB, .maxAllocations = 4, .granularity = 3}));
    const auto bad = TlsfAllocator::create({.size = kMiB, .maxAllocations = 4, .granularity = 3});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);

    auto huge = make(TlsfAllocator::kMaxBlockSize, 4);
    const auto whole = huge.allocate(TlsfAllocator::kMaxBlockSize);
    ASSERT_TRUE(whole);
    EXPECT_EQ(whole->offset, 0u);
    EXPECT_EQ(huge.freeBytes(), 0u);
    huge.free(whole->handle);
    EXPECT_EQ(huge.largestFree(), TlsfAllocator::kMaxBlockSize);
}

TEST(TlsfAllocator, FreshAllocatorIsOneFreeRange) {
    auto tlsf = make(kMiB, 16);
    const TlsfStatistics stats = tlsf.statistics();
    EXPECT_EQ(stats.size, kMiB);
    EXPECT_EQ(stats.usedBytes, 0u);
    EXPECT_EQ(stats.freeBytes, kMiB);
    EXPECT_EQ(stats.allocationCount, 0u);
    EXPECT_EQ(stats.freeRangeCount, 1u);
    EXPECT_EQ(stats.largestFree, kMiB);
    EXPECT_DOUBLE_EQ(stats.fragmentation, 0.0);
    EXPECT_TRUE(tlsf.checkInvariants());
}

TEST(TlsfAllocator, AlignmentHonouredForManyAlignments) {
    auto tlsf = make(64 * kMiB, 256);
    // A 1-byte allocation first so the next free offset is odd.
    ASSERT_TRUE(tlsf.allocate(1));
    std::uint64_t sizeSeed = 3;
    for (std::uint32_t shift = 0; shift <= 22; ++shift) {
        const std::uint64_t alignment = std::uint64_t{1} << shift;
        for (int repeat = 0; repeat < 4; ++repeat) {
            sizeSeed = sizeSeed * 7 % 1021;
            const std::uint64_t size = sizeSeed + 1;  // odd-ish sizes keep offsets unaligned
            const auto allocation = tlsf.allocate(size, alignment);
            ASSERT_TRUE(allocation) << "alignment " << alignment;
            EXPECT_EQ(allocation->offset % alignment, 0u) << "alignment " << alignment;
            EXPECT_EQ(allocation->size, size);
            EXPECT_LE(allocation->offset + allocation->size, tlsf.size());
        }
    }
    EXPECT_TRUE(tlsf.checkInvariants());

    // An alignment larger than the block can only be met at offset 0, which is taken.
    EXPECT_FALSE(tlsf.allocate(1, std::uint64_t{1} << 40));
    EXPECT_FALSE(tlsf.allocate(1, std::uint64_t{1} << 63));
    auto fresh = make(kMiB, 4);
    const auto atZero = fresh.allocate(16, std::uint64_t{1} << 63);
    ASSERT_TRUE(atZero);
    EXPECT_EQ(atZero->offset, 0u);
}

TEST(TlsfAllocator, AlignmentPaddingStaysFreeAndIsReused) {
    // The block ends right after the aligned allocation, so only the padding is left free.
    auto tlsf = make(4096 + 100, 16);
    const auto first = tlsf.allocate(1);
    ASSERT_TRUE(first);
    const auto aligned = tlsf.allocate(100, 4096);
    ASSERT_TRUE(aligned);
    EXPECT_EQ(aligned->offset, 4096u);
    EXPECT_EQ(tlsf.usedBytes(), 101u);
    // [1, 4096) is free padding; a 4095-byte request fits it exactly.
    const auto filler = tlsf.allocate(4095);
    ASSERT_TRUE(filler);
    EXPECT_EQ(filler->offset, 1u);
    EXPECT_EQ(tlsf.freeBytes(), 0u);
    EXPECT_TRUE(tlsf.checkInvariants());
}

TEST(TlsfAllocator, ExactFitAndFullBlock) {
    constexpr std::uint64_t kSize = 1000;  // not a class boundary on purpose
    auto tlsf = make(kSize, 8);
    const auto whole = tlsf.allocate(kSize);
    ASSERT_TRUE(whole);
    EXPECT_EQ(whole->offset, 0u);
    EXPECT_EQ(whole->size, kSize);
    EXPECT_EQ(tlsf.freeBytes(), 0u);
    EXPECT_EQ(tlsf.largestFree(), 0u);
    EXPECT_EQ(tlsf.statistics().freeRangeCount, 0u);
    EXPECT_FALSE(tlsf.allocate(1));
    tlsf.free(whole->handle);
    EXPECT_EQ(tlsf.largestFree(), kSize);
    EXPECT_FALSE(tlsf.allocate(kSize + 1));

    // Exact fit into a hole: a | b | c fill the block, b goes, then exactly b's size fits.
    const auto a = tlsf.allocate(300);
    const auto b = tlsf.allocate(437);
    const auto c = tlsf.allocate(kSize - 737);
    ASSERT_TRUE(a && b && c);
    EXPECT_EQ(tlsf.freeBytes(), 0u);
    tlsf.free(b->handle);
    EXPECT_FALSE(tlsf.allocate(438));
    const auto again = tlsf.allocate(437);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->offset, 300u);
    EXPECT_EQ(tlsf.freeBytes(), 0u);
    EXPECT_TRUE(tlsf.checkInvariants());
}

class TlsfCoalesce : public ::testing::Test {
protected:
    // Four 1 KiB allocations tile a 4 KiB block: [a][b][c][d].
    void SetUp() override {
        for (auto& slot : parts_) {
            auto allocation = tlsf_.allocate(kKiB);
            ASSERT_TRUE(allocation);
            slot = *allocation;
        }
        ASSERT_EQ(tlsf_.freeBytes(), 0u);
    }

    TlsfAllocator tlsf_ = make(4 * kKiB, 8);
    std::array<Allocation, 4> parts_{};
};

TEST_F(TlsfCoalesce, WithLeftNeighbour) {
    tlsf_.free(parts_[1].handle);
    tlsf_.free(parts_[2].handle);  // merges into b's range on its left
    const auto stats = tlsf_.statistics();
    EXPECT_EQ(stats.freeRangeCount, 1u);
    EXPECT_EQ(stats.largestFree, 2 * kKiB);
    EXPECT_DOUBLE_EQ(stats.fragmentation, 0.0);
    const auto merged = tlsf_.allocate(2 * kKiB);
    ASSERT_TRUE(merged);
    EXPECT_EQ(merged->offset, kKiB);
    EXPECT_TRUE(tlsf_.checkInvariants());
}

TEST_F(TlsfCoalesce, WithRightNeighbour) {
    tlsf_.free(parts_[2].handle);
    tlsf_.free(parts_[1].handle);  // merges with c's range on its right
    const auto stats = tlsf_.statistics();
    EXPECT_EQ(stats.freeRangeCount, 1u);
    EXPECT_EQ(stats.largestFree, 2 * kKiB);
    const auto merged = tlsf_.allocate(2 * kKiB);
    ASSERT_TRUE(merged);
    EXPECT_EQ(merged->offset, kKiB);
    EXPECT_TRUE(tlsf_.checkInvariants());
}

TEST_F(TlsfCoalesce, WithBothNeighbours) {
    tlsf_.free(parts_[0].handle);
    tlsf_.free(parts_[2].handle);
    auto stats = tlsf_.statistics();
    EXPECT_EQ(stats.freeRangeCount, 2u);
    EXPECT_EQ(stats.largestFree, kKiB);
    EXPECT_DOUBLE_EQ(stats.fragmentation, 0.5);
    tlsf_.free(parts_[1].handle);  // bridges a and c
    stats = tlsf_.statistics();
    EXPECT_EQ(stats.freeRangeCount, 1u);
    EXPECT_EQ(stats.largestFree, 3 * kKiB);
    EXPECT_EQ(stats.allocationCount, 1u);
    tlsf_.free(parts_[3].handle);
    stats = tlsf_.statistics();
    EXPECT_EQ(stats.freeRangeCount, 1u);
    EXPECT_EQ(stats.largestFree, 4 * kKiB);
    EXPECT_EQ(stats.usedBytes, 0u);
    EXPECT_TRUE(tlsf_.checkInvariants());
}

TEST(TlsfAllocator, FailsWhenNothingFitsAndStillWorks) {
    auto tlsf = make(64 * kKiB, 64);
    std::vector<Allocation> live;
    for (int i = 0; i < 16; ++i) {
        const auto allocation = tlsf.allocate(4 * kKiB);
        ASSERT_TRUE(allocation);
        live.push_back(*allocation);
    }
    // Free every other one: 32 KiB free, but in 4 KiB pieces at odd multiples of 4 KiB.
    for (std::size_t i = 1; i < live.size(); i += 2) {
        tlsf.free(live[i].handle);
    }
    const auto before = tlsf.statistics();
    EXPECT_EQ(before.freeBytes, 32 * kKiB);
    EXPECT_EQ(before.largestFree, 4 * kKiB);
    EXPECT_DOUBLE_EQ(before.fragmentation, 1.0 - 4.0 / 32.0);
    EXPECT_FALSE(tlsf.allocate(4 * kKiB + 1));
    EXPECT_FALSE(tlsf.allocate(8 * kKiB));
    EXPECT_FALSE(tlsf.allocate(4 * kKiB, 8 * kKiB));  // fits by size, never by alignment
    EXPECT_FALSE(tlsf.allocate(0));
    const auto after = tlsf.statistics();
    EXPECT_EQ(after.usedBytes, before.usedBytes);
    EXPECT_EQ(after.allocationCount, before.allocationCount);
    EXPECT_EQ(after.freeRangeCount, before.freeRangeCount);
    EXPECT_TRUE(tlsf.checkInvariants());

    // Still works: a fitting request succeeds, and freeing a neighbour opens 12 KiB.
    const auto fits = tlsf.allocate(4 * kKiB);
    ASSERT_TRUE(fits);
    tlsf.free(fits->handle);
    tlsf.free(live[2].handle);  // [4 KiB, 16 KiB) is one range now
    const auto bigger = tlsf.allocate(12 * kKiB);
    ASSERT_TRUE(bigger);
    EXPECT_EQ(bigger->offset, 4 * kKiB);
    EXPECT_TRUE(tlsf.checkInvariants());
}

TEST(TlsfAllocator, FailsAtMaxAllocations) {
    auto tlsf = make(kMiB, 3);
    const auto a = tlsf.allocate(16);
    const auto b = tlsf.allocate(16);
    const auto c = tlsf.allocate(16);
    ASSERT_TRUE(a && b && c);
    EXPECT_FALSE(tlsf.allocate(16));
    tlsf.free(b->handle);
    EXPECT_TRUE(tlsf.allocate(16));
    EXPECT_EQ(tlsf.allocationCount(), 3u);
    tlsf.reset();
    EXPECT_EQ(tlsf.allocationCount(), 0u);
    EXPECT_EQ(tlsf.largestFree(), kMiB);
    EXPECT_TRUE(tlsf.checkInvariants());
}

TEST(TlsfAllocator, GranularityPadsBetweenLinearAndOptimal) {
    constexpr std::uint64_t kPage = 1024;
    auto tlsf = make(16 * kPage, 16, kPage);
    const auto linear = tlsf.allocate(100, 1, AllocationKind::Linear);
    ASSERT_TRUE(linear);
    EXPECT_EQ(linear->offset, 0u);
    // Different kind: starts on the next page, not at 100.
    const auto optimal = tlsf.allocate(100, 1, AllocationKind::Optimal);
    ASSERT_TRUE(optimal);
    EXPECT_EQ(optimal->offset, kPage);
    // Same kind as its left neighbour: packs tightly.
    const auto optimal2 = tlsf.allocate(100, 1, AllocationKind::Optimal);
    ASSERT_TRUE(optimal2);
    EXPECT_EQ(optimal2->offset, kPage + 100);
    // Linear after optimal: next page again.
    const auto linear2 = tlsf.allocate(100, 1, AllocationKind::Linear);
    ASSERT_TRUE(linear2);
    EXPECT_EQ(linear2->offset, 2 * kPage);
    EXPECT_EQ(tlsf.usedBytes(), 400u);
    EXPECT_TRUE(tlsf.checkInvariants());

    // Without granularity the same sequence packs tightly.
    auto plain = make(16 * kPage, 16);
    EXPECT_EQ(plain.allocate(100, 1, AllocationKind::Linear)->offset, 0u);
    EXPECT_EQ(plain.allocate(100, 1, AllocationKind::Optimal)->offset, 100u);
}

TEST(TlsfAllocator, GranularityRightNeighbourRule) {
    constexpr std::uint64_t kPage = 1024;
    auto tlsf = make(4 * kPage, 16, kPage);
    // [0, 1124) optimal, [1124, 1224) optimal, then linear from page 2 to the end.
    const auto a = tlsf.allocate(1124, 1, AllocationKind::Optimal);
    const auto b = tlsf.allocate(100, 1, AllocationKind::Optimal);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(b->offset, 1124u);
    const auto c = tlsf.allocate(2 * kPage, 1, AllocationKind::Linear);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->offset, 2 * kPage);
    tlsf.free(a->handle);  // [0, 1124) free; its right neighbour b is optimal, in page 1

    // A linear range ending in page 1 would share b's page: refused.
    EXPECT_FALSE(tlsf.allocate(1100, 1, AllocationKind::Linear));
    EXPECT_FALSE(tlsf.allocate(1025, 1, AllocationKind::Linear));
    // Ending in page 0 is fine.
    const auto linear = tlsf.allocate(kPage, 1, AllocationKind::Linear);
    ASSERT_TRUE(linear);
    EXPECT_EQ(linear->offset, 0u);
    tlsf.free(linear->handle);
    // The same range as optimal fits, since it matches b's kind.
    const auto optimal = tlsf.allocate(1100, 1, AllocationKind::Optimal);
    ASSERT_TRUE(optimal);
    EXPECT_EQ(optimal->offset, 0u);
    EXPECT_TRUE(tlsf.checkInvariants());
}

TEST(TlsfAllocator, NoHeapAllocationInAllocateAndFree) {
    ASSERT_TRUE(core::AllocationTracker::installed());
    auto tlsf = make(256 * kMiB, 1024, 4096);
    std::vector<AllocationHandle> live(1024);  // storage taken before the guard
    std::mt19937 rng(7);
    std::size_t liveCount = 0;
    std::uint64_t succeeded = 0;

    core::NoAllocationGuard guard;
    for (int i = 0; i < 20000; ++i) {
        if (liveCount < live.size() && (liveCount == 0 || rng() % 3 != 0)) {
            const auto kind = rng() % 2 == 0 ? AllocationKind::Linear : AllocationKind::Optimal;
            const auto allocation =
                tlsf.allocate(1 + rng() % (64 * kKiB), std::uint64_t{1} << (rng() % 12), kind);
            if (allocation) {
                live[liveCount++] = allocation->handle;
                ++succeeded;
            }
        } else {
            const std::size_t victim = rng() % liveCount;
            tlsf.free(live[victim]);
            live[victim] = live[--liveCount];
        }
    }
    const TlsfStatistics stats = tlsf.statistics();
    EXPECT_TRUE(guard.ok()) << guard.describe();
    EXPECT_GT(succeeded, 10000u);
    EXPECT_EQ(stats.allocationCount, liveCount);
}

/// The reference model: occupied intervals by offset.
struct Model {
    struct Entry {
        std::uint64_t size;
        AllocationKind kind;
    };
    std::map<std::uint64_t, Entry> occupied;
    std::uint64_t used = 0;

    [[nodiscard]] std::uint64_t largestGap(std::uint64_t blockSize) const {
        std::uint64_t largest = 0;
        std::uint64_t cursor = 0;
        for (const auto& [offset, entry] : occupied) {
            largest = std::max(largest, offset - cursor);
            cursor = offset + entry.size;
        }
        return std::max(largest, blockSize - cursor);
    }
};

struct LiveAllocation {
    std::uint64_t offset;
    AllocationHandle handle;
};

/// Randomized operations against the model; returns the number of successful allocations.
std::uint64_t runRandomized(TlsfAllocator& tlsf, std::uint32_t operations, std::uint32_t seed,
                            bool mixKinds) {
    std::mt19937 rng(seed);
    Model model;
    std::vector<LiveAllocation> live;
    std::uint64_t successes = 0;
    const std::uint64_t blockSize = tlsf.size();
    const std::uint64_t granularity = tlsf.granularity();

    for (std::uint32_t op = 0; op < operations; ++op) {
        const bool doAllocate =
            live.empty() || (live.size() < tlsf.maxAllocations() && rng() % 100 < 55);
        if (doAllocate) {
            // Mostly small sizes, sometimes large ones; alignments 1 .. 64 KiB.
            const std::uint32_t sizeBits = rng() % 4 == 0 ? 18 : 12;
            const std::uint64_t size = 1 + rng() % (std::uint64_t{1} << sizeBits);
            const std::uint64_t alignment = std::uint64_t{1} << (rng() % 17);
            const AllocationKind kind =
                mixKinds && rng() % 2 == 0 ? AllocationKind::Optimal : AllocationKind::Linear;
            const auto allocation = tlsf.allocate(size, alignment, kind);
            if (!allocation) {
                // TLSF is a good fit, not a best fit, but with this much room it must succeed.
                if (!mixKinds) {
                    EXPECT_LT(model.largestGap(blockSize), 2 * (size + alignment))
                        << "op " << op << ": refused " << size << " bytes aligned " << alignment;
                }
            } else {
                ++successes;
                const std::uint64_t offset = allocation->offset;
                EXPECT_EQ(allocation->size, size);
                EXPECT_EQ(offset % alignment, 0u) << "op " << op;
                EXPECT_LE(offset + size, blockSize) << "op " << op;
                const auto next = model.occupied.lower_bound(offset);
                if (next != model.occupied.end()) {
                    EXPECT_LE(offset + size, next->first) << "op " << op << ": overlaps right";
                    if (granularity > 1 && next->second.kind != kind) {
                        EXPECT_NE((offset + size - 1) / granularity, next->first / granularity)
                            << "op " << op << ": shares a page with its right neighbour";
                    }
                }
                if (next != model.occupied.begin()) {
                    const auto prev = std::prev(next);
                    EXPECT_LE(prev->first + prev->second.size, offset)
                        << "op " << op << ": overlaps left";
                    if (granularity > 1 && prev->second.kind != kind) {
                        EXPECT_NE((prev->first + prev->second.size - 1) / granularity,
                                  offset / granularity)
                            << "op " << op << ": shares a page with its left neighbour";
                    }
                }
                model.occupied.emplace(offset, Model::Entry{size, kind});
                model.used += size;
                live.push_back({offset, allocation->handle});
            }
        } else {
            const std::size_t victim = rng() % live.size();
            tlsf.free(live[victim].handle);
            const auto found = model.occupied.find(live[victim].offset);
            EXPECT_NE(found, model.occupied.end());
            if (found != model.occupied.end()) {
                model.used -= found->second.size;
                model.occupied.erase(found);
            }
            live[victim] = live.back();
            live.pop_back();
        }

        EXPECT_EQ(tlsf.usedBytes(), model.used) << "op " << op;
        EXPECT_EQ(tlsf.freeBytes(), blockSize - model.used) << "op " << op;
        EXPECT_EQ(tlsf.allocationCount(), model.occupied.size()) << "op " << op;
        if (op % 97 == 0) {
            const TlsfStatistics stats = tlsf.statistics();
            EXPECT_EQ(stats.usedBytes, model.used);
            EXPECT_EQ(stats.allocationCount, model.occupied.size());
            EXPECT_EQ(stats.largestFree, model.largestGap(blockSize)) << "op " << op;
        }
        if (op % 1009 == 0) {
            EXPECT_TRUE(tlsf.checkInvariants()) << "op " << op;
        }
        if (::testing::Test::HasFailure()) {
            ADD_FAILURE() << "stopping at op " << op;
            break;
        }
    }

    for (const auto& allocation : live) {
        tlsf.free(allocation.handle);
    }
    EXPECT_EQ(tlsf.usedBytes(), 0u);
    EXPECT_EQ(tlsf.statistics().freeRangeCount, 1u);
    EXPECT_EQ(tlsf.largestFree(), blockSize);
    EXPECT_TRUE(tlsf.checkInvariants());
    return successes;
}

TEST(TlsfAllocator, RandomizedAgainstReferenceModel) {
    auto tlsf = make(32 * kMiB, 600);
    const std::uint64_t successes = runRandomized(tlsf, 100000, 0x5eed, false);
    EXPECT_GT(successes, 40000u);
}

TEST(TlsfAllocator, RandomizedWithGranularityAgainstReferenceModel) {
    auto tlsf = make(32 * kMiB, 600, 4096);
    const std::uint64_t successes = runRandomized(tlsf, 100000, 0xbeef, true);
    EXPECT_GT(successes, 40000u);
}

}  // namespace
}  // namespace vixen::gpu
