#include "vixen/voxel/openvdb_file.hpp"

#include <algorithm>
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

/// CapacityExceeded when the box from `low` to `high` is more than `maxSide` voxels along an
/// axis (in 64 bits: a damaged file's corners are any 32-bit values).
Result<void> checkSize(const openvdb::Coord& low, const openvdb::Coord& high, std::int32_t maxSide,
                       const std::filesystem::path& path) {
    std::array<std::int64_t, 3> extent{};
    for (std::size_t a = 0; a < 3; ++a) {
        extent[a] = std::int64_t{high[a]} - std::int64_t{low[a]} + 1;
    }
    if (std::ranges::any_of(extent, [maxSide](std::int64_t side) { return side > maxSide; })) {
        return fail(ErrorCode::CapacityExceeded,
                    "'{}': the grid is {}x{}x{} voxels; at most {} a side", path.string(),
                    extent[0], extent[1], extent[2], maxSide);
    }
    return {};
}

/// The size the file states for `described` (its bounding-box metadata, which OpenVDB writes
/// with every grid), checked before the grid is read; a grid that states none is checked
/// once read.
Result<void> checkDescribedSize(const openvdb::GridBase& described, std::int32_t maxSide,
                                const std::filesystem::path& path) {
    const auto low =
        described.getMetadata<openvdb::Vec3IMetadata>(openvdb::GridBase::META_FILE_BBOX_MIN);
    const auto high =
        described.getMetadata<openvdb::Vec3IMetadata>(openvdb::GridBase::META_FILE_BBOX_MAX);
    if (!low || !high) {
        return {};
    }
    return checkSize(openvdb::Coord(low->value()), openvdb::Coord(high->value()), maxSide, path);
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
    try {
        openvdb::io::File file(path.string());
        file.open(false);  // read grids as asked, not mapped: a truncated file fails here
        // The grids' descriptions first: the float grid is chosen and its size checked before
        // any grid's voxels are read.
        const openvdb::GridPtrVecPtr described = file.readAllGridMetadata();
        std::vector<std::string> others;
        const openvdb::GridBase* chosen = nullptr;
        for (const openvdb::GridBase::Ptr& candidate : *described) {
            if (candidate->isType<openvdb::FloatGrid>()) {
                chosen = candidate.get();
                break;
            }
            others.push_back(
                fmt::format("'{}' ({})", candidate->getName(), candidate->valueType()));
        }
        if (chosen == nullptr) {
            return fail(ErrorCode::InvalidArgument, "'{}' holds no float grid (it holds: {})",
                        path.string(),
                        others.empty() ? "no grid" : fmt::format("{}", fmt::join(others, ", ")));
        }
        VIXEN_TRY(checkDescribedSize(*chosen, maxSide, path));
        grid = openvdb::gridPtrCast<openvdb::FloatGrid>(file.readGrid(chosen->getName()));
        file.close();
    } catch (const std::exception& error) {
        return fail(ErrorCode::ParseError, "'{}': OpenVDB cannot read it: {}", path.string(),
                    error.what());
    }
    if (!grid) {
        return fail(ErrorCode::ParseError, "'{}': OpenVDB cannot read its float grid",
                    path.string());
    }
    const openvdb::CoordBBox box = grid->evalActiveVoxelBoundingBox();
    if (box.empty()) {
        return fail(ErrorCode::InvalidArgument, "'{}': the grid has no active voxel",
                    path.string());
    }
    // Sizes are checked before the conversion, which allocates in proportion to the grid.
    VIXEN_TRY(checkSize(box.min(), box.max(), maxSide, path));
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
