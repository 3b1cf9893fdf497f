#pragma once

#include <filesystem>

#include "vixen/core/error.hpp"

namespace vixen::core {

/// The last step of writing a file safely: renames the complete `temporary` over `target`.
/// On failure the temporary is removed and the error (IoError) names both paths and why.
[[nodiscard]] Result<void> moveIntoPlace(const std::filesystem::path& temporary,
                                         const std::filesystem::path& target);

}  // namespace vixen::core
