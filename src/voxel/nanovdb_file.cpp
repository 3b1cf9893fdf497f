#include "vixen/voxel/nanovdb_file.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <fstream>
#include <string>
#include <utility>

#include "nanovdb_grid_scene.hpp"
#include "vixen/core/files.hpp"
#include "vixen/voxel/detail/nanovdb.hpp"

namespace vixen::voxel {
namespace {

/// A float grid answered voxel by voxel as the volume builder asks (in parallel: each call
/// takes its own read accessor), so nothing the size of the grid's bounding box is made.
class NanoVdbGridScene final : public SceneSource {
public:
    NanoVdbGridScene(nanovdb::GridHandle<> handle, Int3 size, float threshold, Palette palette)
        : handle_(std::move(handle)),
          grid_(handle_.grid<float>()),
          low_(grid_->indexBBox().min()),
          levelSet_(grid_->isLevelSet()),
          threshold_(threshold),
          palette_(std::move(palette)),
          size_(size) {}

    [[nodiscard]] Int3 size() const noexcept override { return size_; }
    [[nodiscard]] const Palette& palette() const noexcept override { return palette_; }
    [[nodiscard]] BoxContent classify(const Box& /*box*/) const override {
        return BoxContent::mixed();
    }
    void fillBrick(Int3 origin, std::span<MaterialId, kBrickVoxels> materials) const override {
        const auto accessor = grid_->getAccessor();
        for (std::int32_t i = 0; i < kBrickVoxels; ++i) {
            const Int3 p = origin + Int3{i % kBrickSide, (i / kBrickSide) % kBrickSide,
                                         i / (kBrickSide * kBrickSide)};
            bool solid = false;
            if (p.x < size_.x && p.y < size_.y && p.z < size_.z) {
                const nanovdb::Coord ijk(p.x + low_[0], p.y + low_[1], p.z + low_[2]);
                solid = levelSet_ ? accessor.getValue(ijk) < 0.0F
                                  : accessor.isActive(ijk) && accessor.getValue(ijk) > threshold_;
            }
            materials[static_cast<std::size_t>(i)] = solid ? MaterialId{1} : kEmpty;
        }
    }

private:
    nanovdb::GridHandle<> handle_;
    const nanovdb::NanoGrid<float>* grid_;
    nanovdb::Coord low_;
    bool levelSet_;
    float threshold_;
    Palette palette_;
    Int3 size_;
};

/// What NanoVDB's reader would trust in the file's first segment checked first against the
/// file itself: its header, every grid description with a name that ends inside it (NanoVDB
/// reads each name up to its terminating zero), the first grid uncompressed and of floats, and
/// that grid's size within what is left, so that no size field makes NanoVDB read past its
/// buffers or allocate more than the file.
Result<void> checkNanoVdbHeader(std::istream& file, std::uint64_t fileBytes,
                                const std::filesystem::path& path) {
    constexpr std::size_t kHeaderBytes = sizeof(nanovdb::io::Header);
    constexpr std::size_t kMetaBytes = sizeof(nanovdb::io::MetaData);
    constexpr std::uint32_t kMaxNameBytes = 4096;
    const auto refuse = [&](std::string_view problem) -> Result<void> {
        return fail(ErrorCode::ParseError, "'{}': NanoVDB cannot read it: {}", path.string(),
                    problem);
    };
    nanovdb::io::Header header;
    if (fileBytes < kHeaderBytes || !file.read(reinterpret_cast<char*>(&header), kHeaderBytes)) {
        return refuse("fewer bytes than its header");
    }
    if (header.magic != NANOVDB_MAGIC_NUMBER) {
        return refuse("it does not start with NanoVDB's magic number");
    }
    if (header.gridCount == 0) {
        return refuse("it holds no grid");
    }
    if (header.codec != nanovdb::io::Codec::NONE) {
        return refuse("it is compressed (only uncompressed files are read)");
    }
    std::uint64_t left = fileBytes - kHeaderBytes;
    nanovdb::io::MetaData first{};
    for (std::uint32_t grid = 0; grid < header.gridCount; ++grid) {
        nanovdb::io::MetaData meta{};
        if (left < kMetaBytes || !file.read(reinterpret_cast<char*>(&meta), kMetaBytes)) {
            return refuse(fmt::format("the description of grid {} of {} is cut short", grid,
                                      header.gridCount));
        }
        left -= kMetaBytes;
        if (meta.nameSize == 0 || meta.nameSize > kMaxNameBytes || meta.nameSize > left) {
            return refuse(fmt::format("the name of grid {} does not fit in the file", grid));
        }
        std::string name(meta.nameSize, '\0');
        if (!file.read(name.data(), static_cast<std::streamsize>(name.size())) ||
            name.back() != '\0') {
            return refuse(
                fmt::format("the name of grid {} does not end where its size says", grid));
        }
        left -= meta.nameSize;
        if (grid == 0) {
            first = meta;
        }
    }
    if (first.codec != nanovdb::io::Codec::NONE) {
        return refuse("it is compressed (only uncompressed files are read)");
    }
    if (first.gridType != nanovdb::GridType::Float) {
        return refuse("its first grid is not a grid of floats");
    }
    if (first.gridSize > left) {
        return refuse("its grid is larger than the file");
    }
    return {};
}

/// Whether every node of `grid`'s tree lies inside the grid's own bytes, aligned as NanoVDB
/// lays nodes out. NanoVDB's validator trusts the child offsets it follows (and checks the
/// upper nodes twice instead of the leaves), so a damaged file is checked here first, each
/// child's offset in integers before any pointer is formed from it.
bool treeInsideGrid(const nanovdb::NanoGrid<float>& grid, std::uint64_t bufferBytes) {
    using Root = nanovdb::NanoRoot<float>;
    using Upper = nanovdb::NanoUpper<float>;
    using Lower = nanovdb::NanoLower<float>;
    using Leaf = nanovdb::NanoLeaf<float>;
    constexpr std::size_t kHeads =
        sizeof(nanovdb::NanoGrid<float>) + sizeof(nanovdb::NanoTree<float>) + sizeof(Root);
    if (bufferBytes < kHeads || grid.gridSize() > bufferBytes || grid.gridSize() < kHeads) {
        return false;
    }
    const auto begin = reinterpret_cast<std::uintptr_t>(&grid);
    const std::uintptr_t end = begin + grid.gridSize();
    // The root lies the tree's last node offset after the tree: checked before it is formed.
    const std::uint64_t rootOffset = grid.tree().data()->mNodeOffset[3];
    const std::uint64_t treeAt = sizeof(nanovdb::NanoGrid<float>);
    if (rootOffset < sizeof(nanovdb::NanoTree<float>) ||
        rootOffset > grid.gridSize() - treeAt - sizeof(Root) ||
        (treeAt + rootOffset) % NANOVDB_DATA_ALIGNMENT != 0) {
        return false;
    }
    const std::uintptr_t root = begin + treeAt + rootOffset;
    if (grid.tree().root().memUsage() > end - root) {
        return false;
    }
    const std::uintptr_t nodes = root + grid.tree().root().memUsage();
    // Where the child `offset` bytes from `parent` starts, or 0 when it is not a node of
    // `bytes` inside the grid after the root.
    const auto child = [&](std::uintptr_t parent, std::int64_t offset,
                           std::size_t bytes) -> std::uintptr_t {
        if (offset <= 0 || static_cast<std::uint64_t>(offset) > end - parent) {
            return 0;
        }
        const std::uintptr_t at = parent + static_cast<std::uint64_t>(offset);
        const bool inside = at >= nodes && bytes <= end - at && at % NANOVDB_DATA_ALIGNMENT == 0;
        return inside ? at : 0;
    };
    const auto* rootData = grid.tree().root().data();
    for (std::uint32_t t = 0; t < rootData->mTableSize; ++t) {
        const auto* tile = rootData->tile(t);
        if (!tile->isChild()) {
            continue;
        }
        const std::uintptr_t upper = child(root, tile->child, sizeof(Upper));
        if (upper == 0) {
            return false;
        }
        const auto* upperData = reinterpret_cast<const Upper::DataType*>(upper);
        for (auto u = upperData->mChildMask.beginOn(); u; ++u) {
            const std::uintptr_t lower = child(upper, upperData->mTable[*u].child, sizeof(Lower));
            if (lower == 0) {
                return false;
            }
            const auto* lowerData = reinterpret_cast<const Lower::DataType*>(lower);
            for (auto l = lowerData->mChildMask.beginOn(); l; ++l) {
                if (child(lower, lowerData->mTable[*l].child, sizeof(Leaf)) == 0) {
                    return false;
                }
            }
        }
    }
    return true;
}

}  // namespace

Result<std::unique_ptr<SceneSource>> readNanoVdbScene(const std::filesystem::path& path,
                                                      float threshold, std::int32_t maxSide) {
    if (!std::filesystem::is_regular_file(path)) {
        return fail(ErrorCode::NotFound, "'{}' is not a file that exists", path.string());
    }
    // One open for the checks and the read, so that what NanoVDB reads is what was checked.
    std::error_code error;
    const std::uint64_t fileBytes = std::filesystem::file_size(path, error);
    std::ifstream file(path, std::ios::binary);
    if (error || !file) {
        return fail(ErrorCode::IoError, "'{}' could not be opened", path.string());
    }
    VIXEN_TRY(checkNanoVdbHeader(file, fileBytes, path));
    nanovdb::GridHandle<> handle;
    try {
        file.clear();
        file.seekg(0);
        handle = nanovdb::io::readGrid<nanovdb::HostBuffer>(file, 0);
    } catch (const std::exception& thrown) {
        return fail(ErrorCode::ParseError, "'{}': NanoVDB cannot read it: {}", path.string(),
                    thrown.what());
    }
    // The grid's own offsets are what the accessors follow: the buffer is checked to start
    // with grid 0 (NanoVDB would otherwise step through the buffer by a size it holds), the
    // nodes to lie in the grid, then NanoVDB's validator checks the rest.
    const auto* first = reinterpret_cast<const nanovdb::GridData*>(handle.data());
    const bool firstGrid = handle.size() >= sizeof(nanovdb::GridData) && first->mGridIndex == 0 &&
                           first->mGridCount >= 1 && first->mGridSize <= handle.size();
    const nanovdb::NanoGrid<float>* grid = firstGrid ? handle.grid<float>() : nullptr;
    if (grid == nullptr || !treeInsideGrid(*grid, handle.size()) ||
        !nanovdb::isValid(*grid, false, false)) {
        return fail(ErrorCode::ParseError, "'{}': NanoVDB cannot read it: its grid is not valid",
                    path.string());
    }
    return nanoVdbGridScene(std::move(handle), threshold, maxSide, path.string());
}

Result<std::unique_ptr<SceneSource>> nanoVdbGridScene(nanovdb::GridHandle<> handle, float threshold,
                                                      std::int32_t maxSide, std::string_view name) {
    const auto bbox = handle.grid<float>()->indexBBox();
    if (bbox.empty()) {
        return fail(ErrorCode::InvalidArgument, "'{}': the grid has no active voxel", name);
    }
    // In 64 bits: a damaged box's corners are any 32-bit values.
    std::array<std::int64_t, 3> extent{};
    for (std::uint32_t a = 0; a < 3; ++a) {
        extent[a] = std::int64_t{bbox.max()[a]} - std::int64_t{bbox.min()[a]} + 1;
    }
    if (std::ranges::any_of(extent, [maxSide](std::int64_t side) { return side > maxSide; })) {
        return fail(ErrorCode::CapacityExceeded,
                    "'{}': the grid is {}x{}x{} voxels; at most {} a side", name, extent[0],
                    extent[1], extent[2], maxSide);
    }
    Palette palette;
    VIXEN_TRY(palette.add(Material{.name = "vdb"}));
    const Int3 size{static_cast<std::int32_t>(extent[0]), static_cast<std::int32_t>(extent[1]),
                    static_cast<std::int32_t>(extent[2])};
    return std::unique_ptr<SceneSource>(
        std::make_unique<NanoVdbGridScene>(std::move(handle), size, threshold, std::move(palette)));
}

Result<void> writeNanoVdbFile(const BrickVolume& volume, const std::filesystem::path& path) {
    const Int3 size = volume.size();
    nanovdb::GridBuilder<float> builder(0.0F);
    builder(
        [&volume](const nanovdb::Coord& ijk) {
            return static_cast<float>(volume.voxel(Int3{ijk[0], ijk[1], ijk[2]}));
        },
        nanovdb::CoordBBox(nanovdb::Coord(0), nanovdb::Coord(size.x - 1, size.y - 1, size.z - 1)));
    const nanovdb::GridHandle<> grid = builder.getHandle(1.0, nanovdb::Vec3d(0.0), "vixen");
    const std::filesystem::path temporary = path.string() + ".tmp";
    try {
        nanovdb::io::writeGrid(temporary.string(), grid);
    } catch (const std::exception& error) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        return fail(ErrorCode::IoError, "'{}' could not be written: {}", path.string(),
                    error.what());
    }
    return core::moveIntoPlace(temporary, path);
}

}  // namespace vixen::voxel
