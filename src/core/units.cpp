#include "vixen/core/units.hpp"

#include <fmt/format.h>

#include <array>

namespace vixen::core {

std::string formatBytes(std::uint64_t bytes) {
    constexpr std::array<const char*, 5> kUnits{"KiB", "MiB", "GiB", "TiB", "PiB"};
    if (bytes < 1024) {
        return fmt::format("{} B", bytes);
    }
    double value = static_cast<double>(bytes) / 1024.0;
    std::size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < kUnits.size()) {
        value /= 1024.0;
        ++unit;
    }
    return fmt::format("{:.2f} {}", value, kUnits[unit]);
}

}  // namespace vixen::core
