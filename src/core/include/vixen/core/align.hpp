#pragma once

#include <bit>
#include <cassert>
#include <concepts>

namespace vixen::core {

/// `value` rounded up to a multiple of `alignment`, which is a power of two (alignof values,
/// Vulkan alignments, page sizes).
template <std::unsigned_integral T>
[[nodiscard]] constexpr T alignUp(T value, T alignment) noexcept {
    assert(std::has_single_bit(alignment));
    return (value + alignment - 1) & ~(alignment - 1);
}

}  // namespace vixen::core
