#include "vixen/nodes/transient_arena.hpp"

#include <algorithm>

#include "vixen/core/align.hpp"

namespace vixen::nodes {
using core::alignUp;  // Vulkan alignments are powers of two

namespace {

/// Whether `placed` lies in `arena` (arenas may be neighbours in one memory block).
bool within(const gpu::MemoryAllocation& arena, const gpu::MemoryAllocation& placed) noexcept {
    return arena.valid() && placed.memory == arena.memory && placed.offset >= arena.offset &&
           placed.offset < arena.offset + arena.size;
}

}  // namespace

TransientArena::TransientArena(gpu::DeviceMemoryAllocator& allocator) : allocator_(&allocator) {
    placements_.reserve(kPlacementCapacity);
}

TransientArena::~TransientArena() {
    for (const DrainingArena& old : draining_) {
        allocator_->free(old.memory);
    }
    allocator_->free(arena_);
}

void TransientArena::drainIfRetired() {
    // The retired placements' lifetimes are the old compile's: the new one's plan cannot
    // share memory with them, so it gets an arena of its own.
    if (std::none_of(placements_.begin(), placements_.end(),
                     [](const Placement& p) { return p.retired; })) {
        return;
    }
    DrainingArena old{arena_, {}};
    old.placementIds.reserve(placements_.size());
    for (const Placement& p : placements_) {
        old.placementIds.push_back(p.id);
    }
    draining_.push_back(std::move(old));
    placements_.clear();
    arena_ = {};
}

Result<void> TransientArena::prepare(const VkMemoryRequirements& requirements, std::uint64_t peak) {
    // Estimates count pixels; real images may add alignment and padding, hence a margin.
    // What still does not fit gets memory of its own, counted as a fallback.
    // The arena starts on kArenaAlignment, so offsets aligned within it are aligned in memory.
    const VkDeviceSize alignment = kArenaAlignment;
    const VkDeviceSize wanted = alignUp(std::max<VkDeviceSize>(peak + peak / 8, 1), alignment);
    if (arena_.valid() && (!placements_.empty() || arena_.size >= wanted)) {
        return {};
    }
    allocator_->free(arena_);
    arena_ = {};
    VkMemoryRequirements arenaRequirements = requirements;
    arenaRequirements.size = wanted;
    arenaRequirements.alignment = alignment;
    auto memory = allocator_->allocate(arenaRequirements, 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                                       gpu::AllocationKind::Optimal, "transient arena");
    if (!memory) {
        return std::unexpected(std::move(memory.error()));
    }
    arena_ = *memory;
    return {};
}

std::optional<VkDeviceSize> TransientArena::findPlacement(VkDeviceSize size, VkDeviceSize alignment,
                                                          graph::TransientLifetime life) const {
    // First fit among the placements whose lifetimes overlap this one: try offset 0, then
    // the end of each conflicting placement, lowest first.
    const auto fitsAt = [&](VkDeviceSize offset) {
        if (offset + size > arena_.size) {
            return false;
        }
        return std::none_of(placements_.begin(), placements_.end(), [&](const Placement& p) {
            return p.lifetime.overlaps(life) && offset < p.offset + p.size &&
                   p.offset < offset + size;
        });
    };
    std::optional<VkDeviceSize> best;
    if (fitsAt(0)) {
        return VkDeviceSize{0};
    }
    for (const Placement& p : placements_) {
        if (!p.lifetime.overlaps(life)) {
            continue;
        }
        const VkDeviceSize candidate = alignUp(p.offset + p.size, alignment);
        if ((!best || candidate < *best) && fitsAt(candidate)) {
            best = candidate;
        }
    }
    return best;
}

Result<gpu::MemoryAllocation> TransientArena::allocate(graph::TransientLifetime life,
                                                       std::uint64_t plannedPeak,
                                                       const VkMemoryRequirements& requirements,
                                                       std::string_view what, bool& aliased) {
    aliased = false;
    if (life.valid() && placements_.size() < kPlacementCapacity &&
        requirements.alignment <= kArenaAlignment) {
        drainIfRetired();
        if (Result<void> arena = prepare(requirements, plannedPeak); !arena) {
            return std::unexpected(std::move(arena.error()));
        }
        if ((requirements.memoryTypeBits & (1U << arena_.memoryType)) != 0) {
            const VkDeviceSize alignment = std::max<VkDeviceSize>(requirements.alignment, 1);
            if (const auto offset = findPlacement(requirements.size, alignment, life)) {
                const std::uint32_t id = ++lastPlacementId_;
                placements_.push_back(Placement{*offset, requirements.size, life, id});
                gpu::MemoryAllocation placed = arena_;
                placed.offset = arena_.offset + *offset;
                placed.size = requirements.size;
                placed.block = kPlacedBlock;                // not the allocator's: free() knows
                placed.handle = gpu::AllocationHandle{id};  // which placement, for free()
                aliased = true;
                return placed;
            }
        }
        ++fallbacks_;
    }
    return allocator_->allocate(requirements, 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                                gpu::AllocationKind::Optimal, what);
}

void TransientArena::free(const gpu::MemoryAllocation& allocation) noexcept {
    if (!allocation.valid() || !placedHere(allocation)) {
        allocator_->free(allocation);
        return;
    }
    const std::uint32_t id = allocation.handle.value;
    if (within(arena_, allocation)) {
        std::erase_if(placements_, [&](const Placement& p) { return p.id == id; });
        return;
    }
    const auto old = std::find_if(draining_.begin(), draining_.end(), [&](const DrainingArena& d) {
        return within(d.memory, allocation);
    });
    if (old != draining_.end()) {
        std::erase(old->placementIds, id);
        if (old->placementIds.empty()) {
            allocator_->free(old->memory);
            draining_.erase(old);
        }
    }
}

void TransientArena::retire(const gpu::MemoryAllocation& allocation) noexcept {
    if (!allocation.valid() || !placedHere(allocation) || !within(arena_, allocation)) {
        return;
    }
    for (Placement& p : placements_) {
        if (p.id == allocation.handle.value) {
            p.retired = true;
        }
    }
}

TransientMemoryStats TransientArena::stats() const noexcept {
    TransientMemoryStats stats;
    stats.arenaBytes = arena_.valid() ? arena_.size : 0;
    for (const DrainingArena& old : draining_) {
        stats.drainingBytes += old.memory.size;
    }
    for (const Placement& p : placements_) {
        stats.placedBytes += p.size;
    }
    stats.placed = static_cast<std::uint32_t>(placements_.size());
    stats.fallbacks = fallbacks_;
    return stats;
}

}  // namespace vixen::nodes
