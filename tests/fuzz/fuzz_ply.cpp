// libFuzzer target: any bytes (gzip-compressed too) through the PLY parser and, where they
// parse, the voxelizer at a small resolution. Every input must be read or refused with an
// error; a crash, a sanitizer report or an allocation past -malloc_limit_mb is a finding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "vixen/voxel/mesh_voxelizer.hpp"
#include "vixen/voxel/ply_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto mesh = vixen::voxel::parsePly(std::as_bytes(std::span(data, size)), "fuzz.ply");
    if (mesh) {
        vixen::voxel::MeshVoxelOptions options;
        options.voxels = 16;
        options.solid = true;
        static_cast<void>(vixen::voxel::voxelizeMesh(*mesh, options, "fuzz.ply"));
    }
    return 0;
}
