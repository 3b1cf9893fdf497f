#pragma once

// The procedural scenes, one maker each (procedural.cpp checks names and sizes first).

#include <cstdint>
#include <memory>

#include "vixen/voxel/scene.hpp"

namespace vixen::voxel::detail {

/// A well-mixed 64-bit hash (splitmix64 finalizer) of `value`.
[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t value) noexcept {
    value += 0x9E3779B97F4A7C15ULL;
    value = (value ^ (value >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    value = (value ^ (value >> 27U)) * 0x94D049BB133111EBULL;
    return value ^ (value >> 31U);
}

/// A uniform double in [0, 1) from the hash of `seed` and `key`.
[[nodiscard]] constexpr double unitHash(std::uint64_t seed, std::uint64_t key) noexcept {
    return static_cast<double>(mix64(seed ^ mix64(key)) >> 11U) * 0x1.0p-53;
}

[[nodiscard]] std::unique_ptr<SceneSource> makeCornell(Int3 size, std::uint64_t seed);
[[nodiscard]] std::unique_ptr<SceneSource> makeCityscape(Int3 size, std::uint64_t seed);
[[nodiscard]] std::unique_ptr<SceneSource> makeNoiseCaves(Int3 size, std::uint64_t seed);
[[nodiscard]] std::unique_ptr<SceneSource> makeTunnels(Int3 size, std::uint64_t seed);

}  // namespace vixen::voxel::detail
