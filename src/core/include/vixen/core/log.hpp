#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string_view>

namespace vixen::log {

enum class Level : std::uint8_t { Trace, Debug, Info, Warn, Error, Off };

/// Where formatted lines go; the default writes to stderr. Set once at startup.
using Sink = void (*)(Level level, std::string_view message);
void setSink(Sink sink) noexcept;
void setLevel(Level level) noexcept;
[[nodiscard]] Level level() noexcept;
void write(Level level, std::string_view message);
std::string_view toString(Level level) noexcept;

template <class... Args>
void message(Level lvl, fmt::format_string<Args...> format, Args&&... args) {
    if (lvl >= level()) {
        write(lvl, fmt::format(format, std::forward<Args>(args)...));
    }
}
template <class... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
    message(Level::Debug, format, std::forward<Args>(args)...);
}
template <class... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
    message(Level::Info, format, std::forward<Args>(args)...);
}
template <class... Args>
void warn(fmt::format_string<Args...> format, Args&&... args) {
    message(Level::Warn, format, std::forward<Args>(args)...);
}
template <class... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
    message(Level::Error, format, std::forward<Args>(args)...);
}

}  // namespace vixen::log
