#include "vixen/voxel/scene_files.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "vixen/voxel/nanovdb_file.hpp"
#include "vixen/voxel/vox_file.hpp"

namespace vixen::voxel {

Result<std::unique_ptr<SceneSource>> openSceneFile(const std::filesystem::path& path,
                                                   std::int32_t maxSide) {
    std::string extension = path.extension().string();
    std::ranges::transform(extension, extension.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (extension == ".vox") {
        auto document = readVoxFile(path);
        if (!document) {
            return std::unexpected(std::move(document.error()));
        }
        return makeVoxScene(*document, path.string(), maxSide);
    }
    if (extension == ".nvdb") {
        return readNanoVdbScene(path, 0.0F, maxSide);
    }
    return fail(ErrorCode::InvalidArgument,
                "'{}': no importer reads '{}' files (known: .vox, .nvdb)", path.string(),
                extension);
}

}  // namespace vixen::voxel
