#include "vixen/cache/cache_directory.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>

namespace vixen::cache {
namespace {

bool isIdentityDirectory(const std::filesystem::directory_entry& item) {
    const std::string name = item.path().filename().string();
    return item.is_directory() && (name.starts_with("host-") || name.starts_with("device-"));
}

}  // namespace

Result<std::filesystem::path> resolveCacheRoot(const std::filesystem::path& option) {
    if (!option.empty()) {
        return option;
    }
    const auto environment = [](const char* name) -> std::string {
        const char* value = std::getenv(name);
        return value != nullptr ? std::string(value) : std::string();
    };
    if (const std::string root = environment("VIXEN_CACHE_DIR"); !root.empty()) {
        return std::filesystem::path(root);
    }
    if (const std::string xdg = environment("XDG_CACHE_HOME"); !xdg.empty()) {
        return std::filesystem::path(xdg) / "vixen";
    }
    if (const std::string home = environment("HOME"); !home.empty()) {
        return std::filesystem::path(home) / ".cache" / "vixen";
    }
    return fail(ErrorCode::InvalidArgument,
                "no cache directory: give --cache-dir, or set VIXEN_CACHE_DIR, XDG_CACHE_HOME "
                "or HOME");
}

std::vector<CacheSummary> listCaches(const std::filesystem::path& root) {
    std::map<std::pair<std::string, std::string>, CacheSummary> caches;
    std::error_code error;
    for (const auto& identity : std::filesystem::directory_iterator(root, error)) {
        if (!isIdentityDirectory(identity)) {
            continue;
        }
        const std::string identityName = identity.path().filename().string();
        for (const auto& item : std::filesystem::recursive_directory_iterator(identity, error)) {
            if (!item.is_regular_file() || item.path().extension() != ".vxc") {
                continue;
            }
            // A per-entry file's cache is its directory's name; a main file's its own stem.
            const bool perEntry = item.path().parent_path() != identity.path();
            const std::string name = perEntry ? item.path().parent_path().filename().string()
                                              : item.path().stem().string();
            CacheSummary& summary = caches[{identityName, name}];
            summary.identity = identityName;
            summary.name = name;
            auto reader = CacheFileReader::inspect(item.path());
            if (!reader) {
                summary.problems.push_back(reader.error().message);
                continue;
            }
            summary.entries += reader->entries().size();
            summary.bytes += reader->fileBytes();
            if (!perEntry) {
                summary.stats = reader->stats();
            }
        }
    }
    std::vector<CacheSummary> list;
    list.reserve(caches.size());
    for (auto& [key, summary] : caches) {
        list.push_back(std::move(summary));
    }
    return list;
}

Result<std::uint64_t> clearCaches(const std::filesystem::path& root) {
    std::uint64_t removed = 0;
    std::error_code error;
    for (const auto& identity : std::filesystem::directory_iterator(root, error)) {
        if (!isIdentityDirectory(identity)) {
            continue;
        }
        const std::uintmax_t count = std::filesystem::remove_all(identity.path(), error);
        if (error) {
            return fail(ErrorCode::IoError, "cannot remove cache directory '{}': {}",
                        identity.path().string(), error.message());
        }
        removed += count;
    }
    if (error && error != std::errc::no_such_file_or_directory) {
        return fail(ErrorCode::IoError, "cannot read cache directory '{}': {}", root.string(),
                    error.message());
    }
    return removed;
}

}  // namespace vixen::cache
