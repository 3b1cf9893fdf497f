#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/gpu/memory_allocator.hpp"
#include "vixen/graph/render_graph.hpp"

namespace vixen::nodes {

/// Statistics of the transient memory shared by aliased images.
struct TransientMemoryStats {
    VkDeviceSize arenaBytes = 0;     ///< the shared memory object's size
    VkDeviceSize drainingBytes = 0;  ///< earlier arenas that frames in flight still use
    VkDeviceSize placedBytes = 0;    ///< sum of the live transients placed in it
    std::uint32_t placed = 0;        ///< live transients in it
    std::uint32_t fallbacks = 0;     ///< transients that did not fit and got their own memory
};

/// Device memory shared by transient resources whose lifetimes (in waves) do not overlap:
/// one memory object sized from the compile's planned peak, and a first-fit placement that
/// keeps resources with overlapping lifetimes apart. What does not fit gets memory of its
/// own from the allocator, counted as a fallback. A rebuild that does not wait for the GPU
/// marks the placements it replaces `retire`d (frames in flight still use them, and their
/// lifetimes belong to the old compile); the next placement then starts a fresh arena, and
/// the old one drains: its memory goes back once its last placement is freed. The
/// allocator must outlive the arena.
class TransientArena {
public:
    static constexpr std::size_t kPlacementCapacity = 256;
    /// Where the arena starts; resources that need more alignment get memory of their own.
    static constexpr VkDeviceSize kArenaAlignment = VkDeviceSize{64} << 10;

    explicit TransientArena(gpu::DeviceMemoryAllocator& allocator);
    TransientArena(const TransientArena&) = delete;
    TransientArena& operator=(const TransientArena&) = delete;
    ~TransientArena();

    /// Memory for a resource alive during `lifetime`, placed in the arena (made, or made
    /// again while empty, at `plannedPeak` plus a margin) or allocated on its own;
    /// `aliased` says which. Free it with `free`.
    [[nodiscard]] Result<gpu::MemoryAllocation> allocate(graph::TransientLifetime lifetime,
                                                         std::uint64_t plannedPeak,
                                                         const VkMemoryRequirements& requirements,
                                                         std::string_view what, bool& aliased);
    /// Takes back what `allocate` gave, placed or not.
    void free(const gpu::MemoryAllocation& allocation) noexcept;
    /// Marks a placement that frames in flight still use while a rebuild replaces it: it is
    /// freed later (`free`), once the GPU is past it, and nothing new is placed beside it.
    void retire(const gpu::MemoryAllocation& allocation) noexcept;
    [[nodiscard]] TransientMemoryStats stats() const noexcept;

private:
    struct Placement {
        VkDeviceSize offset = 0;
        VkDeviceSize size = 0;
        graph::TransientLifetime lifetime;
        std::uint32_t id = 0;  ///< carried in the allocation's handle, so free() finds it
        bool retired = false;
    };
    /// An arena replaced while placements in it were still in use.
    struct DrainingArena {
        gpu::MemoryAllocation memory;
        std::vector<std::uint32_t> placementIds;
    };

    [[nodiscard]] bool placedHere(const gpu::MemoryAllocation& allocation) const noexcept {
        return allocation.block == kPlacedBlock;
    }
    void drainIfRetired();

    Result<void> prepare(const VkMemoryRequirements& requirements, std::uint64_t peak);
    [[nodiscard]] std::optional<VkDeviceSize> findPlacement(VkDeviceSize size,
                                                            VkDeviceSize alignment,
                                                            graph::TransientLifetime life) const;

    gpu::DeviceMemoryAllocator* allocator_;
    static constexpr std::uint32_t kPlacedBlock = ~std::uint32_t{0};

    gpu::MemoryAllocation arena_{};
    std::vector<Placement> placements_;
    std::vector<DrainingArena> draining_;
    std::uint32_t fallbacks_ = 0;
    std::uint32_t lastPlacementId_ = 0;
};

}  // namespace vixen::nodes
