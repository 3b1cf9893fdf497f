#pragma once

// Small scenes for the voxel tests, defined voxel by voxel.

#include <functional>
#include <optional>
#include <utility>

#include "vixen/voxel/scene.hpp"

namespace vixen::voxel::testing {

/// A scene given by a function of the voxel; it never classifies (every brick is filled),
/// unless `classifyEmptyOutside` marks a box it knows to be empty.
class FunctionScene final : public SceneSource {
public:
    using Voxel = std::function<MaterialId(Int3)>;
    FunctionScene(Int3 size, Voxel voxel, int materials = 3)
        : size_(size), voxel_(std::move(voxel)) {
        for (int i = 0; i < materials; ++i) {
            static_cast<void>(palette_.add(Material{}));
        }
    }

    [[nodiscard]] Int3 size() const noexcept override { return size_; }
    [[nodiscard]] const Palette& palette() const noexcept override { return palette_; }
    [[nodiscard]] BoxContent classify(const Box& box) const override {
        return solidBox && solidBox->containsBox(box)           ? BoxContent::solid(1)
               : (emptyOutside && !emptyOutside->overlaps(box)) ? BoxContent::empty()
                                                                : BoxContent::mixed();
    }
    void fillBrick(Int3 origin, std::span<MaterialId, kBrickVoxels> materials) const override {
        for (std::int32_t i = 0; i < kBrickVoxels; ++i) {
            const Int3 p = origin + Int3{i % kBrickSide, (i / kBrickSide) % kBrickSide,
                                         i / (kBrickSide * kBrickSide)};
            const bool inside = p.x < size_.x && p.y < size_.y && p.z < size_.z;
            materials[static_cast<std::size_t>(i)] = inside ? voxel_(p) : kEmpty;
        }
    }

    /// Boxes the scene may answer for without filling (for tests of the builder's use).
    std::optional<Box> solidBox;      ///< material 1 throughout
    std::optional<Box> emptyOutside;  ///< nothing outside it

private:
    Int3 size_;
    Voxel voxel_;
    Palette palette_;
};

}  // namespace vixen::voxel::testing
