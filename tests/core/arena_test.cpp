#include "vixen/core/arena.hpp"

#include <gtest/gtest.h>

#include <cstdint>

#include "vixen/core/alloc_tracker.hpp"

namespace vixen::core {
namespace {

bool alignedTo(const void* pointer, std::size_t alignment) {
    return reinterpret_cast<std::uintptr_t>(pointer) % alignment == 0;
}

TEST(ArenaTest, AllocateGrowsAndHonoursAlignment) {
    Arena arena(256);
    void* a = arena.allocate(10, 1);
    void* b = arena.allocate(32, 32);
    void* big = arena.allocate(1000, 64);  // larger than a chunk: gets its own
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    ASSERT_NE(big, nullptr);
    EXPECT_TRUE(alignedTo(b, 32));
    EXPECT_TRUE(alignedTo(big, 64));
    EXPECT_GE(arena.capacity(), 1256U);
    EXPECT_EQ(arena.failedAllocations(), 0U);
}

TEST(ArenaTest, NoGrowStaysInsideTheReservationAndCountsFailures) {
    Arena arena;
    arena.reserve(1024);
    const std::size_t capacity = arena.capacity();
    NoAllocationGuard guard;
    std::span<float> floats = arena.allocateArrayNoGrow<float>(200);
    std::span<float> tooMany = arena.allocateArrayNoGrow<float>(arena.capacity());
    EXPECT_TRUE(guard.ok()) << guard.describe();
    ASSERT_EQ(floats.size(), 200U);
    EXPECT_EQ(floats[199], 0.0F);
    EXPECT_TRUE(tooMany.empty());
    EXPECT_EQ(arena.failedAllocations(), 1U);
    EXPECT_EQ(arena.capacity(), capacity);
}

TEST(ArenaTest, ResetRewindsAndReusesTheMemory) {
    Arena arena(4096);
    arena.reserve(4096);
    void* first = arena.allocateNoGrow(4000, 16);
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(arena.allocateNoGrow(4000, 16), nullptr);
    arena.reset();
    EXPECT_EQ(arena.bytesUsed(), 0U);
    EXPECT_EQ(arena.allocateNoGrow(4000, 16), first);
}

}  // namespace
}  // namespace vixen::core
