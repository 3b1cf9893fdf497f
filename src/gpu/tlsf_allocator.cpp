#include "vixen/gpu/tlsf_allocator.hpp"

#include <algorithm>
#include <bit>
#include <cassert>

#include "vixen/core/align.hpp"

namespace vixen::gpu {
namespace {

using core::alignUp;

constexpr std::uint64_t pageOf(std::uint64_t offset, std::uint64_t granularity) noexcept {
    return offset & ~(granularity - 1);
}

// std::has_single_bit becomes a popcount library call on the x86-64 baseline (no POPCNT);
// this is the hot path's test.
constexpr bool isPowerOfTwo(std::uint64_t value) noexcept {
    return value != 0 && (value & (value - 1)) == 0;
}

constexpr std::size_t kindIndex(AllocationKind kind) noexcept {
    return static_cast<std::size_t>(kind);
}

constexpr AllocationKind otherKind(AllocationKind kind) noexcept {
    return kind == AllocationKind::Linear ? AllocationKind::Optimal : AllocationKind::Linear;
}

}  // namespace

Result<TlsfAllocator> TlsfAllocator::create(const TlsfConfig& config) {
    if (config.size == 0 || config.size > kMaxBlockSize) {
        return fail(ErrorCode::InvalidArgument,
                    "TLSF block size {} is out of range: it must be 1 .. 2^48 bytes", config.size);
    }
    if (config.maxAllocations == 0 || config.maxAllocations > kMaxAllocations) {
        return fail(ErrorCode::InvalidArgument,
                    "TLSF maxAllocations {} is out of range: it must be 1 .. {}",
                    config.maxAllocations, kMaxAllocations);
    }
    if (!std::has_single_bit(config.granularity)) {
        return fail(ErrorCode::InvalidArgument,
                    "TLSF granularity {} is not a power of two (use 1 for none)",
                    config.granularity);
    }
    TlsfAllocator allocator;
    allocator.size_ = config.size;
    allocator.granularity_ = config.granularity;
    allocator.maxAllocations_ = config.maxAllocations;
    allocator.nodes_.resize(std::size_t{2} * config.maxAllocations + 1);
    allocator.reset();
    return allocator;
}

void TlsfAllocator::reset() noexcept {
    usedBytes_ = 0;
    allocationCount_ = 0;
    kindCount_ = {};
    freeRangeCount_ = 0;
    firstLevelMap_ = 0;
    secondLevelMap_ = {};
    for (auto& row : heads_) {
        row.fill(kNone);
    }
    // Every node goes on the pool stack, lowest index on top.
    const auto count = static_cast<std::uint32_t>(nodes_.size());
    for (std::uint32_t i = 0; i < count; ++i) {
        nodes_[i] = Node{};
        nodes_[i].nextFree = i + 1 < count ? i + 1 : kNone;
    }
    unusedNodes_ = 0;

    const std::uint32_t whole = acquireNode();
    nodes_[whole].offset = 0;
    nodes_[whole].size = size_;
    firstPhysical_ = whole;
    insertFree(whole);
}

TlsfAllocator::SizeClass TlsfAllocator::classOf(std::uint64_t size) noexcept {
    if (size < kSecondLevelCount) {
        return {0, static_cast<std::uint32_t>(size)};
    }
    const auto top = static_cast<std::uint32_t>(std::bit_width(size) - 1);
    const std::uint32_t shift = top - kSecondLevelBits;
    return {shift + 1, static_cast<std::uint32_t>(size >> shift) - kSecondLevelCount};
}

std::optional<TlsfAllocator::SizeClass> TlsfAllocator::findNonEmpty(SizeClass from) const noexcept {
    const std::uint32_t second = secondLevelMap_[from.firstLevel] & (~0u << from.secondLevel);
    if (second != 0) {
        return SizeClass{from.firstLevel, static_cast<std::uint32_t>(std::countr_zero(second))};
    }
    if (from.firstLevel + 1 >= kFirstLevelCount) {
        return std::nullopt;
    }
    const std::uint64_t first = firstLevelMap_ & (~std::uint64_t{0} << (from.firstLevel + 1));
    if (first == 0) {
        return std::nullopt;
    }
    const auto level = static_cast<std::uint32_t>(std::countr_zero(first));
    return SizeClass{level, static_cast<std::uint32_t>(std::countr_zero(secondLevelMap_[level]))};
}

std::uint32_t TlsfAllocator::acquireNode() noexcept {
    const std::uint32_t index = unusedNodes_;
    assert(index != kNone && "the node pool holds 2 * maxAllocations + 1 nodes");
    unusedNodes_ = nodes_[index].nextFree;
    nodes_[index] = Node{};
    return index;
}

void TlsfAllocator::releaseNode(std::uint32_t index) noexcept {
    nodes_[index].prevFree = kNone;
    nodes_[index].nextFree = unusedNodes_;
    unusedNodes_ = index;
}

void TlsfAllocator::insertFree(std::uint32_t index) noexcept {
    Node& node = nodes_[index];
    const SizeClass sc = classOf(node.size);
    std::uint32_t& head = heads_[sc.firstLevel][sc.secondLevel];
    node.prevFree = kNone;
    node.nextFree = head;
    if (head != kNone) {
        nodes_[head].prevFree = index;
    }
    head = index;
    secondLevelMap_[sc.firstLevel] |= 1u << sc.secondLevel;
    firstLevelMap_ |= std::uint64_t{1} << sc.firstLevel;
    ++freeRangeCount_;
}

void TlsfAllocator::removeFree(std::uint32_t index) noexcept {
    Node& node = nodes_[index];
    if (node.prevFree != kNone) {
        nodes_[node.prevFree].nextFree = node.nextFree;
    } else {
        const SizeClass sc = classOf(node.size);
        heads_[sc.firstLevel][sc.secondLevel] = node.nextFree;
        if (node.nextFree == kNone) {
            secondLevelMap_[sc.firstLevel] &= ~(1u << sc.secondLevel);
            if (secondLevelMap_[sc.firstLevel] == 0) {
                firstLevelMap_ &= ~(std::uint64_t{1} << sc.firstLevel);
            }
        }
    }
    if (node.nextFree != kNone) {
        nodes_[node.nextFree].prevFree = node.prevFree;
    }
    node.prevFree = kNone;
    node.nextFree = kNone;
    --freeRangeCount_;
}

std::optional<std::uint64_t> TlsfAllocator::placeIn(const Node& range, std::uint64_t size,
                                                    std::uint64_t alignment,
                                                    AllocationKind kind) const noexcept {
    std::uint64_t start = alignUp(range.offset, alignment);
    const std::uint64_t rangeEnd = range.offset + range.size;
    if (granularity_ > 1 && range.prevPhysical != kNone) {
        const Node& left = nodes_[range.prevPhysical];
        if (left.kind() != kind &&
            pageOf(left.offset + left.size - 1, granularity_) == pageOf(start, granularity_)) {
            start = alignUp(start, granularity_);
        }
    }
    if (start > rangeEnd || rangeEnd - start < size) {
        return std::nullopt;
    }
    if (granularity_ > 1 && range.nextPhysical != kNone) {
        const Node& right = nodes_[range.nextPhysical];
        if (right.kind() != kind &&
            pageOf(start + size - 1, granularity_) == pageOf(right.offset, granularity_)) {
            return std::nullopt;
        }
    }
    return start;
}

std::optional<Allocation> TlsfAllocator::allocate(std::uint64_t size, std::uint64_t alignment,
                                                  AllocationKind kind) noexcept {
    assert(isPowerOfTwo(alignment) && "alignment must be a power of two");
    if (size == 0 || size > size_ || allocationCount_ == maxAllocations_ ||
        !isPowerOfTwo(alignment)) {
        return std::nullopt;
    }

    std::uint32_t chosen = kNone;
    std::uint64_t start = 0;

    // Good fit: a class where every range holds the request with its worst-case padding.
    std::uint64_t needed = size + (alignment - 1);
    if (granularity_ > 1 && kindCount_[kindIndex(otherKind(kind))] != 0) {
        needed = size + (std::max(alignment, granularity_) - 1) + (granularity_ - 1);
    }
    if (needed >= kSecondLevelCount && needed <= size_) {
        const auto top = static_cast<std::uint32_t>(std::bit_width(needed) - 1);
        needed += (std::uint64_t{1} << (top - kSecondLevelBits)) - 1;
    }
    if (needed <= size_) {
        if (const auto sc = findNonEmpty(classOf(needed))) {
            chosen = heads_[sc->firstLevel][sc->secondLevel];
            const auto placed = placeIn(nodes_[chosen], size, alignment, kind);
            assert(placed && "every range of the rounded-up class fits");
            start = placed ? *placed : 0;
            if (!placed) {
                chosen = kNone;
            }
        }
    }

    // Fallback: probe a few ranges of the classes below, smallest class first.
    if (chosen == kNone) {
        std::uint32_t probes = 0;
        std::optional<SizeClass> sc = findNonEmpty(classOf(size));
        while (sc && chosen == kNone && probes < kMaxFallbackProbes) {
            for (std::uint32_t index = heads_[sc->firstLevel][sc->secondLevel];
                 index != kNone && probes < kMaxFallbackProbes; index = nodes_[index].nextFree) {
                ++probes;
                if (const auto placed = placeIn(nodes_[index], size, alignment, kind)) {
                    chosen = index;
                    start = *placed;
                    break;
                }
            }
            if (chosen != kNone) {
                break;
            }
            SizeClass next = *sc;
            if (++next.secondLevel == kSecondLevelCount) {
                next.secondLevel = 0;
                if (++next.firstLevel == kFirstLevelCount) {
                    break;
                }
            }
            sc = findNonEmpty(next);
        }
    }
    if (chosen == kNone) {
        return std::nullopt;
    }

    removeFree(chosen);
    const std::uint64_t rangeOffset = nodes_[chosen].offset;
    const std::uint64_t rangeEnd = rangeOffset + nodes_[chosen].size;

    // Padding in front stays free as its own range (its left neighbour is live, or none).
    if (start > rangeOffset) {
        const std::uint32_t pad = acquireNode();
        Node& padding = nodes_[pad];
        Node& range = nodes_[chosen];
        padding.offset = rangeOffset;
        padding.size = start - rangeOffset;
        padding.prevPhysical = range.prevPhysical;
        padding.nextPhysical = chosen;
        if (range.prevPhysical != kNone) {
            nodes_[range.prevPhysical].nextPhysical = pad;
        } else {
            firstPhysical_ = pad;
        }
        range.prevPhysical = pad;
        insertFree(pad);
    }
    // The rest after the allocation stays free (its right neighbour is live, or none).
    if (start + size < rangeEnd) {
        const std::uint32_t rest = acquireNode();
        Node& tail = nodes_[rest];
        Node& range = nodes_[chosen];
        tail.offset = start + size;
        tail.size = rangeEnd - tail.offset;
        tail.prevPhysical = chosen;
        tail.nextPhysical = range.nextPhysical;
        if (range.nextPhysical != kNone) {
            nodes_[range.nextPhysical].prevPhysical = rest;
        }
        range.nextPhysical = rest;
        insertFree(rest);
    }

    Node& node = nodes_[chosen];
    node.offset = start;
    node.size = size;
    node.markUsed(kind);
    usedBytes_ += size;
    ++allocationCount_;
    ++kindCount_[kindIndex(kind)];
    return Allocation{start, size, AllocationHandle{chosen + 1}};
}

void TlsfAllocator::free(AllocationHandle handle) noexcept {
    assert(handle.valid() && handle.value <= nodes_.size() && "not a handle of this allocator");
    std::uint32_t index = handle.value - 1;
    assert(nodes_[index].used() && "double free, or a handle of another allocator");
    if (!handle.valid() || index >= nodes_.size() || !nodes_[index].used()) {
        return;
    }
    Node& node = nodes_[index];
    usedBytes_ -= node.size;
    --allocationCount_;
    --kindCount_[kindIndex(node.kind())];
    node.prevFree = kNone;  // no longer used; insertFree links it
    node.nextFree = kNone;

    // Merge into a free left neighbour: it keeps its node, this one goes back to the pool.
    if (const std::uint32_t left = node.prevPhysical; left != kNone && !nodes_[left].used()) {
        removeFree(left);
        Node& merged = nodes_[left];
        merged.size += node.size;
        merged.nextPhysical = node.nextPhysical;
        if (node.nextPhysical != kNone) {
            nodes_[node.nextPhysical].prevPhysical = left;
        }
        releaseNode(index);
        index = left;
    }
    // Swallow a free right neighbour.
    Node& current = nodes_[index];
    if (const std::uint32_t right = current.nextPhysical; right != kNone && !nodes_[right].used()) {
        removeFree(right);
        const Node& absorbed = nodes_[right];
        current.size += absorbed.size;
        current.nextPhysical = absorbed.nextPhysical;
        if (absorbed.nextPhysical != kNone) {
            nodes_[absorbed.nextPhysical].prevPhysical = index;
        }
        releaseNode(right);
    }
    insertFree(index);
}

std::uint64_t TlsfAllocator::largestFree() const noexcept {
    if (firstLevelMap_ == 0) {
        return 0;
    }
    const auto first = static_cast<std::uint32_t>(std::bit_width(firstLevelMap_) - 1);
    const auto second = static_cast<std::uint32_t>(std::bit_width(secondLevelMap_[first]) - 1);
    std::uint64_t largest = 0;
    for (std::uint32_t index = heads_[first][second]; index != kNone;
         index = nodes_[index].nextFree) {
        largest = std::max(largest, nodes_[index].size);
    }
    return largest;
}

TlsfStatistics TlsfAllocator::statistics() const noexcept {
    TlsfStatistics stats;
    stats.size = size_;
    stats.usedBytes = usedBytes_;
    stats.freeBytes = size_ - usedBytes_;
    stats.allocationCount = allocationCount_;
    stats.freeRangeCount = freeRangeCount_;
    stats.largestFree = largestFree();
    stats.fragmentation = stats.freeBytes == 0 ? 0.0
                                               : 1.0 - static_cast<double>(stats.largestFree) /
                                                           static_cast<double>(stats.freeBytes);
    return stats;
}

bool TlsfAllocator::checkInvariants() const noexcept {
    std::uint64_t offset = 0;
    std::uint64_t used = 0;
    std::uint32_t allocations = 0;
    std::uint32_t freeRanges = 0;
    std::array<std::uint32_t, 2> kinds{};
    std::uint32_t previous = kNone;
    std::size_t steps = 0;
    for (std::uint32_t index = firstPhysical_; index != kNone; index = nodes_[index].nextPhysical) {
        if (++steps > nodes_.size()) {
            return false;  // a cycle
        }
        const Node& node = nodes_[index];
        if (node.offset != offset || node.size == 0 || node.prevPhysical != previous) {
            return false;
        }
        if (node.used()) {
            used += node.size;
            ++allocations;
            ++kinds[kindIndex(node.kind())];
        } else {
            if (previous != kNone && !nodes_[previous].used()) {
                return false;  // two free neighbours left unmerged
            }
            ++freeRanges;
            // The range must be on the list of its class.
            const SizeClass sc = classOf(node.size);
            std::uint32_t walk = heads_[sc.firstLevel][sc.secondLevel];
            while (walk != kNone && walk != index) {
                walk = nodes_[walk].nextFree;
            }
            if (walk != index) {
                return false;
            }
        }
        offset += node.size;
        previous = index;
    }
    if (offset != size_ || used != usedBytes_ || allocations != allocationCount_ ||
        freeRanges != freeRangeCount_ || kinds != kindCount_) {
        return false;
    }
    // Lists hold only free ranges of their class; bitmaps mark exactly the non-empty lists.
    std::uint32_t listed = 0;
    for (std::uint32_t first = 0; first < kFirstLevelCount; ++first) {
        const bool firstBit = ((firstLevelMap_ >> first) & 1u) != 0;
        if (firstBit != (secondLevelMap_[first] != 0)) {
            return false;
        }
        for (std::uint32_t second = 0; second < kSecondLevelCount; ++second) {
            const std::uint32_t head = heads_[first][second];
            if ((head != kNone) != (((secondLevelMap_[first] >> second) & 1u) != 0)) {
                return false;
            }
            for (std::uint32_t index = head; index != kNone; index = nodes_[index].nextFree) {
                const SizeClass sc = classOf(nodes_[index].size);
                if (nodes_[index].used() || sc.firstLevel != first || sc.secondLevel != second ||
                    ++listed > freeRangeCount_) {
                    return false;
                }
            }
        }
    }
    return listed == freeRangeCount_;
}

}  // namespace vixen::gpu
