#include "vixen/core/files.hpp"

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

}  // namespace vixen::core
