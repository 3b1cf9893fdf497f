#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "vixen/core/error.hpp"

namespace vixen::gpu {

/// What an allocation will hold, for `bufferImageGranularity`: buffers and linear-tiling
/// images are `Linear`, optimal-tiling images are `Optimal`.
enum class AllocationKind : std::uint8_t {
    Linear,
    Optimal,
};

/// Opaque name of one live allocation; only the allocator that returned it can read it.
struct AllocationHandle {
    std::uint32_t value = 0;  ///< 0 is "no allocation"

    [[nodiscard]] bool valid() const noexcept { return value != 0; }
    friend bool operator==(AllocationHandle, AllocationHandle) = default;
};

/// One range taken from the block: `[offset, offset + size)`, `offset` aligned as asked.
struct Allocation {
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    AllocationHandle handle{};
};

struct TlsfConfig {
    std::uint64_t size = 0;            ///< bytes in the block, 1 .. 2^48
    std::uint32_t maxAllocations = 0;  ///< live allocations at most; sizes the node pool
    std::uint64_t granularity = 1;     ///< bufferImageGranularity; a power of two, 1 = off
};

/// A snapshot of the allocator. `fragmentation` is `1 - largestFree / freeBytes` (0 when
/// nothing is free): 0 means all free space is one range.
struct TlsfStatistics {
    std::uint64_t size = 0;
    std::uint64_t usedBytes = 0;  ///< sum of the live allocations' sizes
    std::uint64_t freeBytes = 0;  ///< size - usedBytes (alignment padding counts as free)
    std::uint32_t allocationCount = 0;
    std::uint32_t freeRangeCount = 0;
    std::uint64_t largestFree = 0;
    double fragmentation = 0.0;
};

/// Two-level segregated fit sub-allocator over the offsets of one block of `size` bytes.
/// Pure bookkeeping: it never touches memory at the offsets it hands out.
///
/// Size classes: a size below 32 maps to first level 0, second level = the size itself.
/// Otherwise, with m = floor(log2(size)), the first level is m - 4 and the second level is
/// the 5 bits below the top bit, so each power-of-two range is split into 32 lists of equal
/// width (class error at most 1/32). Two bitmaps (one word for the first level, one per
/// first-level entry for the second) find the first non-empty list at or above a class in
/// O(1) with count-trailing-zeros.
///
/// `allocate` first searches for a class whose every range surely fits (the request rounded
/// up to the next class boundary, plus the worst-case alignment and granularity padding),
/// and takes that list's head: O(1). If no such class is non-empty it probes, best class
/// first, at most `kMaxFallbackProbes` free ranges of the classes below that one, so an exact
/// fit (the whole block, or a hole of exactly the right size) is still found. `free` merges
/// the range with a free left and right neighbour at once: O(1). Both run on a node pool
/// sized at creation (2 * maxAllocations + 1 nodes: free ranges never touch, so there is at
/// most one more free range than live allocations) and never touch the heap.
///
/// Granularity rule (when `granularity` > 1): two live allocations of different kinds never
/// share a granularity page, i.e. a page (offset / granularity) that holds any byte of a
/// `Linear` allocation holds no byte of an `Optimal` one. When placing an allocation the
/// allocator looks at the nearest live allocation on each side (the physical neighbours of
/// the free range, since free ranges are always fully coalesced): if the left one is of the
/// other kind and ends in the page where the new one would start, the start moves up to the
/// next page boundary (the skipped bytes stay free); if the right one is of the other kind
/// and starts in the page where the new one would end, that free range is not used. Kinds
/// that agree pack tightly. Allocations of the same kind never pay for granularity.
class TlsfAllocator {
public:
    static constexpr std::uint64_t kMaxBlockSize = std::uint64_t{1} << 48;
    static constexpr std::uint32_t kMaxAllocations = (1u << 30) - 1;
    static constexpr std::uint32_t kSecondLevelBits = 5;
    static constexpr std::uint32_t kSecondLevelCount = 1u << kSecondLevelBits;
    static constexpr std::uint32_t kFirstLevelCount = 48 - kSecondLevelBits + 2;
    static constexpr std::uint32_t kMaxFallbackProbes = 16;

    /// Fails with InvalidArgument for a size of 0 or over 2^48, 0 allocations (or more than
    /// kMaxAllocations), or a granularity that is not a power of two.
    static Result<TlsfAllocator> create(const TlsfConfig& config);

    TlsfAllocator(TlsfAllocator&&) noexcept = default;
    TlsfAllocator& operator=(TlsfAllocator&&) noexcept = default;
    TlsfAllocator(const TlsfAllocator&) = delete;
    TlsfAllocator& operator=(const TlsfAllocator&) = delete;
    ~TlsfAllocator() = default;

