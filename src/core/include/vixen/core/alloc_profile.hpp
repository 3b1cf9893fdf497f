#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vixen/core/alloc_tracker.hpp"
#include "vixen/core/resource_takes.hpp"

namespace vixen::core {

/// The lifecycle phases every graph and node goes through.
enum class Phase : std::uint8_t { Setup, Compile, Execute, Cleanup };
inline constexpr std::size_t kPhaseCount = 4;
std::string_view toString(Phase phase) noexcept;

struct PhaseAllocations {
    AllocationCounts counts;    ///< summed over every entry into the phase
    std::uint64_t entries = 0;  ///< how many times the phase ran (frames, for Execute)
    /// Device memory, staging, descriptor sets and command buffers taken in the phase;
    /// `largest` names the largest single take of any one run of the phase.
    std::array<ResourceTakeCounts, kResourceTakeCount> takes{};

    [[nodiscard]] const ResourceTakeCounts& take(ResourceTake kind) const noexcept {
        return takes[static_cast<std::size_t>(kind)];
    }
};

/// Allocations of the Execute phase frame by frame.
struct FrameAllocations {
    std::uint64_t frames = 0;
    std::uint64_t framesThatAllocated = 0;
    std::uint64_t maxAllocationsInAFrame = 0;
    std::uint64_t framesThatTookResources = 0;  ///< device memory, staging, sets, buffers
    AllocationCounts lastFrame;
};

/// Per-phase allocation snapshots, marked by the graph at its phase boundaries.
/// Counts every thread (worker pools included), and the ResourceTakes the GPU layer
/// reports. Marking a boundary allocates nothing. The largest-take window is process-wide,
/// so profiles whose phases overlap in time share it.
class AllocationProfile {
public:
    void beginPhase(Phase phase) noexcept;
    void endPhase() noexcept;
    [[nodiscard]] std::optional<Phase> currentPhase() const noexcept { return current_; }

    [[nodiscard]] const PhaseAllocations& phase(Phase phase) const noexcept {
        return phases_[static_cast<std::size_t>(phase)];
    }
    [[nodiscard]] const FrameAllocations& frames() const noexcept { return frames_; }
    void reset() noexcept;

    /// A table: count, bytes and largest allocation per phase, then the resource takes per
    /// phase with the largest named, then the per-frame delta.
    [[nodiscard]] std::string report() const;

private:
    std::array<PhaseAllocations, kPhaseCount> phases_{};
    FrameAllocations frames_{};
    std::optional<Phase> current_;
    std::optional<AllocationRegion> region_;
    std::array<ResourceTakeCounts, kResourceTakeCount> takesAtBegin_{};
};

}  // namespace vixen::core
