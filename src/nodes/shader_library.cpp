#include "vixen/nodes/shader_library.hpp"

#include <xxhash.h>

#include "vixen/events/engine_events.hpp"

namespace vixen::nodes {

ShaderLibrary::ShaderLibrary(std::filesystem::path directory, cache::PersistentCache* spirvCache)
    : directory_(std::move(directory)),
      compiler_(spirvCache != nullptr ? std::make_unique<cache::ShaderCompiler>(*spirvCache)
                                      : std::make_unique<cache::ShaderCompiler>()) {}

std::uint64_t ShaderLibrary::idOf(std::string_view name) noexcept {
    return XXH3_64bits(name.data(), name.size());
}

std::vector<std::filesystem::file_time_type> ShaderLibrary::timesOf(
    const std::vector<std::filesystem::path>& files) {
    std::vector<std::filesystem::file_time_type> times;
    times.reserve(files.size());
    for (const auto& file : files) {
        std::error_code error;
        times.push_back(std::filesystem::last_write_time(file, error));
    }
    return times;
}

Result<std::shared_ptr<const std::vector<std::uint32_t>>> ShaderLibrary::spirv(
    std::string_view name, std::span<const std::uint32_t> embedded) {
    if (!directory_) {
        return std::make_shared<const std::vector<std::uint32_t>>(embedded.begin(), embedded.end());
    }
    // The headers of libraries the engine's shaders include (NanoVDB's PNanoVDB.h), where
    // the build found them.
    auto compiled = compiler_->compile(
        {*directory_ / name, {}, {std::filesystem::path(VIXEN_NANOVDB_INCLUDE_DIR)}});
    // Watched even when it failed, so that fixing the file recompiles it.
    Watched& watched = watched_[std::string(name)];
    if (compiled) {
        watched.files = compiled->files;
    } else if (watched.files.empty()) {
        watched.files = {*directory_ / name};
    }
    watched.times = timesOf(watched.files);
    if (!compiled) {
        return std::unexpected(std::move(compiled.error()));
    }
    return compiled->spirv;
}

std::size_t ShaderLibrary::poll(events::EventBus& bus) {
    // Compared in place: polling between frames allocates nothing.
    std::size_t changed = 0;
    for (auto& [name, watched] : watched_) {
        bool edited = false;
        for (std::size_t i = 0; i < watched.files.size() && !edited; ++i) {
            std::error_code error;
            edited = std::filesystem::last_write_time(watched.files[i], error) != watched.times[i];
        }
        // A full queue refuses the event: the change is then seen again at the next poll.
        if (edited && bus.emit(events::ShaderChanged{idOf(name)})) {
            for (std::size_t i = 0; i < watched.files.size(); ++i) {
                std::error_code error;
                watched.times[i] = std::filesystem::last_write_time(watched.files[i], error);
            }
            ++changed;
        }
    }
    return changed;
}

}  // namespace vixen::nodes
