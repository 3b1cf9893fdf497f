// libFuzzer target: any bytes as a .nvdb file through NanoVDB's reader behind VIXEN's checks.
// The reader takes a path, so each input is written to this process's scratch file first
// (removed after each input).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "vixen/voxel/brick_volume.hpp"
#include "vixen/voxel/nanovdb_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::filesystem::path scratch =
        std::filesystem::temp_directory_path() /
        ("vixen-fuzz-" + std::to_string(::getpid()) + ".nvdb");
    {
        std::ofstream file(scratch, std::ios::binary | std::ios::trunc);
        file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    // Small scenes are built too, so that the read accessors follow the tree's offsets.
    auto scene = vixen::voxel::readNanoVdbScene(scratch, 0.0F, 64);
    if (scene) {
        static_cast<void>(vixen::voxel::BrickVolume::build(**scene));
    }
    std::error_code ignored;
    std::filesystem::remove(scratch, ignored);
    return 0;
}
