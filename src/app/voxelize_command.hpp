#pragma once

#include <cstdint>
#include <string>

namespace vixen::app {

struct VoxelizeOptions {
    std::string input;   ///< a procedural scene's name, or a scene file (file:PATH or PATH)
    std::string output;  ///< the file to write; its extension picks the format (.vox, .nvdb)
    std::uint32_t voxels = 256;  ///< a procedural scene's size, a mesh's longest side
    bool solid = false;          ///< a mesh filled, not only its surface
    std::uint64_t seed = 1;
};

/// `vixen voxelize IN OUT`: builds the scene IN and writes it as OUT. Returns the exit code.
int runVoxelize(const VoxelizeOptions& options);

}  // namespace vixen::app
