// libFuzzer target: any bytes as OBJ text through tinyobjloader behind VIXEN's checks and,
// where they parse, the voxelizer at a small resolution.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vixen/voxel/mesh_voxelizer.hpp"
#include "vixen/voxel/obj_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto mesh = vixen::voxel::parseObj(text, "fuzz.obj");
    if (mesh) {
        vixen::voxel::MeshVoxelOptions options;
        options.voxels = 16;
        options.solid = true;
        static_cast<void>(vixen::voxel::voxelizeMesh(*mesh, options, "fuzz.obj"));
    }
    return 0;
}
