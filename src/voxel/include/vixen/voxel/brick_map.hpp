#pragma once

// The two-level brick map as the GPU reads it: one array of 32-bit words, uploaded as a
// plain storage buffer.
//
//   header     kHeaderWords words (BrickMapHeader)
//   grid       one word per brick cell, x fastest: a cell whose brick is full and of one
//              material holds kUniformCell | material (a ray entering it hits at once, reading
//              nothing else); another occupied cell its brick's slot; an empty one
//              kEmptyCell | d, where d >= 1 is the chessboard distance in bricks to the nearest
//              occupied cell (capped at kMaxEmptyDistance), so a ray may skip the cube of
//              d - 1 empty bricks around it at once
//   occupancy  16 words per slot: slice z is words 2z (bits x + 8y < 32) and 2z + 1
//   materials  128 words per slot: voxel i's material is byte i % 4 of word i / 4
//   palette    8 floats per material index 0..255: albedo rgb, roughness, emission rgb, 0
//
// Only bricks that are not full of one material have a slot; a slot finds both its occupancy
// and its materials, so a hit costs no read of a reference in between. Bricks can be edited
// in place (occupancy, materials) without moving anything else; a brick turning empty, full
// or mixed changes its grid word (taking or giving back a slot) and the distances around it.

#include <cstdint>
#include <span>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/voxel/brick_volume.hpp"
#include "vixen/voxel/gpu_words.hpp"

namespace vixen::voxel {

struct BrickMapHeader {
    static constexpr std::uint32_t kMagic = 0x4D425856U;  // "VXBM"
    enum Word : std::uint32_t {
        Magic,
        SizeX,
        SizeY,
        SizeZ,
        GridX,
        GridY,
        GridZ,
        GridOffset,
        OccupancyOffset,
        MaterialsOffset,
        PaletteOffset,
        StoredBricks,  ///< bricks with a slot
        Count          ///< header words
    };
};

inline constexpr std::uint32_t kEmptyCell = 0x80000000U;
inline constexpr std::uint32_t kUniformCell = 0x40000000U;
inline constexpr std::uint32_t kUniformRef = 0x80000000U;
inline constexpr std::uint32_t kMaxEmptyDistance = 255;
inline constexpr std::uint32_t kPaletteFloats = 8;

using BrickMap = GpuWords<BrickMapHeader>;

/// Lays `volume` out as a brick map (parallel where it pays).
[[nodiscard]] BrickMap buildBrickMap(const BrickVolume& volume);

/// A brick of a brick map that holds solid voxels: its brick coordinates and its grid word
/// (kUniformCell | material, or its slot).
struct OccupiedBrick {
    Int3 brick;
    std::uint32_t cell = 0;
};
/// Every occupied brick of the brick map `words`, x fastest (what the ray-tracing pipeline
/// makes one box of each). InvalidArgument for words that are not a brick map, or whose grid
/// runs past them.
[[nodiscard]] Result<std::vector<OccupiedBrick>> occupiedBricks(
    std::span<const std::uint32_t> words);

/// The palette as the GPU structures store it (kPaletteFloats per index 0..255).
void appendPalette(const Palette& palette, std::vector<std::uint32_t>& words);

}  // namespace vixen::voxel
