#include "cache_commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "vixen/cache/cache_directory.hpp"
#include "vixen/core/units.hpp"

namespace vixen::app {
namespace {

std::optional<std::filesystem::path> rootOrSayWhy(const std::string& cacheDir) {
    auto root = cache::resolveCacheRoot(cacheDir);
    if (!root) {
        fmt::print(stderr, "vixen cache: {}\n", root.error().message);
        return std::nullopt;
    }
    return *root;
}

}  // namespace

int printCacheInfo(const std::string& cacheDir) {
    const auto root = rootOrSayWhy(cacheDir);
    if (!root) {
        return 1;
    }
    const std::vector<cache::CacheSummary> caches = cache::listCaches(*root);
    fmt::print("cache root: {}\n", root->string());
    if (caches.empty()) {
        fmt::print("no caches\n");
        return 0;
    }
    std::size_t width = 8;
    for (const cache::CacheSummary& summary : caches) {
        width = std::max(width, summary.identity.size());
    }
    fmt::print("{:<{}} {:<10} {:>8} {:>12} {:>8} {:>8} {:>12}\n", "identity", width, "cache",
               "entries", "bytes", "hits", "misses", "time saved");
    for (const cache::CacheSummary& summary : caches) {
        fmt::print("{:<{}} {:<10} {:>8} {:>12} {:>8} {:>8} {:>10.3f} s\n", summary.identity, width,
                   summary.name, summary.entries, core::formatBytes(summary.bytes),
                   summary.stats.hits, summary.stats.misses,
                   static_cast<double>(summary.stats.savedMicros) * 1e-6);
        for (const std::string& problem : summary.problems) {
            fmt::print("  damaged (rebuilt on next use): {}\n", problem);
        }
    }
    fmt::print("hits: values loaded instead of created; time saved: what creating them took\n");
    return 0;
}

int clearCache(const std::string& cacheDir) {
    const auto root = rootOrSayWhy(cacheDir);
    if (!root) {
        return 1;
    }
    auto removed = cache::clearCaches(*root);
    if (!removed) {
        fmt::print(stderr, "vixen cache clear: {}\n", removed.error().message);
        return 1;
    }
    fmt::print("removed {} files and directories under {}\n", *removed, root->string());
    return 0;
}

}  // namespace vixen::app
