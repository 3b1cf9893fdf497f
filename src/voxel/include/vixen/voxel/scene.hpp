#pragma once

// Where voxels come from: a scene answers for boxes of voxels (so builders skip empty and
// solid regions without looking at each voxel) and fills the bricks it cannot answer for.

#include <cstdint>
#include <span>

#include "vixen/voxel/brick.hpp"
#include "vixen/voxel/palette.hpp"

namespace vixen::voxel {

/// What a box of voxels holds, as far as a scene can tell without visiting them.
struct BoxContent {
    enum class Kind : std::uint8_t { Empty, Solid, Mixed };
    Kind kind = Kind::Mixed;
    MaterialId material = kEmpty;  ///< for Solid: every voxel's material

    [[nodiscard]] static constexpr BoxContent empty() noexcept { return {Kind::Empty, kEmpty}; }
    [[nodiscard]] static constexpr BoxContent solid(MaterialId m) noexcept {
        return {Kind::Solid, m};
    }
    [[nodiscard]] static constexpr BoxContent mixed() noexcept { return {Kind::Mixed, kEmpty}; }
};

/// A voxel scene of `size()` voxels. Thread-safe: builders call it from many threads.
class SceneSource {
public:
    virtual ~SceneSource() = default;
    [[nodiscard]] virtual Int3 size() const noexcept = 0;
    [[nodiscard]] virtual const Palette& palette() const noexcept = 0;
    /// Empty or Solid only when that holds for every voxel of `box` (which lies inside the
    /// scene); Mixed when unsure.
    [[nodiscard]] virtual BoxContent classify(const Box& box) const = 0;
    /// The materials of the brick whose first voxel is `origin` (x fastest, then y, then z;
    /// kEmpty for empty). Voxels past the scene's size must be kEmpty.
    virtual void fillBrick(Int3 origin, std::span<MaterialId, kBrickVoxels> materials) const = 0;
};

}  // namespace vixen::voxel
