#pragma once

// MagicaVoxel .vox files: the chunk format read in full (SIZE and XYZI models, the RGBA
// palette, MATL materials, the scene graph of nTRN transforms, nGRP groups and nSHP shapes,
// LAYR layers; other chunks are skipped by their sizes), checked as it is read, and composed
// into one scene. Every error names the file and the byte offset of what is wrong; no size
// field is trusted before it is checked against the bytes that are there.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/voxel/brick_volume.hpp"
#include "vixen/voxel/scene.hpp"

namespace vixen::voxel {

/// One model: its SIZE and its voxels (x, y, z in MagicaVoxel's z-up frame, colour index
/// 1..255).
struct VoxModel {
    Int3 size;
    struct Voxel {
        std::uint8_t x, y, z, colour;
    };
    std::vector<Voxel> voxels;
};

/// A material's MATL attributes that VIXEN renders with (colour index 1..255).
struct VoxMaterial {
    float emission = 0.0F;  ///< _emit (times 10^_flux where given), 0 for other types
    float roughness = 1.0F;
};

/// A model placed in the scene: a rotation (rows of -1, 0, 1) and a translation, applied to
/// voxel coordinates taken from the model's centre (MagicaVoxel's convention: the voxel at
/// size / 2, rounded down, sits at the translation).
struct VoxPlacement {
    std::uint32_t model = 0;
    std::array<std::array<std::int32_t, 3>, 3> rotation{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
    Int3 translation;
};

struct VoxDocument {
    std::int32_t version = 0;
    std::vector<VoxModel> models;
    /// RGBA of colour index i at [i - 1]; from the RGBA chunk, else generated (hasPalette
    /// false: MagicaVoxel's built-in default palette is not reproduced here).
    std::array<std::array<std::uint8_t, 4>, 255> palette{};
    bool hasPalette = false;
    std::array<VoxMaterial, 255> materials{};
    /// Every visible shape of the scene graph with its accumulated transform; without a
    /// scene graph, model 0 alone (more models are then animation frames).
    std::vector<VoxPlacement> placements;
};

/// Parses `bytes` (errors name `name`): ParseError with the offset for a wrong magic, a
/// truncated file, a chunk whose sizes run past its parent, a voxel outside its model's SIZE,
/// colour index 0, a reference to a missing model or node, a cycle in the scene graph;
/// CapacityExceeded for a model larger than 2048 a side.
[[nodiscard]] Result<VoxDocument> parseVox(std::span<const std::byte> bytes, std::string_view name);
/// Reads and parses the file at `path`.
[[nodiscard]] Result<VoxDocument> readVoxFile(const std::filesystem::path& path);

/// The placed models as one scene in VIXEN's frame (y up: MagicaVoxel's z becomes y), moved
/// so that its smallest corner is the origin and at least 8 voxels a side, with the file's palette
/// and materials (colour index i is material i). Later models overwrite earlier ones where they
/// overlap. CapacityExceeded when the scene is more than `maxSide` voxels along an axis;
/// InvalidArgument when nothing is visible.
[[nodiscard]] Result<std::unique_ptr<SceneSource>> makeVoxScene(const VoxDocument& document,
                                                                std::string_view name,
                                                                std::int32_t maxSide = 4096);

/// The largest scene a .vox file holds here: MagicaVoxel's world is 2048 voxels a side.
inline constexpr std::int32_t kMaxVoxSceneSide = 2048;

/// `volume` as a .vox file (version 200) that makeVoxScene reads back voxel for voxel: models
/// of at most 256^3 (MagicaVoxel's limit) placed by a scene graph, the palette as RGBA (sRGB
/// bytes of the albedo) and emissive materials as MATL. CapacityExceeded naming `name` when
/// the volume is larger than kMaxVoxSceneSide along an axis.
[[nodiscard]] Result<std::vector<std::byte>> encodeVox(const BrickVolume& volume,
                                                       std::string_view name);
/// encodeVox written to `path` safely (a temporary renamed into place).
[[nodiscard]] Result<void> writeVoxFile(const BrickVolume& volume,
                                        const std::filesystem::path& path);

}  // namespace vixen::voxel
