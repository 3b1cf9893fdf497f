#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <tuple>

#include "vixen/core/files.hpp"
#include "vixen/voxel/vox_file.hpp"

namespace vixen::voxel {
namespace {

constexpr std::int32_t kModelSide = 256;

/// Little-endian .vox bytes.
class VoxWriter {
public:
    void int32(std::int32_t value) {
        for (int i = 0; i < 4; ++i) {
            bytes.push_back(
                static_cast<std::byte>((static_cast<std::uint32_t>(value) >> (8 * i)) & 0xFFU));
        }
    }
    void text(std::string_view value) {
        for (const char c : value) {
            bytes.push_back(static_cast<std::byte>(c));
        }
    }
    void string(std::string_view value) {
        int32(static_cast<std::int32_t>(value.size()));
        text(value);
    }
    void dict(std::initializer_list<std::pair<std::string_view, std::string>> pairs) {
        int32(static_cast<std::int32_t>(pairs.size()));
        for (const auto& [key, value] : pairs) {
            string(key);
            string(value);
        }
    }
    /// Starts a chunk without children; end() writes its size.
    std::size_t begin(std::string_view id) {
        text(id);
        const std::size_t at = bytes.size();
        int32(0);
        int32(0);
        return at;
    }
    void end(std::size_t at) {
        const auto size = static_cast<std::uint32_t>(bytes.size() - at - 8);
        for (std::size_t i = 0; i < 4; ++i) {
            bytes[at + i] = static_cast<std::byte>((size >> (8 * i)) & 0xFFU);
        }
    }

    std::vector<std::byte> bytes;
};

struct Model {
    Int3 origin;  ///< in MagicaVoxel's frame
    Int3 size;
    std::vector<std::array<std::uint8_t, 4>> voxels;
};

}  // namespace

Result<std::vector<std::byte>> encodeVox(const BrickVolume& volume, std::string_view name) {
    const Int3 size = volume.size();
    if (size.x > kMaxVoxSceneSide || size.y > kMaxVoxSceneSide || size.z > kMaxVoxSceneSide) {
        return fail(ErrorCode::CapacityExceeded,
                    "{}: the scene is {}x{}x{} voxels; a .vox file holds at most {} a side", name,
                    size.x, size.y, size.z, kMaxVoxSceneSide);
    }
    // VIXEN's (x, y, z) is MagicaVoxel's (x, -z, y) (makeVoxScene's turn, undone), moved so
    // that every coordinate is at least 0.
    const Int3 extent{size.x, size.z, size.y};
    std::map<std::tuple<std::int32_t, std::int32_t, std::int32_t>, Model> models;
    for (std::uint32_t b = 0; b < volume.brickCount(); ++b) {
        const Int3 origin = volume.brickCoord(b) * kBrickSide;
        for (std::int32_t z = 0; z < kBrickSide; ++z) {
            for (std::int32_t y = 0; y < kBrickSide; ++y) {
                for (std::int32_t x = 0; x < kBrickSide; ++x) {
                    if (!volume.mask(b).test(x, y, z)) {
                        continue;
                    }
                    const Int3 p = origin + Int3{x, y, z};
                    const Int3 v{p.x, size.z - 1 - p.z, p.y};
                    const auto key =
                        std::tuple{v.x / kModelSide, v.y / kModelSide, v.z / kModelSide};
                    Model& model = models[key];
                    if (model.voxels.empty()) {
                        model.origin =
                            Int3{std::get<0>(key), std::get<1>(key), std::get<2>(key)} * kModelSide;
                        model.size = {std::min(kModelSide, extent.x - model.origin.x),
                                      std::min(kModelSide, extent.y - model.origin.y),
                                      std::min(kModelSide, extent.z - model.origin.z)};
                    }
                    const Int3 local = v - model.origin;
                    model.voxels.push_back({static_cast<std::uint8_t>(local.x),
                                            static_cast<std::uint8_t>(local.y),
                                            static_cast<std::uint8_t>(local.z),
                                            volume.material(b, voxelIndex(x, y, z))});
                }
            }
        }
    }
    if (models.empty()) {
        return fail(ErrorCode::InvalidArgument, "{}: the scene has no solid voxel to write", name);
    }
    // Chunk sizes are 32-bit signed: MAIN holds every model's voxels (4 bytes each).
    std::uint64_t voxelBytes = 0;
    for (const auto& [key, model] : models) {
        voxelBytes += 4 * model.voxels.size() + 64;
    }
    if (voxelBytes > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()) / 2) {
        return fail(ErrorCode::CapacityExceeded,
                    "{}: {} solid voxels are more than a .vox file holds", name,
                    volume.solidVoxels());
    }

