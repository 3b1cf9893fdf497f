#pragma once

// A sparse voxel octree in the Laine-Karras style over the volume's bricks, as the GPU reads
// it: one array of 32-bit words.
//
//   header     SparseOctreeHeader::Count words
//   nodes      two words a node, breadth first: the index of its first child, and its
//              valid mask (bits 0-7, one per octant, x + 2y + 4z) with its leaf mask
//              (bits 8-15). A node's valid children follow one another in octant order,
//              child i at firstChild + popcount(valid & ((1 << i) - 1)). A leaf child is a
//              brick: its second word is kUniformRef | material for a full brick of one
//              material (a ray entering it hits at once; its first word 0), else 0 with the
//              brick's slot as its first word.
//   occupancy, materials, palette: the bricks' slots, as in the brick map (brick_map.hpp)
//
// The root covers 8 * 2^depth voxels a side; node indices are 32-bit (2^31 nodes), far
// beyond the 15-bit relative pointers of the reference engine.

#include <cstdint>
#include <vector>

#include "vixen/voxel/brick_volume.hpp"
#include "vixen/voxel/gpu_words.hpp"

namespace vixen::voxel {

struct SparseOctreeHeader {
    static constexpr std::uint32_t kMagic = 0x4F535856U;  // "VXSO"
    enum Word : std::uint32_t {
        Magic,
        SizeX,
        SizeY,
        SizeZ,
        Depth,  ///< levels of nodes above the bricks (at least 1)
        NodesOffset,
        OccupancyOffset,
        MaterialsOffset,
        PaletteOffset,
        NodeCount,
        StoredBricks,  ///< bricks with a slot
        Count
    };
};

using SparseOctree = GpuWords<SparseOctreeHeader>;

/// Builds the octree of `volume`'s bricks (Morton order, sorted in parallel).
[[nodiscard]] SparseOctree buildSparseOctree(const BrickVolume& volume);

/// What the octree holds at brick coordinates `brick`, found by descending it: nothing, a
/// full brick of one material, or a stored brick's slot. The CPU's check of the layout.
struct OctreeLeaf {
    bool found = false;
    MaterialId uniformMaterial = kEmpty;  ///< not kEmpty: the brick is full of it
    std::uint32_t slot = 0;               ///< else: its occupancy and materials
};
[[nodiscard]] OctreeLeaf findLeaf(const SparseOctree& octree, Int3 brick);

}  // namespace vixen::voxel
