#include "voxelize_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "vixen/nodes/voxel_scene_cache.hpp"
#include "vixen/voxel/brick_volume.hpp"
#include "vixen/voxel/nanovdb_file.hpp"
#include "vixen/voxel/procedural.hpp"
#include "vixen/voxel/scene_files.hpp"
#include "vixen/voxel/vox_file.hpp"

namespace vixen::app {
namespace {

int failWith(const Error& error) {
    fmt::print(stderr, "vixen voxelize: {}\n", error.message);
    return 1;
}

}  // namespace

int runVoxelize(const VoxelizeOptions& options) {
    std::string extension = std::filesystem::path(options.output).extension().string();
    std::ranges::transform(extension, extension.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (extension != ".vox" && extension != ".nvdb") {
        return failWith(Error{ErrorCode::InvalidArgument,
                              fmt::format("OUT '{}': no writer for '{}' files (known: .vox, .nvdb)",
                                          options.output, extension)});
    }
    // A path (with or without file:) is a file to import; a bare name a procedural scene.
    const std::string_view prefix = nodes::kSceneFilePrefix;
    const std::string input =
        options.input.starts_with(prefix) ? options.input.substr(prefix.size()) : options.input;
    const bool fromFile =
        options.input.starts_with(prefix) || std::filesystem::exists(options.input);
    const auto side = static_cast<std::int32_t>(options.voxels);
    voxel::SceneFileOptions fileOptions;
    fileOptions.meshVoxels = side;
    fileOptions.solid = options.solid;
    auto scene = fromFile ? voxel::openSceneFile(input, fileOptions)
                          : voxel::makeProceduralScene(input, {side, side, side}, options.seed);
    if (!scene) {
        return failWith(scene.error());
    }
    auto volume = voxel::BrickVolume::build(**scene);
    if (!volume) {
        return failWith(volume.error());
    }
    const Result<void> written = extension == ".vox"
                                     ? voxel::writeVoxFile(*volume, options.output)
                                     : voxel::writeNanoVdbFile(*volume, options.output);
    if (!written) {
        return failWith(written.error());
    }
    const voxel::Int3 size = volume->size();
    fmt::print("wrote {}: {}x{}x{} voxels, {} solid\n", options.output, size.x, size.y, size.z,
               volume->solidVoxels());
    return 0;
}

}  // namespace vixen::app
