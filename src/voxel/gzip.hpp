#pragma once

// gzip-compressed files (RFC 1952), recognised by their magic bytes and inflated by zlib.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"

namespace vixen::voxel {

/// Whether `bytes` start with gzip's magic (1f 8b).
[[nodiscard]] bool isGzip(std::span<const std::byte> bytes) noexcept;

/// The inflated bytes of the gzip members in `bytes`: ParseError naming `name` and the
/// compressed offset for damaged or cut-off data, CapacityExceeded past `maxBytes` (inflated
/// in steps, so a lying or hostile stream never allocates more than that).
[[nodiscard]] Result<std::vector<std::byte>> gunzip(std::span<const std::byte> bytes,
                                                    std::string_view name,
                                                    std::uint64_t maxBytes = std::uint64_t{1}
                                                                             << 32);

}  // namespace vixen::voxel
