#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vixen::core {

/// Resources other than heap memory that the zero-allocation runtime accounts for: the
/// GPU layer reports each take here so the per-phase allocation report shows them beside
/// heap allocations.
enum class ResourceTake : std::uint8_t {
    DeviceMemory,   ///< a VkDeviceMemory allocation or a sub-allocation of one
    StagingBuffer,  ///< a range of a staging buffer
    DescriptorSet,  ///< a descriptor set from a pool
    CommandBuffer,  ///< a command buffer from a pool
};
inline constexpr std::size_t kResourceTakeCount = 4;
[[nodiscard]] std::string_view toString(ResourceTake take) noexcept;

struct ResourceTakeCounts {
    static constexpr std::size_t kNameCapacity = 47;

    std::uint64_t takes = 0;
    std::uint64_t amount = 0;   ///< bytes for memory and staging, objects otherwise
    std::uint64_t largest = 0;  ///< the largest single take
    std::array<char, kNameCapacity + 1> largestName{};  ///< what asked for it, truncated

    [[nodiscard]] std::string_view largestWhat() const noexcept {
        return std::string_view(largestName.data());
    }
};

/// Process-wide counters of resource takes. `note` is lock-free except when a take is the
/// largest of the current window, which also records its name.
class ResourceTakes {
public:
    static void note(ResourceTake kind, std::uint64_t amount, std::string_view what) noexcept;

    /// Takes and amounts since the process started; `largest` and its name are those of
    /// the current window (since the last `startWindow`).
    [[nodiscard]] static ResourceTakeCounts snapshot(ResourceTake kind) noexcept;
    /// Only the takes and the amount so far (no largest, no name): lock-free.
    [[nodiscard]] static ResourceTakeCounts totals(ResourceTake kind) noexcept;
    /// Starts a new window for the largest take (AllocationProfile does at each phase).
    static void startWindow() noexcept;
};

}  // namespace vixen::core
