#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "vixen/core/error.hpp"

namespace vixen::core {

/// The last step of writing a file safely: renames the complete `temporary` over `target`.
/// On failure the temporary is removed and the error (IoError) names both paths and why.
[[nodiscard]] Result<void> moveIntoPlace(const std::filesystem::path& temporary,
                                         const std::filesystem::path& target);

/// The bytes of the file at `path`: NotFound when it is not a regular file, IoError when it
/// cannot be read, CapacityExceeded when it is larger than `maxBytes` (nothing is allocated
/// for it then).
[[nodiscard]] Result<std::vector<std::byte>> readBinaryFile(
    const std::filesystem::path& path, std::uint64_t maxBytes = std::uint64_t{1} << 32);

}  // namespace vixen::core
