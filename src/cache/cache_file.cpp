#include "vixen/cache/cache_file.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstring>
#include <thread>

#include "vixen/core/files.hpp"

namespace vixen::cache {
namespace {

static_assert(std::endian::native == std::endian::little, "cache files are little-endian");

constexpr std::array<char, 8> kMagic{'V', 'X', 'N', 'C', 'A', 'C', 'H', 'E'};
constexpr std::size_t kHeaderBytes = 112;
constexpr std::size_t kHeaderChecked = 104;  ///< the header checksum covers bytes before it
constexpr std::size_t kIndexEntryBytes = 64;
constexpr std::uint64_t kCompressedFlag = 1;

template <class T>
void put(std::vector<std::byte>& out, std::size_t at, T value) {
    std::memcpy(out.data() + at, &value, sizeof value);
}

template <class T>
T get(std::span<const std::byte> in, std::size_t at) {
    T value;
    std::memcpy(&value, in.data() + at, sizeof value);
    return value;
}

std::uint64_t checksum(std::span<const std::byte> bytes) {
    return XXH64(bytes.data(), bytes.size(), 0);
}

std::array<char, kCacheNameBytes> nameField(std::string_view name) {
    std::array<char, kCacheNameBytes> field{};
    std::copy_n(name.begin(), std::min(name.size(), field.size()), field.begin());
    return field;
}

/// A file descriptor closed when it goes.
class FileHandle {
public:
    explicit FileHandle(int fd) noexcept : fd_(fd) {}
    ~FileHandle() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;
    [[nodiscard]] int get() const noexcept { return fd_; }
    /// Closes now, reporting the close's error (a delayed write error shows here).
    int close() noexcept {
        const int result = ::close(fd_);
        fd_ = -1;
        return result;
    }

private:
    int fd_;
};

Result<void> readAt(int fd, const std::filesystem::path& path, std::uint64_t offset,
                    std::span<std::byte> out) {
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t got =
            ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            return fail(ErrorCode::IoError,
                        "cache file '{}': reading {} bytes at offset {} failed: {}", path.string(),
                        out.size(), offset, got < 0 ? std::strerror(errno) : "the file ended");
        }
        done += static_cast<std::size_t>(got);
    }
    return {};
}

Result<void> writeAll(int fd, const std::filesystem::path& path, std::span<const std::byte> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t wrote = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (wrote < 0 && errno == EINTR) {
            continue;
        }
        if (wrote < 0) {
            return fail(ErrorCode::IoError, "cache file '{}': write failed: {}", path.string(),
                        std::strerror(errno));
        }
        done += static_cast<std::size_t>(wrote);
    }
    return {};
}

std::string hexBytes(std::span<const std::uint8_t> bytes) {
    std::string out;
    for (const std::uint8_t b : bytes) {
        out += fmt::format("{:02x}", b);
    }
    return out;
}

}  // namespace

CacheIdentity CacheIdentity::host(std::uint32_t buildVersion) {
    CacheIdentity identity;
    identity.driverVersion = buildVersion;
    identity.kind = 0;
    return identity;
}

std::string CacheIdentity::directoryName() const {
    if (kind == 0) {
        return fmt::format("host-v{}", driverVersion);
    }
    return fmt::format("device-{}-{:08x}-{:08x}-{:08x}", hexBytes(pipelineCacheUuid), vendorId,
                       deviceId, driverVersion);
}

Result<CacheFileReader> CacheFileReader::open(const std::filesystem::path& path,
                                              std::string_view name,
                                              const CacheIdentity& identity) {
    return openChecked(path, &name, &identity);
}

Result<CacheFileReader> CacheFileReader::inspect(const std::filesystem::path& path) {
    return openChecked(path, nullptr, nullptr);
}

