#include "vixen/voxel/sparse_scene.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

namespace vixen::voxel {

SparseVoxelScene::SparseVoxelScene(Int3 size, Palette palette)
    : size_(size), palette_(std::move(palette)) {}

std::uint64_t SparseVoxelScene::keyOf(Int3 brick) noexcept {
    // Brick coordinates are below 2^21 a side (scenes are at most 2^24 voxels a side).
    return static_cast<std::uint64_t>(brick.x) | static_cast<std::uint64_t>(brick.y) << 21U |
           static_cast<std::uint64_t>(brick.z) << 42U;
}

SparseVoxelScene::Brick& SparseVoxelScene::materialsOf(std::uint64_t key) {
    auto [slot, inserted] = entries_.try_emplace(key, kUniformEntry | kEmpty);
    if (inserted || (slot->second & kUniformEntry) != 0) {
        const auto material = static_cast<MaterialId>(slot->second & 0xFFU);
        slot->second = static_cast<std::uint32_t>(bricks_.size());
        bricks_.emplace_back().fill(material);
    }
    return bricks_[slot->second];
}

void SparseVoxelScene::set(Int3 p, MaterialId material) {
    assert(p.x >= 0 && p.y >= 0 && p.z >= 0 && p.x < size_.x && p.y < size_.y && p.z < size_.z);
    const Int3 brick{p.x / kBrickSide, p.y / kBrickSide, p.z / kBrickSide};
    const Int3 local = p - brick * kBrickSide;
    const auto index = static_cast<std::size_t>(voxelIndex(local.x, local.y, local.z));
    if (material == kEmpty && !entries_.contains(keyOf(brick))) {
        return;
    }
    materialsOf(keyOf(brick))[index] = material;
}

void SparseVoxelScene::setBrick(Int3 brick, std::span<const MaterialId, kBrickVoxels> materials) {
    std::ranges::copy(materials, materialsOf(keyOf(brick)).begin());
}

void SparseVoxelScene::setUniformBrick(Int3 brick, MaterialId material) {
    assert(material != kEmpty);
    // A brick that had its own materials keeps its slot in bricks_, unused: bulk builders
    // set each brick once.
    entries_[keyOf(brick)] = kUniformEntry | material;
}

void SparseVoxelScene::reserve(std::size_t bricks, std::size_t materialBricks) {
    entries_.reserve(bricks);
    bricks_.reserve(materialBricks);
}

BoxContent SparseVoxelScene::classify(const Box& box) const {
    const Int3 first{box.min.x / kBrickSide, box.min.y / kBrickSide, box.min.z / kBrickSide};
    const Int3 last{(box.max.x - 1) / kBrickSide, (box.max.y - 1) / kBrickSide,
                    (box.max.z - 1) / kBrickSide};
    if (first == last) {
        const auto found = entries_.find(keyOf(first));
        if (found == entries_.end()) {
            return BoxContent::empty();
        }
        return (found->second & kUniformEntry) != 0
                   ? BoxContent::solid(static_cast<MaterialId>(found->second & 0xFFU))
                   : BoxContent::mixed();
    }
    const Int3 span = last - first + Int3{1, 1, 1};
    if (static_cast<std::uint64_t>(span.volume()) <= entries_.size()) {
        for (std::int32_t z = first.z; z <= last.z; ++z) {
            for (std::int32_t y = first.y; y <= last.y; ++y) {
                for (std::int32_t x = first.x; x <= last.x; ++x) {
                    if (entries_.contains(keyOf({x, y, z}))) {
                        return BoxContent::mixed();
                    }
                }
            }
        }
        return BoxContent::empty();
    }
    const bool any = std::ranges::any_of(entries_, [&](const auto& entry) {
        const auto x = static_cast<std::int32_t>(entry.first & 0x1FFFFFU);
        const auto y = static_cast<std::int32_t>((entry.first >> 21U) & 0x1FFFFFU);
        const auto z = static_cast<std::int32_t>(entry.first >> 42U);
        return x >= first.x && x <= last.x && y >= first.y && y <= last.y && z >= first.z &&
               z <= last.z;
    });
    return any ? BoxContent::mixed() : BoxContent::empty();
}

void SparseVoxelScene::fillBrick(Int3 origin, std::span<MaterialId, kBrickVoxels> materials) const {
    const auto found =
        entries_.find(keyOf({origin.x / kBrickSide, origin.y / kBrickSide, origin.z / kBrickSide}));
    if (found == entries_.end()) {
        std::ranges::fill(materials, kEmpty);
    } else if ((found->second & kUniformEntry) != 0) {
        std::ranges::fill(materials, static_cast<MaterialId>(found->second & 0xFFU));
    } else {
        std::ranges::copy(bricks_[found->second], materials.begin());
    }
}

}  // namespace vixen::voxel
