#pragma once

// A voxel structure laid out for the GPU: 32-bit words starting with a header whose word
// indices `Header::Word` names, and what it costs.

#include <cstdint>
#include <vector>

namespace vixen::voxel {

template <class Header>
struct GpuWords {
    std::vector<std::uint32_t> words;
    std::uint64_t solidVoxels = 0;

    [[nodiscard]] std::uint64_t bytes() const noexcept { return words.size() * 4; }
    [[nodiscard]] double bytesPerSolidVoxel() const noexcept {
        return solidVoxels == 0 ? 0.0
                                : static_cast<double>(bytes()) / static_cast<double>(solidVoxels);
    }
    [[nodiscard]] std::uint32_t header(typename Header::Word word) const noexcept {
        return words[word];
    }
};

}  // namespace vixen::voxel
