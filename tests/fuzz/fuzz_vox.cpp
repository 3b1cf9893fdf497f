// libFuzzer target: any bytes through the .vox parser and, where they parse, into a scene.
// Every input must be read or refused with an error; a crash, a sanitizer report or an
// allocation past the run's -malloc_limit_mb is a finding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "vixen/voxel/vox_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto bytes = std::as_bytes(std::span(data, size));
    auto document = vixen::voxel::parseVox(bytes, "fuzz.vox");
    if (document) {
        static_cast<void>(vixen::voxel::makeVoxScene(*document, "fuzz.vox", 256));
    }
    return 0;
}