    /// A range of `size` bytes whose offset is a multiple of `alignment` (a power of two),
    /// or nullopt when no free range fits, `size` is 0, or `maxAllocations` are live.
    [[nodiscard]] std::optional<Allocation> allocate(
        std::uint64_t size, std::uint64_t alignment = 1,
        AllocationKind kind = AllocationKind::Linear) noexcept;

    /// Returns the range to the free space, merged with free neighbours. `handle` must be a
    /// live allocation of this allocator.
    void free(AllocationHandle handle) noexcept;

    /// Frees everything at once.
    void reset() noexcept;

    [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
    [[nodiscard]] std::uint64_t granularity() const noexcept { return granularity_; }
    [[nodiscard]] std::uint32_t maxAllocations() const noexcept { return maxAllocations_; }
    [[nodiscard]] std::uint64_t usedBytes() const noexcept { return usedBytes_; }
    [[nodiscard]] std::uint64_t freeBytes() const noexcept { return size_ - usedBytes_; }
    [[nodiscard]] std::uint32_t allocationCount() const noexcept { return allocationCount_; }
    [[nodiscard]] bool empty() const noexcept { return allocationCount_ == 0; }

    /// The largest free range: finds the highest non-empty class in O(1), then scans that
    /// one list.
    [[nodiscard]] std::uint64_t largestFree() const noexcept;
    [[nodiscard]] TlsfStatistics statistics() const noexcept;

    /// Walks every node and checks the bookkeeping (ranges tile the block, free ranges never
    /// touch, lists and bitmaps agree, counters match). For tests; O(n).
    [[nodiscard]] bool checkInvariants() const noexcept;

private:
    static constexpr std::uint32_t kNone = ~std::uint32_t{0};

    /// 32 bytes, two to a cache line. A live allocation needs no free-list links, so
    /// `prevFree` holds kUsed and `nextFree` its AllocationKind.
    struct Node {
        std::uint64_t offset = 0;
        std::uint64_t size = 0;
        std::uint32_t prevPhysical = kNone;
        std::uint32_t nextPhysical = kNone;
        std::uint32_t prevFree = kNone;  ///< free: the class list; unused: the pool stack
        std::uint32_t nextFree = kNone;

        [[nodiscard]] bool used() const noexcept { return prevFree == kUsed; }
        [[nodiscard]] AllocationKind kind() const noexcept {
            return static_cast<AllocationKind>(nextFree);
        }
        void markUsed(AllocationKind kind) noexcept {
            prevFree = kUsed;
            nextFree = static_cast<std::uint32_t>(kind);
        }
    };
    static_assert(sizeof(Node) == 32);

    static constexpr std::uint32_t kUsed = kNone - 1;

    struct SizeClass {
        std::uint32_t firstLevel = 0;
        std::uint32_t secondLevel = 0;
    };

    TlsfAllocator() = default;

    [[nodiscard]] static SizeClass classOf(std::uint64_t size) noexcept;
    [[nodiscard]] std::optional<std::uint64_t> placeIn(const Node& range, std::uint64_t size,
                                                       std::uint64_t alignment,
                                                       AllocationKind kind) const noexcept;
    /// The first class at or above `from` whose list is not empty.
    [[nodiscard]] std::optional<SizeClass> findNonEmpty(SizeClass from) const noexcept;
    [[nodiscard]] std::uint32_t acquireNode() noexcept;
    void releaseNode(std::uint32_t index) noexcept;
    void insertFree(std::uint32_t index) noexcept;
    void removeFree(std::uint32_t index) noexcept;

    std::uint64_t size_ = 0;
    std::uint64_t granularity_ = 1;
    std::uint64_t usedBytes_ = 0;
    std::uint32_t maxAllocations_ = 0;
    std::uint32_t allocationCount_ = 0;
    std::array<std::uint32_t, 2> kindCount_{};  ///< live allocations per AllocationKind
    std::uint32_t freeRangeCount_ = 0;
    std::uint32_t firstPhysical_ = kNone;
    std::uint32_t unusedNodes_ = kNone;  ///< stack of pool nodes, linked by nextFree
    std::uint64_t firstLevelMap_ = 0;
    std::array<std::uint32_t, kFirstLevelCount> secondLevelMap_{};
    std::array<std::array<std::uint32_t, kSecondLevelCount>, kFirstLevelCount> heads_{};
    std::vector<Node> nodes_;
};

}  // namespace vixen::gpu
