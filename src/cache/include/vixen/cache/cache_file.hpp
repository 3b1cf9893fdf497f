#pragma once

// One cache file on disk (docs/cache-format.md is the specification): a header naming the
// cache and the device it belongs to, the entries' bytes (zstd-compressed when large), and
// an index of the entries at the end. The header and the index carry xxhash64 checksums and
// are checked when the file opens; each entry carries its own, checked when it is first read,
// so opening a file reads no entry. A reader never trusts a size or an offset it has not
// checked against the file's length.

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vixen/cache/cache_key.hpp"
#include "vixen/core/error.hpp"

namespace vixen::cache {

inline constexpr std::uint32_t kCacheFormatVersion = 1;
inline constexpr std::size_t kCacheNameBytes = 16;
/// Entries at least this large are compressed (when that makes them smaller).
inline constexpr std::uint64_t kCompressAbove = 4096;
/// No entry is larger than this (raw): a size field above it is corruption.
inline constexpr std::uint64_t kMaxEntryBytes = std::uint64_t{1} << 36;

/// Whose files these are: a Vulkan device and driver, or the host (device-independent data
/// such as built scenes), told apart by `kind`. A file is read only by the identity it was
/// written for.
struct CacheIdentity {
    std::array<std::uint8_t, 16> pipelineCacheUuid{};
    std::uint32_t vendorId = 0;
    std::uint32_t deviceId = 0;
    std::uint32_t driverVersion = 0;
    std::uint32_t kind = 0;  ///< 0 host, 1 device

    static CacheIdentity host(std::uint32_t buildVersion);
    friend bool operator==(const CacheIdentity&, const CacheIdentity&) = default;

    /// The subdirectory of the cache root its files live in ("host-v3", "device-<uuid>-<driver>").
    [[nodiscard]] std::string directoryName() const;
};

/// Counters a cache file keeps across runs (vixen cache info).
struct CacheFileStats {
    std::uint64_t hits = 0;         ///< values found (in memory or on disk)
    std::uint64_t misses = 0;       ///< values created
    std::uint64_t savedMicros = 0;  ///< creation time of the values loaded instead of created
};

struct CacheEntryInfo {
    CacheKey key;
    std::uint64_t offset = 0;        ///< of its stored bytes in the file
    std::uint64_t storedBytes = 0;   ///< in the file
    std::uint64_t rawBytes = 0;      ///< once decompressed
    std::uint64_t createMicros = 0;  ///< what creating the value took
    bool compressed = false;
    std::uint64_t checksum = 0;  ///< xxhash64 of the stored bytes
};

/// An opened cache file: its header and index checked, its entries read on demand.
class CacheFileReader {
public:
    /// Opens `path`, expecting cache `name` of `identity`. ParseError names the file and what
    /// is wrong with it (magic, version, name, identity, a checksum, an offset), NotFound when
    /// there is no file, IoError when it cannot be read.
    static Result<CacheFileReader> open(const std::filesystem::path& path, std::string_view name,
                                        const CacheIdentity& identity);
    /// Opens `path` whatever cache and identity it holds (vixen cache info), checked alike.
    static Result<CacheFileReader> inspect(const std::filesystem::path& path);

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] const CacheIdentity& identity() const noexcept { return identity_; }

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    [[nodiscard]] std::span<const CacheEntryInfo> entries() const noexcept { return entries_; }
    [[nodiscard]] const CacheFileStats& stats() const noexcept { return stats_; }
    [[nodiscard]] std::uint64_t fileBytes() const noexcept { return fileBytes_; }

    /// Entry `index`'s stored bytes, their checksum checked (ParseError naming the entry).
    [[nodiscard]] Result<std::vector<std::byte>> readStored(std::size_t index) const;
    /// Entry `index`'s value: its stored bytes checked and decompressed.
    [[nodiscard]] Result<std::vector<std::byte>> read(std::size_t index) const;

private:
    static Result<CacheFileReader> openChecked(const std::filesystem::path& path,
                                               const std::string_view* name,
                                               const CacheIdentity* identity);

    std::filesystem::path path_;
    std::string name_;
    CacheIdentity identity_;
    std::vector<CacheEntryInfo> entries_;
    CacheFileStats stats_;
    std::uint64_t fileBytes_ = 0;
};

/// An entry to write: a value (`raw`, compressed here if large) or bytes already stored
/// (`stored` with `info`, copied from another file as they are).
struct CacheEntryToWrite {
    CacheKey key;
    std::span<const std::byte> raw;
    std::uint64_t createMicros = 0;
    std::span<const std::byte> stored;
    const CacheEntryInfo* info = nullptr;
};

/// Writes a complete cache file to `path` through a temporary beside it, flushed to disk and
/// renamed into place: readers see the old file or the new one, never a part. IoError names
/// the file and the call that failed; the old file is then left as it was.
[[nodiscard]] Result<void> writeCacheFile(const std::filesystem::path& path, std::string_view name,
                                          const CacheIdentity& identity,
                                          const CacheFileStats& stats,
                                          std::span<const CacheEntryToWrite> entries);

/// Compresses with zstd (level 3, all cores for large values).
[[nodiscard]] std::vector<std::byte> compress(std::span<const std::byte> raw);
/// Decompresses a zstd frame that must hold exactly `rawBytes` bytes.
[[nodiscard]] Result<std::vector<std::byte>> decompress(std::span<const std::byte> stored,
                                                        std::uint64_t rawBytes);

}  // namespace vixen::cache
