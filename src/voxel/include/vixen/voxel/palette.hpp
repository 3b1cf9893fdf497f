#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/voxel/brick.hpp"

namespace vixen::voxel {

/// What a surface of one material looks like (linear RGB).
struct Material {
    std::array<float, 3> albedo{0.8F, 0.8F, 0.8F};
    std::array<float, 3> emission{0.0F, 0.0F, 0.0F};
    float roughness = 1.0F;
    std::string name;
};

/// Materials 1..255 of a scene (index 0 is empty space and has none).
class Palette {
public:
    static constexpr std::size_t kMaxMaterials = 255;

    /// Adds a material and returns its index; CapacityExceeded past 255.
    Result<MaterialId> add(Material material);
    /// The material of `id` (1..size()).
    [[nodiscard]] const Material& operator[](MaterialId id) const { return materials_.at(id - 1U); }
    [[nodiscard]] std::size_t size() const noexcept { return materials_.size(); }

private:
    std::vector<Material> materials_;
};

}  // namespace vixen::voxel
