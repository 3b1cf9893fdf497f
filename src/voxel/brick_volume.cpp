#include "vixen/voxel/brick_volume.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>

namespace vixen::voxel {
namespace {

/// What one chunk's build found, merged in chunk order afterwards.
struct ChunkBuild {
    std::vector<std::uint16_t> localBricks;  // brick index inside the chunk
    std::vector<BrickMask> masks;
    std::vector<std::uint32_t> refs;  // kUniform | material, or index into materials / 512
    std::vector<MaterialId> materials;
    std::uint64_t solidVoxels = 0;
    std::uint64_t filled = 0;
};

constexpr std::uint32_t kUniform = 0x80000000U;

Box clip(const Box& box, Int3 size) {
    return Box{box.min, Int3{std::min(box.max.x, size.x), std::min(box.max.y, size.y),
                             std::min(box.max.z, size.z)}};
}

/// One brick of a chunk: classified, then filled if the scene cannot tell.
void buildBrick(const SceneSource& scene, Int3 size, Int3 origin, std::uint16_t local,
                BoxContent chunkContent, ChunkBuild& out) {
    const Box full{origin, origin + Int3{kBrickSide, kBrickSide, kBrickSide}};
    const Box inside = clip(full, size);
    const bool whole = inside == full;
    BoxContent content = chunkContent;
    if (content.kind == BoxContent::Kind::Mixed) {
        content = scene.classify(inside);
    }
    if (content.kind == BoxContent::Kind::Empty) {
        return;
    }
    std::array<MaterialId, kBrickVoxels> materials{};
    if (content.kind == BoxContent::Kind::Solid) {
        if (whole) {
            BrickMask mask;
            mask.words.fill(~std::uint64_t{0});
            out.localBricks.push_back(local);
            out.masks.push_back(mask);
            out.refs.push_back(kUniform | content.material);
            out.solidVoxels += kBrickVoxels;
            return;
        }
        materials.fill(content.material);
    } else {
        scene.fillBrick(origin, materials);
        ++out.filled;
    }
    BrickMask mask;
    bool sameMaterial = true;
    for (std::int32_t z = 0; z < kBrickSide; ++z) {
        for (std::int32_t y = 0; y < kBrickSide; ++y) {
            for (std::int32_t x = 0; x < kBrickSide; ++x) {
                MaterialId& m = materials[static_cast<std::size_t>(voxelIndex(x, y, z))];
                if (!inside.contains(origin + Int3{x, y, z})) {
                    m = kEmpty;  // past the volume's size
                }
                if (m != kEmpty) {
                    mask.set(x, y, z);
                }
                sameMaterial = sameMaterial && m == materials[0];
            }
        }
    }
    if (mask.none()) {
        return;
    }
    out.localBricks.push_back(local);
    out.masks.push_back(mask);
    out.solidVoxels += static_cast<std::uint64_t>(mask.count());
    if (mask.all() && sameMaterial) {
        out.refs.push_back(kUniform | materials[0]);
        return;
    }
    out.refs.push_back(static_cast<std::uint32_t>(out.materials.size() / kBrickVoxels));
    out.materials.insert(out.materials.end(), materials.begin(), materials.end());
}

}  // namespace

int BrickMask::count() const noexcept {
    int total = 0;
    for (const std::uint64_t w : words) {
        total += std::popcount(w);
    }
    return total;
}

Result<BrickVolume> BrickVolume::build(const SceneSource& scene, VolumeBuildStats* stats) {
    const auto started = std::chrono::steady_clock::now();
    const Int3 size = scene.size();
    for (const std::int32_t side : {size.x, size.y, size.z}) {
        if (side < kMinVolumeSide || side > kMaxVolumeSide) {
            return fail(ErrorCode::InvalidArgument,
                        "voxel volume of {}x{}x{}: each side must be {} to {} voxels", size.x,
                        size.y, size.z, kMinVolumeSide, kMaxVolumeSide);
        }
    }
    BrickVolume volume;
    volume.size_ = size;
    volume.brickGrid_ = cellsCovering(size, kBrickSide);
    volume.chunkGrid_ = cellsCovering(size, kChunkSide);
    volume.palette_ = scene.palette();
    const Int3 chunks = volume.chunkGrid_;
    const auto chunkCount = static_cast<std::size_t>(chunks.volume());

    std::vector<ChunkBuild> built(chunkCount);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, chunkCount, 1), [&](const tbb::
                                                                                 blocked_range<
                                                                                     std::size_t>&
                                                                                     range) {
        for (std::size_t c = range.begin(); c != range.end(); ++c) {
            const auto ci = static_cast<std::int32_t>(c);
            const Int3 chunk{ci % chunks.x, (ci / chunks.x) % chunks.y, ci / (chunks.x * chunks.y)};
            const Int3 origin = chunk * kChunkSide;
            const Box box =
                clip(Box{origin, origin + Int3{kChunkSide, kChunkSide, kChunkSide}}, size);
            const BoxContent content = scene.classify(box);
            if (content.kind == BoxContent::Kind::Empty) {
                continue;
            }
            ChunkBuild& out = built[c];
            std::uint16_t local = 0;
            for (std::int32_t z = 0; z < kChunkBricks; ++z) {
                for (std::int32_t y = 0; y < kChunkBricks; ++y) {
                    for (std::int32_t x = 0; x < kChunkBricks; ++x, ++local) {
                        const Int3 brick = origin + Int3{x, y, z} * kBrickSide;
                        if (brick.x < size.x && brick.y < size.y && brick.z < size.z) {
                            buildBrick(scene, size, brick, local, content, out);
                        }
                    }
                }
            }
        }
    });

    // Merge in chunk order, so the layout does not depend on scheduling.
    std::uint64_t bricks = 0;
    std::uint64_t materialBytes = 0;
    std::uint64_t filled = 0;
    std::size_t usedChunks = 0;
    for (const ChunkBuild& chunk : built) {
        bricks += chunk.masks.size();
        materialBytes += chunk.materials.size();
        filled += chunk.filled;
        usedChunks += chunk.masks.empty() ? 0U : 1U;
    }
    constexpr std::size_t kSlotsPerChunk = kChunkBricks * kChunkBricks * kChunkBricks;
    volume.chunkTable_.assign(chunkCount, kNoBrick);
    volume.chunkSlots_.assign(usedChunks * kSlotsPerChunk, kNoBrick);
    volume.masks_.reserve(bricks);
    volume.coords_.reserve(bricks);
    volume.materialRefs_.reserve(bricks);
    volume.materials_.reserve(materialBytes);
    std::uint32_t slot = 0;
    std::uint64_t uniformBricks = 0;
    for (std::size_t c = 0; c < chunkCount; ++c) {
        ChunkBuild& chunk = built[c];
        if (chunk.masks.empty()) {
            continue;
        }
        const auto ci = static_cast<std::int32_t>(c);
        const Int3 chunkBrick =
            Int3{ci % chunks.x, (ci / chunks.x) % chunks.y, ci / (chunks.x * chunks.y)} *
            kChunkBricks;
        volume.chunkTable_[c] = slot;
        const auto materialBase =
            static_cast<std::uint32_t>(volume.materials_.size() / kBrickVoxels);
        for (std::size_t b = 0; b < chunk.masks.size(); ++b) {
            const std::int32_t local = chunk.localBricks[b];
            const auto index = static_cast<std::uint32_t>(volume.masks_.size());
            volume
                .chunkSlots_[std::size_t{slot} * kSlotsPerChunk + static_cast<std::size_t>(local)] =
                index;
            volume.masks_.push_back(chunk.masks[b]);
            volume.coords_.push_back(chunkBrick + Int3{local % kChunkBricks,
                                                       (local / kChunkBricks) % kChunkBricks,
                                                       local / (kChunkBricks * kChunkBricks)});
            const std::uint32_t ref = chunk.refs[b];
            uniformBricks += (ref & kUniform) != 0 ? 1U : 0U;
            volume.materialRefs_.push_back((ref & kUniform) != 0 ? ref : ref + materialBase);
        }
        volume.materials_.insert(volume.materials_.end(), chunk.materials.begin(),
                                 chunk.materials.end());
        volume.solidVoxels_ += chunk.solidVoxels;
        ++slot;
        chunk = ChunkBuild{};  // give its memory back as we go
    }
    if (stats != nullptr) {
        stats->seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        stats->bricks = bricks;
        stats->uniformBricks = uniformBricks;
        stats->solidVoxels = volume.solidVoxels_;
        stats->bricksFilled = filled;
    }
    return volume;
}

