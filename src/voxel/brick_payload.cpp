#include "brick_payload.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <array>
#include <bit>

#include "vixen/voxel/brick_map.hpp"

namespace vixen::voxel {

BrickPayload appendBrickPayload(const BrickVolume& volume, std::vector<std::uint32_t>& w) {
    const std::uint32_t bricks = volume.brickCount();
    BrickPayload payload;
    payload.slotOfBrick.assign(bricks, BrickPayload::kNoSlot);
    for (std::uint32_t b = 0; b < bricks; ++b) {
        if (!volume.uniform(b)) {
            payload.slotOfBrick[b] = payload.slots++;
        }
    }
    payload.occupancyOffset = static_cast<std::uint32_t>(w.size());
    payload.materialsOffset = payload.occupancyOffset + payload.slots * 16;
    w.resize(std::size_t{payload.materialsOffset} + std::size_t{payload.slots} * 128, 0);
    tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, bricks), [&](const auto& range) {
        for (std::uint32_t b = range.begin(); b != range.end(); ++b) {
            const std::uint32_t slot = payload.slotOfBrick[b];
            if (slot == BrickPayload::kNoSlot) {
                continue;
            }
            const BrickMask& mask = volume.mask(b);
            const std::size_t occupancy = payload.occupancyOffset + std::size_t{slot} * 16;
            for (std::size_t z = 0; z < 8; ++z) {
                w[occupancy + 2 * z] = static_cast<std::uint32_t>(mask.words[z]);
                w[occupancy + 2 * z + 1] = static_cast<std::uint32_t>(mask.words[z] >> 32U);
            }
            const std::size_t base = payload.materialsOffset + std::size_t{slot} * 128;
            for (std::int32_t i = 0; i < kBrickVoxels; ++i) {
                w[base + static_cast<std::size_t>(i / 4)] |= std::uint32_t{volume.material(b, i)}
                                                             << (8 * (i % 4));
            }
        }
    });
    return payload;
}

void appendPalette(const Palette& palette, std::vector<std::uint32_t>& words) {
    for (std::uint32_t m = 0; m < 256; ++m) {
        Material material;
        if (m >= 1 && m <= palette.size()) {
            material = palette[static_cast<MaterialId>(m)];
        }
        const std::array<float, kPaletteFloats> floats{
            material.albedo[0],   material.albedo[1],   material.albedo[2],   material.roughness,
            material.emission[0], material.emission[1], material.emission[2], 0.0F};
        for (const float f : floats) {
            words.push_back(std::bit_cast<std::uint32_t>(f));
        }
    }
}

}  // namespace vixen::voxel
