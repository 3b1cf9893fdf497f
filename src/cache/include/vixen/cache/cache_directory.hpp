#pragma once

// Where caches live: a root directory holding one directory per identity (a device and
// driver, or the host), and what `vixen cache info` and `vixen cache clear` see there.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "vixen/cache/cache_file.hpp"
#include "vixen/core/error.hpp"

namespace vixen::cache {

/// The cache root: `option` when not empty, else $VIXEN_CACHE_DIR, else
/// $XDG_CACHE_HOME/vixen, else $HOME/.cache/vixen. InvalidArgument when none of them is set.
[[nodiscard]] Result<std::filesystem::path> resolveCacheRoot(const std::filesystem::path& option);

/// One cache as found on disk: its main file plus, for a per-entry cache, its entry files.
struct CacheSummary {
    std::string identity;  ///< its directory's name
    std::string name;
    std::uint64_t entries = 0;
    std::uint64_t bytes = 0;
    CacheFileStats stats;
    std::vector<std::string> problems;  ///< files that did not open, and why
};

/// Every cache under `root`, by identity directory then name.
[[nodiscard]] std::vector<CacheSummary> listCaches(const std::filesystem::path& root);

/// Removes every identity directory under `root` (what VIXEN wrote there and nothing else);
/// the number of files removed. IoError names what could not be removed.
[[nodiscard]] Result<std::uint64_t> clearCaches(const std::filesystem::path& root);

}  // namespace vixen::cache
