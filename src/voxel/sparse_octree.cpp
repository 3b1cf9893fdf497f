#include "vixen/voxel/sparse_octree.hpp"

#include <tbb/parallel_sort.h>

#include <algorithm>
#include <array>
#include <bit>

#include "brick_payload.hpp"
#include "vixen/voxel/brick_map.hpp"

namespace vixen::voxel {
namespace {

/// Interleaves the low 21 bits of each coordinate: x in bit 0, y in bit 1, z in bit 2.
std::uint64_t morton(Int3 c) {
    const auto spread = [](std::uint64_t v) {
        v &= 0x1FFFFFULL;
        v = (v | (v << 32U)) & 0x1F00000000FFFFULL;
        v = (v | (v << 16U)) & 0x1F0000FF0000FFULL;
        v = (v | (v << 8U)) & 0x100F00F00F00F00FULL;
        v = (v | (v << 4U)) & 0x10C30C30C30C30C3ULL;
        v = (v | (v << 2U)) & 0x1249249249249249ULL;
        return v;
    };
    return spread(static_cast<std::uint64_t>(c.x)) |
           (spread(static_cast<std::uint64_t>(c.y)) << 1U) |
           (spread(static_cast<std::uint64_t>(c.z)) << 2U);
}

}  // namespace

SparseOctree buildSparseOctree(const BrickVolume& volume) {
    const Int3 grid = volume.brickGrid();
    const std::int32_t side = std::max({grid.x, grid.y, grid.z});
    // At least one level of nodes, so the root is never a brick.
    const std::uint32_t depth = std::max(
        1U, static_cast<std::uint32_t>(std::bit_width(static_cast<std::uint32_t>(side - 1))));
    const std::uint32_t bricks = volume.brickCount();

    // Bricks in Morton order: every level's nodes are then runs of equal prefixes.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> leaves(bricks);
    for (std::uint32_t b = 0; b < bricks; ++b) {
        leaves[b] = {morton(volume.brickCoord(b)), b};
    }
    tbb::parallel_sort(leaves.begin(), leaves.end());

    // levels[l]: the Morton prefixes of the nodes at level l (0 = root), ascending.
    std::vector<std::vector<std::uint64_t>> levels(depth + 1);
    levels[depth].reserve(bricks);
    for (const auto& [code, brick] : leaves) {
        levels[depth].push_back(code);
    }
    for (std::uint32_t l = depth; l > 0; --l) {
        std::vector<std::uint64_t>& parents = levels[l - 1];
        for (const std::uint64_t code : levels[l]) {
            const std::uint64_t parent = code >> 3U;
            if (parents.empty() || parents.back() != parent) {
                parents.push_back(parent);
            }
        }
    }
    if (levels[0].empty()) {
        levels[0].push_back(0);  // an empty volume still has its root
    }
    std::vector<std::uint32_t> levelStart(depth + 2, 0);
    for (std::uint32_t l = 0; l <= depth; ++l) {
        levelStart[l + 1] = levelStart[l] + static_cast<std::uint32_t>(levels[l].size());
    }
    const std::uint32_t nodeCount = levelStart[depth + 1];

    SparseOctree octree;
    octree.solidVoxels = volume.solidVoxels();
    std::vector<std::uint32_t>& w = octree.words;
    const std::size_t nodesOffset = SparseOctreeHeader::Count;
    w.assign(nodesOffset + std::size_t{nodeCount} * 2, 0);
    for (std::uint32_t l = 0; l < depth; ++l) {
        const std::vector<std::uint64_t>& children = levels[l + 1];
        std::size_t child = 0;
        for (std::size_t n = 0; n < levels[l].size(); ++n) {
            const std::uint64_t prefix = levels[l][n];
            const std::size_t node = nodesOffset + 2 * (levelStart[l] + n);
            w[node] = levelStart[l + 1] + static_cast<std::uint32_t>(child);
            std::uint32_t valid = 0;
            while (child < children.size() && (children[child] >> 3U) == prefix) {
                valid |= 1U << (children[child] & 7U);
                ++child;
            }
            const std::uint32_t leaf = l + 1 == depth ? valid : 0;
            w[node + 1] = valid | (leaf << 8U);
        }
    }
    const BrickPayload payload = appendBrickPayload(volume, w);
    for (std::size_t i = 0; i < leaves.size(); ++i) {
        const std::uint32_t brick = leaves[i].second;
        const bool uniform = volume.uniform(brick);
        w[nodesOffset + 2 * (levelStart[depth] + i)] = uniform ? 0 : payload.slotOfBrick[brick];
        w[nodesOffset + 2 * (levelStart[depth] + i) + 1] =
            uniform ? kUniformRef | volume.uniformMaterial(brick) : 0;
    }
    const std::size_t paletteOffset = w.size();
    appendPalette(volume.palette(), w);
    const Int3 size = volume.size();
    const std::array<std::uint32_t, SparseOctreeHeader::Count> header{
        SparseOctreeHeader::kMagic,
        static_cast<std::uint32_t>(size.x),
        static_cast<std::uint32_t>(size.y),
        static_cast<std::uint32_t>(size.z),
        depth,
        static_cast<std::uint32_t>(nodesOffset),
        payload.occupancyOffset,
        payload.materialsOffset,
        static_cast<std::uint32_t>(paletteOffset),
        nodeCount,
        payload.slots};
    std::copy(header.begin(), header.end(), w.begin());
    return octree;
}

OctreeLeaf findLeaf(const SparseOctree& octree, Int3 brick) {
    const std::vector<std::uint32_t>& w = octree.words;
    const std::uint32_t depth = w[SparseOctreeHeader::Depth];
    const std::uint32_t nodes = w[SparseOctreeHeader::NodesOffset];
    if (brick.x < 0 || brick.y < 0 || brick.z < 0 || (brick.x >> depth) != 0 ||
        (brick.y >> depth) != 0 || (brick.z >> depth) != 0) {
        return {};
    }
    std::uint32_t node = 0;
    for (std::uint32_t l = 0; l < depth; ++l) {
        const std::uint32_t shift = depth - l - 1;
        const std::uint32_t octant = ((static_cast<std::uint32_t>(brick.x) >> shift) & 1U) |
                                     (((static_cast<std::uint32_t>(brick.y) >> shift) & 1U) << 1U) |
                                     (((static_cast<std::uint32_t>(brick.z) >> shift) & 1U) << 2U);
        const std::uint32_t masks = w[nodes + 2 * node + 1];
        if ((masks & (1U << octant)) == 0) {
            return {};
        }
        node = w[nodes + 2 * node] +
               static_cast<std::uint32_t>(std::popcount(masks & ((1U << octant) - 1U)));
    }
    const std::uint32_t leaf = w[nodes + 2 * node + 1];
    if ((leaf & kUniformRef) != 0) {
        return {.found = true, .uniformMaterial = static_cast<MaterialId>(leaf & 0xFFU)};
    }
    return {.found = true, .slot = w[nodes + 2 * node]};
}

}  // namespace vixen::voxel
