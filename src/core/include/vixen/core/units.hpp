#pragma once

#include <cstdint>
#include <string>

namespace vixen::core {

/// "512 B", "1.50 KiB", "3.00 GiB": byte counts for reports and error messages.
[[nodiscard]] std::string formatBytes(std::uint64_t bytes);

}  // namespace vixen::core