double BrickVolume::density() const noexcept {
    return static_cast<double>(solidVoxels_) / static_cast<double>(size_.volume());
}

std::uint32_t BrickVolume::brickAt(Int3 brick) const noexcept {
    if (brick.x < 0 || brick.y < 0 || brick.z < 0 || brick.x >= brickGrid_.x ||
        brick.y >= brickGrid_.y || brick.z >= brickGrid_.z) {
        return kNoBrick;
    }
    const Int3 chunk{brick.x / kChunkBricks, brick.y / kChunkBricks, brick.z / kChunkBricks};
    const std::uint32_t slot = chunkTable_[static_cast<std::size_t>(
        chunk.x + chunkGrid_.x * (chunk.y + chunkGrid_.y * chunk.z))];
    if (slot == kNoBrick) {
        return kNoBrick;
    }
    const Int3 local = brick - chunk * kChunkBricks;
    return chunkSlots_[std::size_t{slot} * kChunkBricks * kChunkBricks * kChunkBricks +
                       static_cast<std::size_t>(local.x +
                                                kChunkBricks * (local.y + kChunkBricks * local.z))];
}

MaterialId BrickVolume::material(std::uint32_t brick, std::int32_t index) const noexcept {
    const std::uint32_t ref = materialRefs_[brick];
    if ((ref & kUniformFlag) != 0) {
        return static_cast<MaterialId>(ref & 0xFFU);
    }
    return materials_[std::size_t{ref} * kBrickVoxels + static_cast<std::size_t>(index)];
}

MaterialId BrickVolume::voxel(Int3 p) const noexcept {
    if (p.x < 0 || p.y < 0 || p.z < 0) {
        return kEmpty;
    }
    const std::uint32_t brick = brickAt(Int3{p.x / kBrickSide, p.y / kBrickSide, p.z / kBrickSide});
    if (brick == kNoBrick) {
        return kEmpty;
    }
    const Int3 local{p.x % kBrickSide, p.y % kBrickSide, p.z % kBrickSide};
    if (!masks_[brick].test(local.x, local.y, local.z)) {
        return kEmpty;
    }
    return material(brick, voxelIndex(local.x, local.y, local.z));
}

std::uint64_t BrickVolume::memoryBytes() const noexcept {
    return chunkTable_.size() * sizeof(std::uint32_t) + chunkSlots_.size() * sizeof(std::uint32_t) +
           masks_.size() * sizeof(BrickMask) + coords_.size() * sizeof(Int3) +
           materialRefs_.size() * sizeof(std::uint32_t) + materials_.size();
}

}  // namespace vixen::voxel
