#include "vixen/voxel/palette.hpp"

#include <utility>

namespace vixen::voxel {

Result<MaterialId> Palette::add(Material material) {
    if (materials_.size() >= kMaxMaterials) {
        return fail(ErrorCode::CapacityExceeded,
                    "palette: material '{}' does not fit, a palette holds at most {} materials",
                    material.name, kMaxMaterials);
    }
    materials_.push_back(std::move(material));
    return static_cast<MaterialId>(materials_.size());
}

}  // namespace vixen::voxel