    VoxWriter out;
    out.text("VOX ");
    out.int32(200);
    const std::size_t main = out.begin("MAIN");
    const std::size_t childrenAt = out.bytes.size();
    for (const auto& [key, model] : models) {
        const std::size_t sizeChunk = out.begin("SIZE");
        out.int32(model.size.x);
        out.int32(model.size.y);
        out.int32(model.size.z);
        out.end(sizeChunk);
        const std::size_t xyzi = out.begin("XYZI");
        out.int32(static_cast<std::int32_t>(model.voxels.size()));
        for (const auto& voxel : model.voxels) {
            for (const std::uint8_t value : voxel) {
                out.bytes.push_back(static_cast<std::byte>(value));
            }
        }
        out.end(xyzi);
    }
    // The scene graph: a root transform, a group, and a transform and shape per model whose
    // translation puts the model's centre (size / 2) where its voxels belong.
    const auto modelCount = static_cast<std::int32_t>(models.size());
    std::size_t chunk = out.begin("nTRN");
    out.int32(0);
    out.dict({});
    out.int32(1);
    out.int32(-1);
    out.int32(0);
    out.int32(1);
    out.dict({});
    out.end(chunk);
    chunk = out.begin("nGRP");
    out.int32(1);
    out.dict({});
    out.int32(modelCount);
    for (std::int32_t i = 0; i < modelCount; ++i) {
        out.int32(2 + 2 * i);
    }
    out.end(chunk);
    std::int32_t index = 0;
    for (const auto& [key, model] : models) {
        const Int3 t = model.origin + Int3{model.size.x / 2, model.size.y / 2, model.size.z / 2};
        chunk = out.begin("nTRN");
        out.int32(2 + 2 * index);
        out.dict({});
        out.int32(3 + 2 * index);
        out.int32(-1);
        out.int32(0);
        out.int32(1);
        out.dict(
            {{"_t", std::to_string(t.x) + " " + std::to_string(t.y) + " " + std::to_string(t.z)}});
        out.end(chunk);
        chunk = out.begin("nSHP");
        out.int32(3 + 2 * index);
        out.dict({});
        out.int32(1);
        out.int32(index);
        out.dict({});
        out.end(chunk);
        ++index;
    }
    chunk = out.begin("LAYR");
    out.int32(0);
    out.dict({});
    out.int32(-1);
    out.end(chunk);
    // The palette: colour index i is material i, its albedo as sRGB bytes.
    const Palette& palette = volume.palette();
    chunk = out.begin("RGBA");
    const auto srgb = [](float linear) {
        return static_cast<std::byte>(
            std::lround(std::pow(std::clamp(linear, 0.0F, 1.0F), 1.0F / 2.2F) * 255.0F));
    };
    for (std::size_t i = 1; i <= 256; ++i) {
        if (i <= palette.size()) {
            const Material& material = palette[static_cast<MaterialId>(i)];
            for (const float channel : material.albedo) {
                out.bytes.push_back(srgb(channel));
            }
            out.bytes.push_back(std::byte{255});
        } else {
            out.int32(0);
        }
    }
    out.end(chunk);
    for (std::size_t i = 1; i <= palette.size(); ++i) {
        const Material& material = palette[static_cast<MaterialId>(i)];
        // The reader makes emission albedo x _emit: _emit is the emission over the albedo.
        const float emission =
            std::max({material.emission[0], material.emission[1], material.emission[2]});
        const float albedo = std::max({material.albedo[0], material.albedo[1], material.albedo[2]});
        chunk = out.begin("MATL");
        out.int32(static_cast<std::int32_t>(i));
        const std::string rough = fmt::format("{}", material.roughness);
        if (emission > 0.0F && albedo > 0.0F) {
            out.dict({{"_type", "_emit"},
                      {"_emit", fmt::format("{}", emission / albedo)},
                      {"_rough", rough}});
        } else {
            out.dict({{"_type", "_diffuse"}, {"_rough", rough}});
        }
        out.end(chunk);
    }
    // MAIN has no content of its own: its size field stays 0, its children's is what follows.
    const auto children = static_cast<std::uint32_t>(out.bytes.size() - childrenAt);
    for (std::size_t i = 0; i < 4; ++i) {
        out.bytes[main + i] = std::byte{0};
        out.bytes[main + 4 + i] = static_cast<std::byte>((children >> (8 * i)) & 0xFFU);
    }
    return std::move(out.bytes);
}

Result<void> writeVoxFile(const BrickVolume& volume, const std::filesystem::path& path) {
    auto bytes = encodeVox(volume, path.string());
    if (!bytes) {
        return std::unexpected(std::move(bytes.error()));
    }
    const std::filesystem::path temporary = path.string() + ".tmp";
    {
        std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
        if (!file.write(reinterpret_cast<const char*>(bytes->data()),
                        static_cast<std::streamsize>(bytes->size())) ||
            !file.flush()) {
            std::error_code ignored;
            std::filesystem::remove(temporary, ignored);
            return fail(ErrorCode::IoError, "'{}' could not be written", path.string());
        }
    }
    return core::moveIntoPlace(temporary, path);
}

}  // namespace vixen::voxel
