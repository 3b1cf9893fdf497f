#pragma once

// A voxel scene as a NanoVDB grid, the outside baseline the GPU ray marchers are compared
// with: the grid is made by NanoVDB's own builder (nanovdb::GridBuilder, Debian's
// libnanovdb-dev) and walked on the GPU by NanoVDB's portable header (PNanoVDB.h, its HDDA
// and read accessor); only the driver around them is VIXEN's. One array of 32-bit words:
//
//   header   NanoVdbSceneHeader::Count words
//   palette  kPaletteFloats per material index 0..255 (as the brick map's)
//   grid     a NanoVDB grid of 8-bit quantised floats (Fp8), 32-byte aligned: a solid voxel
//            is an active voxel whose value, rounded, is its material; empty voxels are
//            inactive (background 0). Bricks full of one material become active tiles, as
//            NanoVDB prunes them.

#include <cstdint>

#include "vixen/voxel/brick_volume.hpp"
#include "vixen/voxel/gpu_words.hpp"

namespace vixen::voxel {

struct NanoVdbSceneHeader {
    static constexpr std::uint32_t kMagic = 0x564E5856U;  // "VXNV"
    enum Word : std::uint32_t {
        Magic,
        SizeX,
        SizeY,
        SizeZ,
        PaletteOffset,
        GridOffset,  ///< in words; the grid's bytes start at 4 * GridOffset
        GridWords,
        Count  ///< header words
    };
};

using NanoVdbScene = GpuWords<NanoVdbSceneHeader>;

/// Converts `volume` to a NanoVDB grid (NanoVDB's builder, in parallel over its leaves).
[[nodiscard]] NanoVdbScene buildNanoVdbScene(const BrickVolume& volume);

}  // namespace vixen::voxel
