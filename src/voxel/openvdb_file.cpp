#include "vixen/voxel/openvdb_file.hpp"

#include <array>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

#include "nanovdb_grid_scene.hpp"
#include "vixen/voxel/detail/openvdb.hpp"

namespace vixen::voxel {
namespace {

/// OpenVDB's files start with its magic number, a 64-bit little-endian 0x56444220 ("VDB ").
constexpr std::array<unsigned char, 8> kMagic{0x20, 0x42, 0x44, 0x56, 0, 0, 0, 0};

Result<void> checkMagic(const std::filesystem::path& path) {
    std::array<unsigned char, kMagic.size()> head{};
    std::ifstream file(path, std::ios::binary);
    if (!file.read(reinterpret_cast<char*>(head.data()), head.size()) || head != kMagic) {
        return fail(ErrorCode::ParseError,
                    "'{}': OpenVDB cannot read it: it does not start with OpenVDB's magic "
                    "number",
                    path.string());
    }
    return {};
}

}  // namespace

Result<std::unique_ptr<SceneSource>> readOpenVdbScene(const std::filesystem::path& path,
                                                      float threshold, std::int32_t maxSide) {
    if (!std::filesystem::is_regular_file(path)) {
        return fail(ErrorCode::NotFound, "'{}' is not a file that exists", path.string());
    }
    VIXEN_TRY(checkMagic(path));
    openvdb::initialize();
    openvdb::FloatGrid::Ptr grid;
    std::vector<std::string> others;
    try {
        openvdb::io::File file(path.string());
        file.open(false);  // read grids as asked, not mapped: a truncated file fails here
        for (auto name = file.beginName(); name != file.endName(); ++name) {
            const openvdb::GridBase::Ptr base = file.readGrid(name.gridName());
            grid = openvdb::gridPtrCast<openvdb::FloatGrid>(base);
            if (grid) {
                break;
            }
            others.push_back(fmt::format("'{}' ({})", name.gridName(), base->valueType()));
        }
        file.close();
    } catch (const std::exception& error) {
        return fail(ErrorCode::ParseError, "'{}': OpenVDB cannot read it: {}", path.string(),
                    error.what());
    }
    if (!grid) {
        return fail(ErrorCode::InvalidArgument, "'{}' holds no float grid (it holds: {})",
                    path.string(),
                    others.empty() ? "no grid" : fmt::format("{}", fmt::join(others, ", ")));
    }
    const openvdb::CoordBBox box = grid->evalActiveVoxelBoundingBox();
    if (box.empty()) {
        return fail(ErrorCode::InvalidArgument, "'{}': the grid has no active voxel",
                    path.string());
    }
    // Sizes are checked before the conversion, which allocates in proportion to the grid.
    const openvdb::Coord extent = box.dim();
    if (extent.x() > maxSide || extent.y() > maxSide || extent.z() > maxSide) {
        return fail(ErrorCode::CapacityExceeded,
                    "'{}': the grid is {}x{}x{} voxels; at most {} a side", path.string(),
                    extent.x(), extent.y(), extent.z(), maxSide);
    }
    nanovdb::GridHandle<> handle;
    try {
        handle = nanovdb::openToNanoVDB(*grid);
    } catch (const std::exception& error) {
        return fail(ErrorCode::ParseError, "'{}': its grid could not be converted: {}",
                    path.string(), error.what());
    }
    return nanoVdbGridScene(std::move(handle), threshold, maxSide, path.string());
}

}  // namespace vixen::voxel
