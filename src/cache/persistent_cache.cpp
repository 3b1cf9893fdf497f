#include "vixen/cache/persistent_cache.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "vixen/core/log.hpp"

namespace vixen::cache {
namespace {

constexpr std::string_view kExtension = ".vxc";

/// Holds an exclusive flock on a lock file while it lives.
class FileLock {
public:
    explicit FileLock(const std::filesystem::path& path)
        : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
        if (fd_ >= 0) {
            while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
            }
        }
    }
    ~FileLock() {
        if (fd_ >= 0) {
            ::close(fd_);  // releases the lock
        }
    }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    [[nodiscard]] bool held() const noexcept { return fd_ >= 0; }

private:
    int fd_;
};

/// Removes temporaries `<file>.tmp.<pid>.<n>` in `directory` whose writer is gone (killed
/// while saving): a live writer's temporary is left alone.
void removeAbandonedTemporaries(const std::filesystem::path& directory) {
    std::error_code error;
    for (const auto& item : std::filesystem::directory_iterator(directory, error)) {
        const std::string file = item.path().filename().string();
        const std::size_t at = file.find(".tmp.");
        if (at == std::string::npos) {
            continue;
        }
        const std::string_view rest = std::string_view(file).substr(at + 5);
        int pid = 0;
        const auto [end, parsed] = std::from_chars(rest.data(), rest.data() + rest.size(), pid);
        if (parsed != std::errc() || pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH)) {
            std::error_code ignored;
            std::filesystem::remove(item.path(), ignored);
        }
    }
}

}  // namespace

PersistentCache::PersistentCache(PersistentCacheOptions options) : options_(std::move(options)) {
    loadIndex();
}

std::filesystem::path PersistentCache::mainFile() const {
    return options_.directory / (options_.name + std::string(kExtension));
}

std::filesystem::path PersistentCache::entryFile(const CacheKey& key) const {
    return options_.directory / options_.name / (key.hex() + std::string(kExtension));
}

void PersistentCache::report(std::string problem) {
    if (reported_.insert(problem).second) {
        log::warn("cache '{}': {}", options_.name, problem);
        problems_.push_back(std::move(problem));
    }
}

void PersistentCache::addReader(CacheFileReader reader) {
    const std::size_t index = readers_.size();
    for (std::size_t e = 0; e < reader.entries().size(); ++e) {
        onDisk_[reader.entries()[e].key] = OnDisk{index, e};
    }
    readers_.push_back(std::move(reader));
}

void PersistentCache::loadIndex() {
    std::error_code error;
    const std::filesystem::path entries = options_.directory / options_.name;
    std::filesystem::create_directories(
        options_.layout == CacheLayout::FilePerEntry ? entries : options_.directory, error);
    if (error) {
        usable_ = false;
        report(fmt::format("cache directory '{}' cannot be created: {}; nothing is kept this run",
                           options_.directory.string(), error.message()));
        return;
    }
    removeAbandonedTemporaries(options_.directory);
    auto main = CacheFileReader::open(mainFile(), options_.name, options_.identity);
    if (main) {
        fileStats_ = main->stats();
        addReader(std::move(*main));
    } else if (main.error().code != ErrorCode::NotFound) {
        report(main.error().message + "; its entries will be created again");
    }
    if (options_.layout != CacheLayout::FilePerEntry) {
        return;
    }
    removeAbandonedTemporaries(entries);
    for (const auto& item : std::filesystem::directory_iterator(entries, error)) {
        if (item.path().extension() != kExtension) {
            continue;
        }
        auto reader = CacheFileReader::open(item.path(), options_.name, options_.identity);
        if (!reader || reader->entries().size() != 1 ||
            reader->entries()[0].key.hex() != item.path().stem().string()) {
            report((reader ? fmt::format("cache file '{}' does not hold the one entry its name "
                                         "says",
                                         item.path().string())
                           : reader.error().message) +
                   "; removed, its entry will be created again");
            std::error_code ignored;
            std::filesystem::remove(item.path(), ignored);
            continue;
        }
        addReader(std::move(*reader));
    }
}

std::optional<std::vector<std::byte>> PersistentCache::find(const CacheKey& key) {
    const std::lock_guard lock(mutex_);
    if (const auto waiting = pending_.find(key); waiting != pending_.end()) {
        return waiting->second.value;
    }
    const auto found = onDisk_.find(key);
    if (found == onDisk_.end()) {
        return std::nullopt;
    }
    const CacheFileReader& reader = readers_[found->second.reader];
    const CacheEntryInfo& entry = reader.entries()[found->second.entry];
    auto value = reader.read(found->second.entry);
    if (!value) {
        report(value.error().message + "; the entry will be created again");
        if (options_.layout == CacheLayout::FilePerEntry && reader.path() != mainFile()) {
            std::error_code ignored;
            std::filesystem::remove(reader.path(), ignored);
        }
        onDisk_.erase(found);
        return std::nullopt;
    }
    ++session_.loads;
    session_.savedMicros += entry.createMicros;
    return std::move(*value);
}

