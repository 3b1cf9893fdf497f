#include "vixen/voxel/brick_map.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <bit>

#include "brick_payload.hpp"

namespace vixen::voxel {
namespace {

/// Along one line of `n` values at `stride`: F(s) = min over t of max(|s - t|, h(t)), capped
/// at `far`. m(r), the least h within r of s, only falls as r grows, so the least r with
/// m(r) <= r is found by a binary search over a sparse table of range minima.
struct LineScratch {
    std::vector<std::uint32_t> table;   ///< range minima, level by level
    std::vector<std::uint32_t> result;  ///< the line's new values
};

void lineMinMax(std::uint32_t* values, std::size_t n, std::size_t stride, std::uint32_t far,
                LineScratch& scratch) {
    std::vector<std::uint32_t>& table = scratch.table;
    std::size_t levels = 1;
    while ((std::size_t{1} << levels) <= n) {
        ++levels;
    }
    table.resize(levels * n);
    for (std::size_t i = 0; i < n; ++i) {
        table[i] = values[i * stride];
    }
    for (std::size_t l = 1; l < levels; ++l) {
        const std::size_t half = std::size_t{1} << (l - 1);
        for (std::size_t i = 0; i + (half << 1) <= n; ++i) {
            table[l * n + i] = std::min(table[(l - 1) * n + i], table[(l - 1) * n + i + half]);
        }
    }
    const auto rangeMin = [&](std::size_t lo, std::size_t hi) {  // inclusive
        const auto l = static_cast<std::size_t>(std::bit_width(hi - lo + 1) - 1);
        return std::min(table[l * n + lo], table[l * n + hi + 1 - (std::size_t{1} << l)]);
    };
    std::vector<std::uint32_t>& out = scratch.result;
    out.resize(n);
    for (std::size_t s = 0; s < n; ++s) {
        std::uint32_t lo = 0;
        std::uint32_t hi = far;
        while (lo < hi) {
            const std::uint32_t r = (lo + hi) / 2;
            const std::size_t first = s >= r ? s - r : 0;
            const std::size_t last = std::min(n - 1, s + r);
            if (rangeMin(first, last) <= r) {
                hi = r;
            } else {
                lo = r + 1;
            }
        }
        out[s] = lo;
    }
    for (std::size_t s = 0; s < n; ++s) {
        values[s * stride] = out[s];
    }
}

/// Along one line whose values are 0 (occupied) or `far`: the distance to the nearest 0,
/// capped at `far`, in two sweeps.
void lineDistance(std::uint32_t* values, std::size_t n, std::size_t stride, std::uint32_t far) {
    std::uint32_t run = far;
    for (std::size_t s = 0; s < n; ++s) {
        run = values[s * stride] == 0 ? 0 : std::min(run + 1, far);
        values[s * stride] = run;
    }
    run = far;
    for (std::size_t s = n; s-- > 0;) {
        run = values[s * stride] == 0 ? 0 : std::min(run + 1, far);
        values[s * stride] = std::min(values[s * stride], run);
    }
}

/// Chessboard distance (in cells) to the nearest occupied cell, exactly, capped at
/// kMaxEmptyDistance; occupied cells are 0. The chessboard ball is a cube, so the transform
/// separates: the distance along x (lineDistance), then a min-max pass along y and along z
/// (lineMinMax), each over all lines in parallel.
std::vector<std::uint32_t> chessboardDistance(const std::vector<std::uint8_t>& occupied, Int3 n) {
    const std::uint32_t far = kMaxEmptyDistance;
    std::vector<std::uint32_t> d(occupied.size());
    for (std::size_t i = 0; i < occupied.size(); ++i) {
        d[i] = occupied[i] != 0 ? 0 : far;
    }
    const std::array<std::size_t, 3> extent{static_cast<std::size_t>(n.x),
                                            static_cast<std::size_t>(n.y),
                                            static_cast<std::size_t>(n.z)};
    const std::array<std::size_t, 3> stride{1, extent[0], extent[0] * extent[1]};
    for (std::size_t axis = 0; axis < 3; ++axis) {
        // Lines along `axis`: one per cell of the other two axes.
        const std::size_t u = (axis + 1) % 3;
        const std::size_t v = (axis + 2) % 3;
        tbb::parallel_for(
            tbb::blocked_range<std::size_t>(0, extent[u] * extent[v]), [&](const auto& range) {
                LineScratch scratch;
                for (std::size_t line = range.begin(); line != range.end(); ++line) {
                    const std::size_t start =
                        (line % extent[u]) * stride[u] + (line / extent[u]) * stride[v];
                    if (axis == 0) {
                        lineDistance(d.data() + start, extent[axis], stride[axis], far);
                    } else {
                        lineMinMax(d.data() + start, extent[axis], stride[axis], far, scratch);
                    }
                }
            });
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

Result<std::vector<OccupiedBrick>> occupiedBricks(std::span<const std::uint32_t> words) {
    using H = BrickMapHeader;
    if (words.size() < H::Count || words[H::Magic] != H::kMagic) {
        return fail(ErrorCode::InvalidArgument, "the words are not a brick map (no VXBM header)");
    }
    const Int3 grid{static_cast<std::int32_t>(words[H::GridX]),
                    static_cast<std::int32_t>(words[H::GridY]),
                    static_cast<std::int32_t>(words[H::GridZ])};
    const std::uint64_t cells = std::uint64_t{words[H::GridX]} * words[H::GridY] * words[H::GridZ];
    const std::uint64_t gridOffset = words[H::GridOffset];
    if (gridOffset + cells > words.size()) {
        return fail(ErrorCode::InvalidArgument,
                    "the brick map's grid ({} cells from word {}) runs past its {} words", cells,
                    gridOffset, words.size());
    }
    std::vector<OccupiedBrick> occupied;
    std::size_t index = gridOffset;
    for (std::int32_t z = 0; z < grid.z; ++z) {
        for (std::int32_t y = 0; y < grid.y; ++y) {
            for (std::int32_t x = 0; x < grid.x; ++x, ++index) {
                if ((words[index] & kEmptyCell) == 0) {
                    occupied.push_back({Int3{x, y, z}, words[index]});
                }
            }
        }
    }
    return occupied;
}

}  // namespace vixen::voxel
