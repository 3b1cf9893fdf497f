#include "vixen/core/alloc_profile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

namespace vixen::core {

std::string_view toString(Phase phase) noexcept {
    switch (phase) {
        case Phase::Setup:
            return "setup";
        case Phase::Compile:
            return "compile";
        case Phase::Execute:
            return "execute";
        case Phase::Cleanup:
            return "cleanup";
    }
    return "?";
}

void AllocationProfile::beginPhase(Phase phase) noexcept {
    assert(!current_ && "phases do not nest; end the current one first");
    current_ = phase;
    for (std::size_t k = 0; k < kResourceTakeCount; ++k) {
        takesAtBegin_[k] = ResourceTakes::totals(static_cast<ResourceTake>(k));
    }
    ResourceTakes::startWindow();
    region_.emplace(TrackScope::AllThreads);
}

void AllocationProfile::endPhase() noexcept {
    assert(current_ && region_);
    const AllocationCounts delta = region_->counts();
    region_.reset();
    PhaseAllocations& stats = phases_[static_cast<std::size_t>(*current_)];
    stats.counts.allocations += delta.allocations;
    stats.counts.frees += delta.frees;
    stats.counts.bytes += delta.bytes;
    stats.counts.largest = std::max(stats.counts.largest, delta.largest);
    ++stats.entries;
    std::uint64_t takesInPhase = 0;
    for (std::size_t k = 0; k < kResourceTakeCount; ++k) {
        const auto kind = static_cast<ResourceTake>(k);
        const ResourceTakeCounts now = ResourceTakes::totals(kind);
        ResourceTakeCounts& sum = stats.takes[k];
        const std::uint64_t takes = now.takes - takesAtBegin_[k].takes;
        takesInPhase += takes;
        sum.takes += takes;
        sum.amount += now.amount - takesAtBegin_[k].amount;
        if (takes > 0) {
            // The largest and its name need the lock; a steady frame takes nothing.
            const ResourceTakeCounts largest = ResourceTakes::snapshot(kind);
            if (largest.largest > sum.largest) {
                sum.largest = largest.largest;
                sum.largestName = largest.largestName;
            }
        }
    }
    if (*current_ == Phase::Execute) {
        frames_.framesThatTookResources += takesInPhase > 0 ? 1 : 0;
        ++frames_.frames;
        frames_.framesThatAllocated += delta.allocations > 0 ? 1 : 0;
        frames_.maxAllocationsInAFrame =
            std::max(frames_.maxAllocationsInAFrame, delta.allocations);
        frames_.lastFrame = delta;
    }
    current_.reset();
}

void AllocationProfile::reset() noexcept {
    phases_ = {};
    frames_ = {};
}

std::string AllocationProfile::report() const {
    std::string text = "allocations per phase (global operator new, all threads):\n";
    if (!AllocationTracker::installed()) {
        text += "  (allocation hooks not linked into this program: counts unavailable)\n";
    }
    text += fmt::format("  {:<8} {:>7} {:>12} {:>12} {:>14} {:>8}\n", "phase", "runs",
                        "allocations", "bytes", "largest bytes", "frees");
    for (std::size_t i = 0; i < kPhaseCount; ++i) {
        const PhaseAllocations& stats = phases_[i];
        text +=
            fmt::format("  {:<8} {:>7} {:>12} {:>12} {:>14} {:>8}\n",
                        toString(static_cast<Phase>(i)), stats.entries, stats.counts.allocations,
                        stats.counts.bytes, stats.counts.largest, stats.counts.frees);
    }
    text += fmt::format(
        "  per frame: {} frames, {} allocated, at most {} allocations in one frame, last frame {} "
        "allocations / {} bytes\n",
        frames_.frames, frames_.framesThatAllocated, frames_.maxAllocationsInAFrame,
        frames_.lastFrame.allocations, frames_.lastFrame.bytes);
    text += "resource takes per phase (reported by the GPU layer):\n";
    text += fmt::format("  {:<8} {:<16} {:>7} {:>14} {:>14}  {}\n", "phase", "resource", "takes",
                        "amount", "largest", "largest is");
    bool anyTake = false;
    for (std::size_t i = 0; i < kPhaseCount; ++i) {
        for (std::size_t k = 0; k < kResourceTakeCount; ++k) {
            const ResourceTakeCounts& take = phases_[i].takes[k];
            if (take.takes == 0) {
                continue;
            }
            anyTake = true;
            text +=
                fmt::format("  {:<8} {:<16} {:>7} {:>14} {:>14}  {}\n",
                            toString(static_cast<Phase>(i)), toString(static_cast<ResourceTake>(k)),
                            take.takes, take.amount, take.largest, take.largestWhat());
        }
    }
    if (!anyTake) {
        text += "  none\n";
    }
    text += fmt::format("  per frame: {} of {} frames took resources\n",
                        frames_.framesThatTookResources, frames_.frames);
    return text;
}

}  // namespace vixen::core
