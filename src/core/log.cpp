#include "vixen/core/log.hpp"

#include <atomic>
#include <cstdio>

namespace vixen::log {
namespace {

void writeToStderr(Level lvl, std::string_view message) {
    fmt::print(stderr, "[{}] {}\n", toString(lvl), message);
}

std::atomic<Sink> currentSink{&writeToStderr};
std::atomic<Level> currentLevel{Level::Info};

}  // namespace

void setSink(Sink sink) noexcept {
    currentSink.store(sink != nullptr ? sink : &writeToStderr);
}
void setLevel(Level lvl) noexcept {
    currentLevel.store(lvl);
}
Level level() noexcept {
    return currentLevel.load(std::memory_order_relaxed);
}
void write(Level lvl, std::string_view message) {
    currentSink.load()(lvl, message);
}

std::string_view toString(Level lvl) noexcept {
    switch (lvl) {
        case Level::Trace:
            return "trace";
        case Level::Debug:
            return "debug";
        case Level::Info:
            return "info";
        case Level::Warn:
            return "warn";
        case Level::Error:
            return "error";
        case Level::Off:
            return "off";
    }
    return "?";
}

}  // namespace vixen::log
