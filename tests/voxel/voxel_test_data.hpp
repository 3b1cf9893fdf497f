#pragma once

// Real files fetched at test time by scripts/fetch-test-data.sh into VIXEN_TEST_DATA_DIR
// (the build's test-data folder), never committed.

#include <algorithm>
#include <filesystem>
#include <vector>

namespace vixen::voxel::testing {

inline constexpr const char* kExamplesNotFetched =
    "the parse-magica-voxel examples were not fetched (scripts/fetch-test-data.sh: npm "
    "registry unreachable?)";

/// The .vox examples of the parse-magica-voxel npm package, sorted; empty when not fetched.
inline std::vector<std::filesystem::path> magicaVoxelExamples() {
    const std::filesystem::path dir =
        std::filesystem::path(VIXEN_TEST_DATA_DIR) / "parse-magica-voxel/package/example";
    std::vector<std::filesystem::path> files;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
        if (entry.path().extension() == ".vox") {
            files.push_back(entry.path());
        }
    }
    std::ranges::sort(files);
    return files;
}

}  // namespace vixen::voxel::testing
