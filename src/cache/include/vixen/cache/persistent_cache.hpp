#pragma once

// A named cache of byte values kept on disk between runs, in the directory of one identity
// (a device and driver, or the host). Opening loads the index only; a value is read, checked
// and decompressed when it is first asked for. Anything wrong with a file (damaged, foreign,
// of another version, unreadable) is reported once, naming the file, and only what is bad is
// dropped: the caller creates the value again and the run goes on. Saving merges with what
// other processes saved meanwhile (under a lock) and replaces the file atomically.
//
// Layouts: OneFile keeps every entry in `<name>.vxc` (many small values: SPIR-V, pipeline
// data); FilePerEntry keeps each in `<name>/<key>.vxc` (few large values: built scenes), with
// the counters in `<name>.vxc`.

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "vixen/cache/cache_file.hpp"
#include "vixen/cache/cache_key.hpp"
#include "vixen/core/error.hpp"

namespace vixen::cache {

enum class CacheLayout : std::uint8_t { OneFile, FilePerEntry };

struct PersistentCacheOptions {
    std::filesystem::path directory;  ///< the identity's directory (CacheDirectory::forIdentity)
    std::string name;                 ///< at most 16 characters: [a-z0-9-]
    CacheIdentity identity;
    CacheLayout layout = CacheLayout::OneFile;
};

/// This run's traffic, and the file's counters over all runs once saved.
struct PersistentCacheStats {
    std::uint64_t entries = 0;      ///< on disk and waiting to be saved
    std::uint64_t loads = 0;        ///< values read from disk this run
    std::uint64_t inserts = 0;      ///< values created this run
    std::uint64_t savedMicros = 0;  ///< creation time of the values loaded this run
    CacheFileStats allRuns;         ///< as of the last open or save
};

class PersistentCache {
public:
    explicit PersistentCache(PersistentCacheOptions options);

    /// The value of `key` from disk (checked), or nothing: not there, or found bad (reported
    /// and dropped).
    [[nodiscard]] std::optional<std::vector<std::byte>> find(const CacheKey& key);
    /// Keeps `value` (which took `createMicros` to create) for the next save.
    void insert(const CacheKey& key, std::vector<std::byte> value, std::uint64_t createMicros);
    /// Writes what was inserted, merged with the file as other processes left it.
    [[nodiscard]] Result<void> save();

    [[nodiscard]] PersistentCacheStats stats() const;
    /// Records a problem a user of the cache found with a value (each once, as a warning).
    void reportProblem(std::string problem);
    /// Every problem met so far, each once (also written to the log as a warning).
    [[nodiscard]] std::vector<std::string> problems() const;
    [[nodiscard]] const std::string& name() const noexcept { return options_.name; }
    /// The main file: `<directory>/<name>.vxc`.
    [[nodiscard]] std::filesystem::path mainFile() const;

private:
    struct Pending {
        std::vector<std::byte> value;
        std::uint64_t createMicros = 0;
    };
    /// Where an entry on disk is: a reader and its index in it.
    struct OnDisk {
        std::size_t reader = 0;
        std::size_t entry = 0;
    };

    void loadIndex();
    void addReader(CacheFileReader reader);
    void report(std::string problem);
    Result<void> saveOneFile();
    Result<void> saveFilePerEntry();
    [[nodiscard]] std::filesystem::path entryFile(const CacheKey& key) const;

    PersistentCacheOptions options_;
    mutable std::mutex mutex_;
    std::vector<CacheFileReader> readers_;
    std::unordered_map<CacheKey, OnDisk, CacheKeyHash> onDisk_;
    std::map<CacheKey, Pending> pending_;
    CacheFileStats fileStats_;
    PersistentCacheStats session_;
    PersistentCacheStats fileStatsCounted_;  ///< the part of session_ already in the file
    std::vector<std::string> problems_;
    std::set<std::string> reported_;
    bool usable_ = true;
};

}  // namespace vixen::cache
