#include "vixen/voxel/nanovdb_scene.hpp"

#include <cstring>

#include "vixen/voxel/brick_map.hpp"
#include "vixen/voxel/detail/nanovdb.hpp"

namespace vixen::voxel {
namespace {

/// NanoVDB's alignment of grids in memory (NANOVDB_DATA_ALIGNMENT), in words.
constexpr std::size_t kGridAlignWords = NANOVDB_DATA_ALIGNMENT / sizeof(std::uint32_t);

}  // namespace

NanoVdbScene buildNanoVdbScene(const BrickVolume& volume) {
    const Int3 size = volume.size();
    // Fp8: each leaf's values quantised to 8 bits between its minimum and maximum, which
    // holds material indices exactly (rounded back on the GPU) in a quarter of a float
    // grid's leaves: at 2048^3 a float grid outgrows a storage buffer (4 GiB on NVIDIA).
    nanovdb::GridBuilder<float, nanovdb::Fp8> builder(0.0F);
    builder.setChecksum(nanovdb::ChecksumMode::Disable);
    // The builder visits the voxels of one 8^3 leaf (one of our bricks) in a row: an empty
    // brick is answered without looking at its voxels.
    builder(
        [&volume](const nanovdb::Coord& ijk) {
            return static_cast<float>(volume.voxel(Int3{ijk[0], ijk[1], ijk[2]}));
        },
        nanovdb::CoordBBox(nanovdb::Coord(0), nanovdb::Coord(size.x - 1, size.y - 1, size.z - 1)));
    const nanovdb::GridHandle<> grid = builder.getHandle(1.0, nanovdb::Vec3d(0.0), "vixen");

    NanoVdbScene scene;
    scene.solidVoxels = volume.solidVoxels();
    std::vector<std::uint32_t>& words = scene.words;
    words.assign(NanoVdbSceneHeader::Count, 0U);
    words[NanoVdbSceneHeader::Magic] = NanoVdbSceneHeader::kMagic;
    words[NanoVdbSceneHeader::SizeX] = static_cast<std::uint32_t>(size.x);
    words[NanoVdbSceneHeader::SizeY] = static_cast<std::uint32_t>(size.y);
    words[NanoVdbSceneHeader::SizeZ] = static_cast<std::uint32_t>(size.z);
    words[NanoVdbSceneHeader::PaletteOffset] = static_cast<std::uint32_t>(words.size());
    appendPalette(volume.palette(), words);
    words.resize((words.size() + kGridAlignWords - 1) / kGridAlignWords * kGridAlignWords, 0U);
    const std::size_t gridOffset = words.size();
    const std::size_t gridWords = (grid.size() + sizeof(std::uint32_t) - 1) / sizeof(std::uint32_t);
    words.resize(gridOffset + gridWords, 0U);
    std::memcpy(words.data() + gridOffset, grid.data(), grid.size());
    words[NanoVdbSceneHeader::GridOffset] = static_cast<std::uint32_t>(gridOffset);
    words[NanoVdbSceneHeader::GridWords] = static_cast<std::uint32_t>(gridWords);
    return scene;
}

}  // namespace vixen::voxel