void PersistentCache::insert(const CacheKey& key, std::vector<std::byte> value,
                             std::uint64_t createMicros) {
    const std::lock_guard lock(mutex_);
    pending_[key] = Pending{std::move(value), createMicros};
    ++session_.inserts;
}

Result<void> PersistentCache::save() {
    const std::lock_guard lock(mutex_);
    if (!usable_) {
        return fail(ErrorCode::IoError, "cache '{}' has no usable directory ('{}')", options_.name,
                    options_.directory.string());
    }
    if (pending_.empty() && session_.loads == fileStatsCounted_.loads &&
        session_.inserts == fileStatsCounted_.inserts) {
        return {};
    }
    return options_.layout == CacheLayout::OneFile ? saveOneFile() : saveFilePerEntry();
}

Result<void> PersistentCache::saveOneFile() {
    const FileLock fileLock(options_.directory / (options_.name + ".lock"));
    // What other processes saved since this one opened the file.
    std::optional<CacheFileReader> current;
    if (auto reader = CacheFileReader::open(mainFile(), options_.name, options_.identity)) {
        current.emplace(std::move(*reader));
    } else if (reader.error().code != ErrorCode::NotFound) {
        report(reader.error().message + "; its entries will be created again");
    }
    std::vector<CacheEntryToWrite> entries;
    std::vector<std::vector<std::byte>> copied;
    for (const auto& [key, waiting] : pending_) {
        entries.push_back({key, waiting.value, waiting.createMicros, {}, nullptr});
    }
    CacheFileStats stats = current ? current->stats() : CacheFileStats{};
    if (current) {
        copied.reserve(current->entries().size());
        for (std::size_t e = 0; e < current->entries().size(); ++e) {
            const CacheEntryInfo& info = current->entries()[e];
            if (pending_.contains(info.key)) {
                continue;
            }
            auto stored = current->readStored(e);
            if (!stored) {
                report(stored.error().message + "; the entry will be created again");
                continue;
            }
            copied.push_back(std::move(*stored));
            entries.push_back({info.key, {}, 0, copied.back(), &info});
        }
    }
    stats.hits += session_.loads - fileStatsCounted_.loads;
    stats.misses += session_.inserts - fileStatsCounted_.inserts;
    stats.savedMicros += session_.savedMicros - fileStatsCounted_.savedMicros;
    VIXEN_TRY(writeCacheFile(mainFile(), options_.name, options_.identity, stats, entries));
    fileStatsCounted_ = session_;
    pending_.clear();
    readers_.clear();
    onDisk_.clear();
    auto written = CacheFileReader::open(mainFile(), options_.name, options_.identity);
    if (!written) {
        report(written.error().message);
        return std::unexpected(std::move(written.error()));
    }
    fileStats_ = written->stats();
    addReader(std::move(*written));
    return {};
}

Result<void> PersistentCache::saveFilePerEntry() {
    while (!pending_.empty()) {
        const auto first = pending_.begin();
        const CacheEntryToWrite entry{
            first->first, first->second.value, first->second.createMicros, {}, nullptr};
        const std::filesystem::path path = entryFile(first->first);
        VIXEN_TRY(writeCacheFile(path, options_.name, options_.identity, {}, {&entry, 1}));
        auto written = CacheFileReader::open(path, options_.name, options_.identity);
        if (!written) {
            report(written.error().message);
            return std::unexpected(std::move(written.error()));
        }
        addReader(std::move(*written));
        pending_.erase(first);
    }
    const FileLock fileLock(options_.directory / (options_.name + ".lock"));
    CacheFileStats stats;
    if (auto main = CacheFileReader::open(mainFile(), options_.name, options_.identity)) {
        stats = main->stats();
    }
    stats.hits += session_.loads - fileStatsCounted_.loads;
    stats.misses += session_.inserts - fileStatsCounted_.inserts;
    stats.savedMicros += session_.savedMicros - fileStatsCounted_.savedMicros;
    VIXEN_TRY(writeCacheFile(mainFile(), options_.name, options_.identity, stats, {}));
    fileStatsCounted_ = session_;
    fileStats_ = stats;
    return {};
}

PersistentCacheStats PersistentCache::stats() const {
    const std::lock_guard lock(mutex_);
    PersistentCacheStats stats = session_;
    stats.entries = onDisk_.size();
    for (const auto& [key, waiting] : pending_) {
        stats.entries += onDisk_.contains(key) ? 0U : 1U;
    }
    stats.allRuns = fileStats_;
    return stats;
}

void PersistentCache::reportProblem(std::string problem) {
    const std::lock_guard lock(mutex_);
    report(std::move(problem));
}

std::vector<std::string> PersistentCache::problems() const {
    const std::lock_guard lock(mutex_);
    return problems_;
}

}  // namespace vixen::cache