Result<CacheFileReader> CacheFileReader::openChecked(const std::filesystem::path& path,
                                                     const std::string_view* name,
                                                     const CacheIdentity* identity) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            return fail(ErrorCode::NotFound, "cache file '{}' does not exist", path.string());
        }
        return fail(ErrorCode::IoError, "cache file '{}' cannot be opened: {}", path.string(),
                    std::strerror(errno));
    }
    FileHandle file(fd);
    const off_t end = ::lseek(fd, 0, SEEK_END);
    if (end < 0) {
        return fail(ErrorCode::IoError, "cache file '{}' cannot be read: {}", path.string(),
                    std::strerror(errno));
    }
    const auto size = static_cast<std::uint64_t>(end);
    const auto corrupt = [&](std::string_view what) {
        return fail(ErrorCode::ParseError, "cache file '{}' is damaged: {}", path.string(), what);
    };
    if (size < kHeaderBytes + 8) {
        return corrupt(fmt::format("{} bytes, shorter than a header and an empty index", size));
    }
    std::vector<std::byte> header(kHeaderBytes);
    VIXEN_TRY(readAt(fd, path, 0, header));
    if (std::memcmp(header.data(), kMagic.data(), kMagic.size()) != 0) {
        return fail(ErrorCode::ParseError, "'{}' is not a VIXEN cache file (bad magic at offset 0)",
                    path.string());
    }
    const auto version = get<std::uint32_t>(header, 8);
    if (version != kCacheFormatVersion) {
        return fail(ErrorCode::ParseError,
                    "cache file '{}' has format version {}; this build reads version {}",
                    path.string(), version, kCacheFormatVersion);
    }
    if (get<std::uint64_t>(header, kHeaderChecked) !=
        checksum(std::span(header).first(kHeaderChecked))) {
        return corrupt("the header's checksum (offset 104) does not match");
    }
    if (get<std::uint32_t>(header, 12) != kHeaderBytes) {
        return corrupt("header size (offset 12) is not 112");
    }
    if (name != nullptr &&
        std::memcmp(header.data() + 16, nameField(*name).data(), kCacheNameBytes) != 0) {
        return fail(ErrorCode::ParseError, "cache file '{}' holds another cache than '{}'",
                    path.string(), *name);
    }
    CacheIdentity written;
    std::memcpy(written.pipelineCacheUuid.data(), header.data() + 32, 16);
    written.vendorId = get<std::uint32_t>(header, 48);
    written.deviceId = get<std::uint32_t>(header, 52);
    written.driverVersion = get<std::uint32_t>(header, 56);
    written.kind = get<std::uint32_t>(header, 60);
    if (identity != nullptr && !(written == *identity)) {
        return fail(ErrorCode::ParseError,
                    "cache file '{}' was written for {}, not for this {} ({})", path.string(),
                    written.directoryName(), identity->kind == 0 ? "build" : "device and driver",
                    identity->directoryName());
    }
    const auto count = get<std::uint64_t>(header, 64);
    const auto indexOffset = get<std::uint64_t>(header, 72);
    if (count > (size - kHeaderBytes - 8) / kIndexEntryBytes ||
        indexOffset != size - count * kIndexEntryBytes - 8) {
        return corrupt(fmt::format("{} entries with the index at offset {} do not fit its {} bytes",
                                   count, indexOffset, size));
    }
    std::vector<std::byte> index(count * kIndexEntryBytes + 8);
    VIXEN_TRY(readAt(fd, path, indexOffset, index));
    const std::span<const std::byte> indexBytes(index.data(), count * kIndexEntryBytes);
    if (get<std::uint64_t>(index, count * kIndexEntryBytes) != checksum(indexBytes)) {
        return corrupt(fmt::format("the index's checksum (offset {}) does not match",
                                   indexOffset + count * kIndexEntryBytes));
    }
    CacheFileReader reader;
    reader.path_ = path;
    reader.name_.assign(
        reinterpret_cast<const char*>(header.data() + 16),
        ::strnlen(reinterpret_cast<const char*>(header.data() + 16), kCacheNameBytes));
    reader.identity_ = written;
    reader.fileBytes_ = size;
    reader.stats_ = {get<std::uint64_t>(header, 80), get<std::uint64_t>(header, 88),
                     get<std::uint64_t>(header, 96)};
    reader.entries_.reserve(count);
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::size_t at = i * kIndexEntryBytes;
        CacheEntryInfo entry;
        entry.key = {get<std::uint64_t>(index, at), get<std::uint64_t>(index, at + 8)};
        entry.offset = get<std::uint64_t>(index, at + 16);
        entry.storedBytes = get<std::uint64_t>(index, at + 24);
        entry.rawBytes = get<std::uint64_t>(index, at + 32);
        entry.createMicros = get<std::uint64_t>(index, at + 40);
        const auto flags = get<std::uint64_t>(index, at + 48);
        entry.compressed = (flags & kCompressedFlag) != 0;
        entry.checksum = get<std::uint64_t>(index, at + 56);
        if (entry.offset < kHeaderBytes || entry.offset > indexOffset ||
            entry.storedBytes > indexOffset - entry.offset || (flags & ~kCompressedFlag) != 0 ||
            entry.rawBytes > kMaxEntryBytes ||
            (!entry.compressed && entry.rawBytes != entry.storedBytes)) {
            return corrupt(fmt::format("index entry {} (offset {}) lies about its bytes", i,
                                       indexOffset + at));
        }
        reader.entries_.push_back(entry);
    }
    return reader;
}

