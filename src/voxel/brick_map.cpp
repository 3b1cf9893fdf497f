#include "vixen/voxel/brick_map.hpp"

#include <algorithm>
#include <array>

#include "brick_payload.hpp"

namespace vixen::voxel {
namespace {

/// Chessboard distance (in cells) to the nearest occupied cell, exactly, by two raster
/// passes over the 26-neighbourhood with unit steps; occupied cells are 0.
std::vector<std::uint32_t> chessboardDistance(const std::vector<std::uint8_t>& occupied, Int3 n) {
    const std::uint32_t far = kMaxEmptyDistance;
    std::vector<std::uint32_t> d(occupied.size());
    for (std::size_t i = 0; i < occupied.size(); ++i) {
        d[i] = occupied[i] != 0 ? 0 : far;
    }
    const auto index = [&](std::int32_t x, std::int32_t y, std::int32_t z) {
        return static_cast<std::size_t>(x + n.x * (y + n.y * z));
    };
    const auto relax = [&](std::int32_t x, std::int32_t y, std::int32_t z, int sign) {
        std::uint32_t best = d[index(x, y, z)];
        // The 13 neighbours already visited in this pass's raster order.
        for (std::int32_t dz = -1; dz <= 0; ++dz) {
            for (std::int32_t dy = -1; dy <= 1; ++dy) {
                for (std::int32_t dx = -1; dx <= 1; ++dx) {
                    if (dz == 0 && (dy > 0 || (dy == 0 && dx >= 0))) {
                        continue;
                    }
                    const std::int32_t qx = x + sign * dx;
                    const std::int32_t qy = y + sign * dy;
                    const std::int32_t qz = z + sign * dz;
                    if (qx < 0 || qy < 0 || qz < 0 || qx >= n.x || qy >= n.y || qz >= n.z) {
                        continue;
                    }
                    best = std::min(best, d[index(qx, qy, qz)] + 1);
                }
            }
        }
        d[index(x, y, z)] = std::min(best, far);
    };
    for (std::int32_t z = 0; z < n.z; ++z) {
        for (std::int32_t y = 0; y < n.y; ++y) {
            for (std::int32_t x = 0; x < n.x; ++x) {
                relax(x, y, z, 1);
            }
        }
    }
    for (std::int32_t z = n.z - 1; z >= 0; --z) {
        for (std::int32_t y = n.y - 1; y >= 0; --y) {
            for (std::int32_t x = n.x - 1; x >= 0; --x) {
                relax(x, y, z, -1);
            }
        }
    }
    return d;
}

}  // namespace

BrickMap buildBrickMap(const BrickVolume& volume) {
    const Int3 grid = volume.brickGrid();
    const auto cells = static_cast<std::size_t>(grid.volume());
    const std::uint32_t bricks = volume.brickCount();

    BrickMap map;
    map.solidVoxels = volume.solidVoxels();
    std::vector<std::uint32_t>& w = map.words;
    const std::size_t gridOffset = BrickMapHeader::Count;
    w.assign(gridOffset + cells, 0);

    const BrickPayload payload = appendBrickPayload(volume, w);
    std::vector<std::uint8_t> occupied(cells, 0);
    std::vector<std::uint32_t> brickOfCell(cells, 0);
    for (std::uint32_t b = 0; b < bricks; ++b) {
        const Int3 c = volume.brickCoord(b);
        const auto cell = static_cast<std::size_t>(c.x + grid.x * (c.y + grid.y * c.z));
        occupied[cell] = 1;
        brickOfCell[cell] = b;
    }
    const std::vector<std::uint32_t> distance = chessboardDistance(occupied, grid);
    for (std::size_t cell = 0; cell < cells; ++cell) {
        w[gridOffset + cell] = occupied[cell] == 0 ? kEmptyCell | distance[cell]
                               : volume.uniform(brickOfCell[cell])
                                   ? kUniformCell | volume.uniformMaterial(brickOfCell[cell])
                                   : payload.slotOfBrick[brickOfCell[cell]];
    }
    const std::size_t paletteOffset = w.size();
    appendPalette(volume.palette(), w);

    const Int3 size = volume.size();
    const std::array<std::uint32_t, BrickMapHeader::Count> header{
        BrickMapHeader::kMagic,
        static_cast<std::uint32_t>(size.x),
        static_cast<std::uint32_t>(size.y),
        static_cast<std::uint32_t>(size.z),
        static_cast<std::uint32_t>(grid.x),
        static_cast<std::uint32_t>(grid.y),
        static_cast<std::uint32_t>(grid.z),
        static_cast<std::uint32_t>(gridOffset),
        payload.occupancyOffset,
        payload.materialsOffset,
        static_cast<std::uint32_t>(paletteOffset),
        payload.slots};
    std::copy(header.begin(), header.end(), w.begin());
    return map;
}

}  // namespace vixen::voxel
