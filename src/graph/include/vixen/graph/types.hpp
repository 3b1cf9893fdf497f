#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <string_view>

namespace vixen::graph {

/// Stable identity of a node within one RenderGraph.
struct NodeId {
    static constexpr std::uint32_t kInvalid = std::numeric_limits<std::uint32_t>::max();
    std::uint32_t value = kInvalid;

    [[nodiscard]] constexpr bool valid() const noexcept { return value != kInvalid; }
    friend constexpr auto operator<=>(NodeId, NodeId) = default;
};

/// How a slot touches its resource. Outputs write; an input that writes modifies the
/// producer's resource in place.
enum class Access : std::uint8_t { Read, Write, ReadWrite };

/// Which kind of work touches the resource; the GPU layer turns this into pipeline stages.
enum class StageKind : std::uint8_t { Any, Host, Transfer, Compute, Graphics, RayTracing, Present };

/// When an input is needed. Recompiling a producer recompiles the consumers that need
/// its output at compile time (Dependency); Execute inputs are read each frame through
/// a stable binding, so they need no recompile; CleanupOnly inputs only order cleanup.
enum class SlotRole : std::uint8_t { Dependency, Execute, CleanupOnly };

std::string_view toString(Access access) noexcept;
std::string_view toString(StageKind stage) noexcept;
std::string_view toString(SlotRole role) noexcept;

}  // namespace vixen::graph