Result<std::vector<std::byte>> CacheFileReader::readStored(std::size_t index) const {
    const CacheEntryInfo& entry = entries_.at(index);
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return fail(ErrorCode::IoError, "cache file '{}' cannot be opened: {}", path_.string(),
                    std::strerror(errno));
    }
    FileHandle file(fd);
    std::vector<std::byte> stored(entry.storedBytes);
    VIXEN_TRY(readAt(fd, path_, entry.offset, stored));
    if (checksum(stored) != entry.checksum) {
        return fail(ErrorCode::ParseError,
                    "cache file '{}' is damaged: entry {} (bytes {}-{}) does not match its "
                    "checksum",
                    path_.string(), index, entry.offset, entry.offset + entry.storedBytes);
    }
    return stored;
}

Result<std::vector<std::byte>> CacheFileReader::read(std::size_t index) const {
    auto stored = readStored(index);
    if (!stored || !entries_[index].compressed) {
        return stored;
    }
    auto raw = decompress(*stored, entries_[index].rawBytes);
    if (!raw) {
        return fail(ErrorCode::ParseError, "cache file '{}': entry {}: {}", path_.string(), index,
                    raw.error().message);
    }
    return raw;
}

std::vector<std::byte> compress(std::span<const std::byte> raw) {
    ZSTD_CCtx* context = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, 3);
    ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 0);
    if (raw.size() >= (std::size_t{8} << 20)) {
        // Large values (built scenes) on every core; the frame does not depend on the count.
        ZSTD_CCtx_setParameter(context, ZSTD_c_nbWorkers,
                               static_cast<int>(std::max(1U, std::thread::hardware_concurrency())));
    }
    std::vector<std::byte> out(ZSTD_compressBound(raw.size()));
    const std::size_t written =
        ZSTD_compress2(context, out.data(), out.size(), raw.data(), raw.size());
    ZSTD_freeCCtx(context);
    if (ZSTD_isError(written) != 0U) {
        return {};
    }
    out.resize(written);
    return out;
}

Result<std::vector<std::byte>> decompress(std::span<const std::byte> stored,
                                          std::uint64_t rawBytes) {
    const unsigned long long declared = ZSTD_getFrameContentSize(stored.data(), stored.size());
    if (declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN ||
        declared != rawBytes) {
        return fail(ErrorCode::ParseError, "its zstd frame does not declare {} bytes", rawBytes);
    }
    std::vector<std::byte> raw(rawBytes);
    const std::size_t got = ZSTD_decompress(raw.data(), raw.size(), stored.data(), stored.size());
    if (ZSTD_isError(got) != 0U || got != rawBytes) {
        return fail(ErrorCode::ParseError, "decompressing failed: {}",
                    ZSTD_isError(got) != 0U ? ZSTD_getErrorName(got) : "short frame");
    }
    return raw;
}

