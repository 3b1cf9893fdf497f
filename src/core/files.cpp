#include "vixen/core/files.hpp"

#include <fstream>

namespace vixen::core {

Result<void> moveIntoPlace(const std::filesystem::path& temporary,
                           const std::filesystem::path& target) {
    std::error_code renamed;
    std::filesystem::rename(temporary, target, renamed);
    if (!renamed) {
        return {};
    }
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    return fail(ErrorCode::IoError, "moving '{}' into place at '{}' failed: {}", temporary.string(),
                target.string(), renamed.message());
}

Result<std::vector<std::byte>> readBinaryFile(const std::filesystem::path& path,
                                              std::uint64_t maxBytes) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
        return fail(ErrorCode::NotFound, "'{}' is not a file that exists", path.string());
    }
    const std::uintmax_t size = std::filesystem::file_size(path, error);
    if (error) {
        return fail(ErrorCode::IoError, "'{}': {}", path.string(), error.message());
    }
    if (size > maxBytes) {
        return fail(ErrorCode::CapacityExceeded, "'{}' is {} bytes; at most {} are read",
                    path.string(), size, maxBytes);
    }
    std::vector<std::byte> bytes(static_cast<std::size_t>(size));
    std::ifstream file(path, std::ios::binary);
    if (!file.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size))) {
        return fail(ErrorCode::IoError, "'{}' could not be read", path.string());
    }
    return bytes;
}

}  // namespace vixen::core
