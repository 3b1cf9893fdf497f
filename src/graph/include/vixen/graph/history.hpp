#pragma once

#include <array>
#include <cstdint>

#include "vixen/graph/slot.hpp"

namespace vixen::graph {

/// The longest rotation the graph accepts: every ring is back at its first element after
/// the least common multiple of the ring sizes, and the GPU runtime derives barriers for
/// each frame of it.
inline constexpr std::uint32_t kMaxHistoryPeriod = 256;

/// The ring of one history output: `size` resources made at compile, of which the one at
/// `position` is this frame's. The graph rotates it between frames by pointing the output
/// and its connections at the next element; nothing is made or moved.
struct HistoryRing {
    static constexpr std::uint32_t kMaxElements = kMaxHistoryDepth + 1;

    std::array<void*, kMaxElements> elements{};
    std::uint32_t size = 0;      ///< the declared depth + 1
    std::uint32_t position = 0;  ///< the element of the frame being executed
    /// Frames executed since the ring was last reset, the one executing excluded: frame
    /// `framesAgo` back holds data only when it is at most this.
    std::uint64_t framesWritten = 0;
    std::uint32_t output = 0;      ///< the output's entry in the graph's output table
    std::uint32_t firstBound = 0;  ///< the connections' entries in the graph's bound table
    std::uint32_t boundCount = 0;
    std::uint32_t producer = 0;  ///< the node that writes it

    [[nodiscard]] std::uint32_t depth() const noexcept { return size - 1; }
    /// The element that held the frame `framesAgo` before this one (0: this frame's).
    [[nodiscard]] std::uint32_t elementBack(std::uint32_t framesAgo) const noexcept {
        return (position + size - framesAgo % size) % size;
    }
    /// True when frame `framesAgo` back was written since the last reset.
    [[nodiscard]] bool holds(std::uint32_t framesAgo) const noexcept {
        return framesAgo >= 1 && framesAgo < size && framesAgo <= framesWritten;
    }
};

/// One earlier frame of a history slot. `valid` is false when that frame was not written
/// since the ring was made or reset (the first frames, after a resize or a structural
/// change, after resetHistory): its contents are undefined and must not be used.
/// `resource` is the element all the same (a node binds every element at compile), or null
/// when `framesAgo` is outside 1..depth.
template <class T>
struct HistoryView {
    const T* resource = nullptr;
    bool valid = false;
};

/// Every element of a history slot, for what a node prepares per ring position at compile
/// (a descriptor set per element, say) and reads at execute.
template <class T>
class HistoryRingView {
public:
    explicit HistoryRingView(const HistoryRing* ring) noexcept : ring_(ring) {}

    /// Elements in the ring (depth + 1); 0 when unconnected.
    [[nodiscard]] std::uint32_t size() const noexcept { return ring_ ? ring_->size : 0; }
    /// The element written this frame.
    [[nodiscard]] std::uint32_t position() const noexcept { return ring_ ? ring_->position : 0; }
    [[nodiscard]] T& element(std::uint32_t index) const noexcept {
        return *static_cast<T*>(ring_->elements[index]);
    }
    [[nodiscard]] HistoryView<T> back(std::uint32_t framesAgo) const noexcept {
        if (ring_ == nullptr || framesAgo == 0 || framesAgo >= ring_->size) {
            return {};
        }
        return {static_cast<const T*>(ring_->elements[ring_->elementBack(framesAgo)]),
                ring_->holds(framesAgo)};
    }

private:
    const HistoryRing* ring_;
};

}  // namespace vixen::graph