Result<void> writeCacheFile(const std::filesystem::path& path, std::string_view name,
                            const CacheIdentity& identity, const CacheFileStats& stats,
                            std::span<const CacheEntryToWrite> entries) {
    static std::atomic<std::uint64_t> sequence{0};
    const std::filesystem::path temporary =
        path.string() + fmt::format(".tmp.{}.{}", ::getpid(), sequence.fetch_add(1));
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return fail(ErrorCode::IoError, "cache file '{}' cannot be created: {}", temporary.string(),
                    std::strerror(errno));
    }
    FileHandle file(fd);
    const auto written = [&]() -> Result<void> {
        std::vector<std::byte> header(kHeaderBytes);
        std::memcpy(header.data(), kMagic.data(), kMagic.size());
        put<std::uint32_t>(header, 8, kCacheFormatVersion);
        put<std::uint32_t>(header, 12, kHeaderBytes);
        std::memcpy(header.data() + 16, nameField(name).data(), kCacheNameBytes);
        std::memcpy(header.data() + 32, identity.pipelineCacheUuid.data(), 16);
        put<std::uint32_t>(header, 48, identity.vendorId);
        put<std::uint32_t>(header, 52, identity.deviceId);
        put<std::uint32_t>(header, 56, identity.driverVersion);
        put<std::uint32_t>(header, 60, identity.kind);
        put<std::uint64_t>(header, 64, entries.size());
        put<std::uint64_t>(header, 80, stats.hits);
        put<std::uint64_t>(header, 88, stats.misses);
        put<std::uint64_t>(header, 96, stats.savedMicros);
        std::vector<std::byte> index(entries.size() * kIndexEntryBytes + 8);
        std::uint64_t offset = kHeaderBytes;
        if (::lseek(fd, static_cast<off_t>(kHeaderBytes), SEEK_SET) < 0) {
            return fail(ErrorCode::IoError, "cache file '{}': seek failed: {}", temporary.string(),
                        std::strerror(errno));
        }
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const CacheEntryToWrite& entry = entries[i];
            std::vector<std::byte> compressed;
            std::span<const std::byte> stored = entry.stored;
            std::uint64_t rawBytes = entry.info != nullptr ? entry.info->rawBytes : 0;
            bool isCompressed = entry.info != nullptr && entry.info->compressed;
            std::uint64_t createMicros = entry.info != nullptr ? entry.info->createMicros : 0;
            if (entry.info == nullptr) {
                stored = entry.raw;
                rawBytes = entry.raw.size();
                createMicros = entry.createMicros;
                if (entry.raw.size() >= kCompressAbove) {
                    compressed = compress(entry.raw);
                    if (!compressed.empty() && compressed.size() < entry.raw.size()) {
                        stored = compressed;
                        isCompressed = true;
                    }
                }
            }
            VIXEN_TRY(writeAll(fd, temporary, stored));
            const std::size_t at = i * kIndexEntryBytes;
            put<std::uint64_t>(index, at, entry.key.high);
            put<std::uint64_t>(index, at + 8, entry.key.low);
            put<std::uint64_t>(index, at + 16, offset);
            put<std::uint64_t>(index, at + 24, stored.size());
            put<std::uint64_t>(index, at + 32, rawBytes);
            put<std::uint64_t>(index, at + 40, createMicros);
            put<std::uint64_t>(index, at + 48, isCompressed ? kCompressedFlag : 0);
            put<std::uint64_t>(index, at + 56, checksum(stored));
            offset += stored.size();
        }
        put<std::uint64_t>(index, entries.size() * kIndexEntryBytes,
                           checksum(std::span(index).first(entries.size() * kIndexEntryBytes)));
        VIXEN_TRY(writeAll(fd, temporary, index));
        put<std::uint64_t>(header, 72, offset);
        put<std::uint64_t>(header, kHeaderChecked,
                           checksum(std::span(header).first(kHeaderChecked)));
        if (::pwrite(fd, header.data(), header.size(), 0) != static_cast<ssize_t>(header.size())) {
            return fail(ErrorCode::IoError, "cache file '{}': writing its header failed: {}",
                        temporary.string(), std::strerror(errno));
        }
        if (::fsync(fd) != 0) {
            return fail(ErrorCode::IoError, "cache file '{}': flushing to disk failed: {}",
                        temporary.string(), std::strerror(errno));
        }
        if (file.close() != 0) {
            return fail(ErrorCode::IoError, "cache file '{}': closing failed: {}",
                        temporary.string(), std::strerror(errno));
        }
        return {};
    }();
    if (!written) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        return written;
    }
    VIXEN_TRY(core::moveIntoPlace(temporary, path));
    // The rename itself reaches the disk with the directory.
    const int directory = ::open(path.parent_path().empty() ? "." : path.parent_path().c_str(),
                                 O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory >= 0) {
        ::fsync(directory);
        ::close(directory);
    }
    return {};
}

}  // namespace vixen::cache
