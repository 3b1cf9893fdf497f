#include "solid_fill.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <atomic>

namespace vixen::voxel {
namespace {

/// `seed` spread towards higher bits through the runs of `open` it lies in (a Kogge-Stone
/// fill: each step doubles how far it reaches).
std::uint64_t fillUp(std::uint64_t seed, std::uint64_t open) {
    for (const unsigned shift : {1U, 2U, 4U, 8U, 16U, 32U}) {
        seed |= open & (seed << shift);
        open &= open << shift;
    }
    return seed;
}

/// `seed` spread towards lower bits through the runs of `open` it lies in.
std::uint64_t fillDown(std::uint64_t seed, std::uint64_t open) {
    for (const unsigned shift : {1U, 2U, 4U, 8U, 16U, 32U}) {
        seed |= open & (seed >> shift);
        open &= open >> shift;
    }
    return seed;
}

constexpr std::uint64_t kHighBit = std::uint64_t{1} << 63U;

/// The flood's state: the surface, what is outside so far, and whether a sweep changed it.
struct Flood {
    const VoxelBits& surface;
    VoxelBits& outside;
    std::atomic<bool> changed{false};

    [[nodiscard]] std::uint64_t open(const std::uint64_t* surfaceRow, std::int32_t w) const {
        return ~surfaceRow[w] & surface.validBits(w);
    }

    /// Along x: every run of open voxels in a row with an outside voxel becomes outside.
    void sweepRow(std::int32_t y, std::int32_t z) {
        const std::uint64_t* walls = surface.row(y, z);
        std::uint64_t* out = outside.row(y, z);
        const std::int32_t words = surface.wordsPerRow();
        bool rowChanged = false;
        std::uint64_t carry = 0;
        for (std::int32_t w = 0; w < words; ++w) {
            const std::uint64_t open = this->open(walls, w);
            const std::uint64_t filled = fillUp(out[w] | (carry & open & 1U), open);
            rowChanged |= filled != out[w];
            out[w] = filled;
            carry = filled >> 63U;
        }
        carry = 0;
        for (std::int32_t w = words - 1; w >= 0; --w) {
            const std::uint64_t open = this->open(walls, w);
            const std::uint64_t filled = fillDown(out[w] | (carry & open & kHighBit), open);
            rowChanged |= filled != out[w];
            out[w] = filled;
            carry = (filled & 1U) != 0 ? kHighBit : 0;
        }
        if (rowChanged) {
            changed.store(true, std::memory_order_relaxed);
        }
    }

    /// Outside spreads from row `from` into the open voxels of row `to` (same x words).
    bool spread(std::int32_t fromY, std::int32_t fromZ, std::int32_t toY, std::int32_t toZ) {
        const std::uint64_t* source = outside.row(fromY, fromZ);
        const std::uint64_t* walls = surface.row(toY, toZ);
        std::uint64_t* target = outside.row(toY, toZ);
        bool rowChanged = false;
        for (std::int32_t w = 0; w < surface.wordsPerRow(); ++w) {
            const std::uint64_t added = source[w] & open(walls, w) & ~target[w];
            target[w] |= added;
            rowChanged |= added != 0;
        }
        return rowChanged;
    }
};

}  // namespace

VoxelBits::VoxelBits(Int3 size)
    : size_(size),
      wordsPerRow_((size.x + 63) / 64),
      words_(static_cast<std::size_t>(wordsPerRow_) * static_cast<std::size_t>(size.y) *
             static_cast<std::size_t>(size.z)) {}

VoxelBits enclosedBy(const VoxelBits& surface) {
    const Int3 size = surface.size();
    VoxelBits outside(size);
    Flood flood{surface, outside};
    // Seeds: the open voxels of the border (the box stands in empty space).
    for (std::int32_t z = 0; z < size.z; ++z) {
        for (std::int32_t y = 0; y < size.y; ++y) {
            const bool borderRow = z == 0 || y == 0 || z == size.z - 1 || y == size.y - 1;
            const std::uint64_t* walls = surface.row(y, z);
            std::uint64_t* out = outside.row(y, z);
            const std::int32_t last = surface.wordsPerRow() - 1;
            if (borderRow) {
                for (std::int32_t w = 0; w <= last; ++w) {
                    out[w] = flood.open(walls, w);
                }
            } else {
                out[0] |= flood.open(walls, 0) & 1U;
                out[last] |= flood.open(walls, last) & (std::uint64_t{1} << ((size.x - 1) % 64));
            }
        }
    }
    // Sweeps along x, y and z, both ways, until one pass changes nothing: a few passes for
    // the outside of most shapes, more for winding tunnels.
    do {
        flood.changed.store(false);
        tbb::parallel_for(tbb::blocked_range<std::int32_t>(0, size.z),
                          [&](const tbb::blocked_range<std::int32_t>& zs) {
                              for (std::int32_t z = zs.begin(); z != zs.end(); ++z) {
                                  bool sliceChanged = false;
                                  for (std::int32_t y = 0; y < size.y; ++y) {
                                      flood.sweepRow(y, z);
                                  }
                                  for (std::int32_t y = 1; y < size.y; ++y) {
                                      sliceChanged |= flood.spread(y - 1, z, y, z);
                                  }
                                  for (std::int32_t y = size.y - 2; y >= 0; --y) {
                                      sliceChanged |= flood.spread(y + 1, z, y, z);
                                  }
                                  if (sliceChanged) {
                                      flood.changed.store(true, std::memory_order_relaxed);
                                  }
                              }
                          });
        tbb::parallel_for(tbb::blocked_range<std::int32_t>(0, size.y),
                          [&](const tbb::blocked_range<std::int32_t>& ys) {
                              bool columnChanged = false;
                              for (std::int32_t y = ys.begin(); y != ys.end(); ++y) {
                                  for (std::int32_t z = 1; z < size.z; ++z) {
                                      columnChanged |= flood.spread(y, z - 1, y, z);
                                  }
                                  for (std::int32_t z = size.z - 2; z >= 0; --z) {
                                      columnChanged |= flood.spread(y, z + 1, y, z);
                                  }
                              }
                              if (columnChanged) {
                                  flood.changed.store(true, std::memory_order_relaxed);
                              }
                          });
    } while (flood.changed.load());
    // What the flood did not reach, off the surface, is inside.
    tbb::parallel_for(tbb::blocked_range<std::int32_t>(0, size.z),
                      [&](const tbb::blocked_range<std::int32_t>& zs) {
                          for (std::int32_t z = zs.begin(); z != zs.end(); ++z) {
                              for (std::int32_t y = 0; y < size.y; ++y) {
                                  const std::uint64_t* walls = surface.row(y, z);
                                  std::uint64_t* out = outside.row(y, z);
                                  for (std::int32_t w = 0; w < surface.wordsPerRow(); ++w) {
                                      out[w] = flood.open(walls, w) & ~out[w];
                                  }
                              }
                          }
                      });
    return outside;
}

}  // namespace vixen::voxel
