// MagicaVoxel .vox files: models, palette, materials and the scene graph read and composed
// into one scene; every kind of damage refused with the file and the offset named; and the
// example files of the `parse-magica-voxel` npm package (fetched at test time) read with the
// counts their own chunks state.
#include "vixen/voxel/vox_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "vixen/core/files.hpp"
#include "vixen/voxel/brick_volume.hpp"
#include "vixen/voxel/procedural.hpp"
#include "voxel_test_data.hpp"
#include "voxel_test_scenes.hpp"

namespace vixen::voxel {
namespace {

/// Little-endian bytes of a .vox file, written chunk by chunk.
class VoxBytes {
public:
    VoxBytes& int32(std::int32_t value) {
        for (int i = 0; i < 4; ++i) {
            bytes_.push_back(
                static_cast<std::byte>((static_cast<std::uint32_t>(value) >> (8 * i)) & 0xFFU));
        }
        return *this;
    }
    VoxBytes& text(std::string_view value) {
        for (const char c : value) {
            bytes_.push_back(static_cast<std::byte>(c));
        }
        return *this;
    }
    VoxBytes& string(std::string_view value) {
        return int32(static_cast<std::int32_t>(value.size())).text(value);
    }
    VoxBytes& dict(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
        int32(static_cast<std::int32_t>(pairs.size()));
        for (const auto& [key, value] : pairs) {
            string(key).string(value);
        }
        return *this;
    }
    VoxBytes& byte(std::uint8_t value) {
        bytes_.push_back(static_cast<std::byte>(value));
        return *this;
    }
    /// A chunk with `content` and no children.
    VoxBytes& chunk(std::string_view id, const VoxBytes& content) {
        text(id).int32(static_cast<std::int32_t>(content.bytes_.size())).int32(0);
        bytes_.insert(bytes_.end(), content.bytes_.begin(), content.bytes_.end());
        return *this;
    }
    /// The whole file: header and MAIN around `children`.
    [[nodiscard]] static std::vector<std::byte> file(const VoxBytes& children) {
        VoxBytes out;
        out.text("VOX ").int32(200).text("MAIN").int32(0).int32(
            static_cast<std::int32_t>(children.bytes_.size()));
        out.bytes_.insert(out.bytes_.end(), children.bytes_.begin(), children.bytes_.end());
        return out.bytes_;
    }
    [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }

private:
    std::vector<std::byte> bytes_;
};

struct Voxel {
    std::uint8_t x, y, z, colour;
};

VoxBytes model(std::int32_t sx, std::int32_t sy, std::int32_t sz, std::vector<Voxel> voxels) {
    VoxBytes size;
    size.int32(sx).int32(sy).int32(sz);
    VoxBytes xyzi;
    xyzi.int32(static_cast<std::int32_t>(voxels.size()));
    for (const Voxel& v : voxels) {
        xyzi.byte(v.x).byte(v.y).byte(v.z).byte(v.colour);
    }
    VoxBytes both;
    both.chunk("SIZE", size).chunk("XYZI", xyzi);
    return both;
}

TEST(VoxFileTest, ReadsAModelWithItsPaletteAndMaterials) {
    VoxBytes children = model(4, 3, 2, {{0, 0, 0, 1}, {3, 2, 1, 7}, {1, 2, 0, 7}});
    children.chunk("RGBA", [] {
        VoxBytes rgba;
        for (int i = 0; i < 256; ++i) {
            rgba.byte(static_cast<std::uint8_t>(i)).byte(10).byte(20).byte(255);
        }
        return rgba;
    }());
    VoxBytes matl;
    matl.int32(7).dict({{"_type", "_emit"}, {"_emit", "0.5"}, {"_flux", "1"}});
    children.chunk("MATL", matl);
    auto document = parseVox(VoxBytes::file(children), "one.vox");
    ASSERT_TRUE(document) << document.error().message;
    ASSERT_EQ(document->models.size(), 1U);
    EXPECT_EQ(document->models[0].size, (Int3{4, 3, 2}));
    EXPECT_EQ(document->models[0].voxels.size(), 3U);
    EXPECT_TRUE(document->hasPalette);
    EXPECT_EQ(document->palette[6][0], 6U) << "colour index 7 is the chunk's entry 6";
    EXPECT_FLOAT_EQ(document->materials[6].emission, 5.0F);
    ASSERT_EQ(document->placements.size(), 1U);

    auto scene = makeVoxScene(*document, "one.vox");
    ASSERT_TRUE(scene) << scene.error().message;
    // z up becomes y up: x stays, MagicaVoxel's z is VIXEN's y, its y runs along -z.
    EXPECT_EQ((*scene)->size(), (Int3{8, 8, 8})) << "4x2x3, padded to a brick";
    auto volume = BrickVolume::build(**scene);
    ASSERT_TRUE(volume) << volume.error().message;
    EXPECT_EQ(volume->solidVoxels(), 3U);
    EXPECT_EQ(volume->voxel({0, 0, 2}), 1U) << "(0, 0, 0) is at the far end of -y";
    EXPECT_EQ(volume->voxel({3, 1, 0}), 7U);
    EXPECT_EQ(volume->voxel({1, 0, 0}), 7U);
    EXPECT_GT((*scene)->palette()[7].emission[0], 0.0F);
}

/// Two shapes of one model under a group: one moved by (10, 0, 0) and turned a quarter about
/// z, one on a hidden layer.
std::vector<std::byte> sceneGraph(std::int32_t groupChild = 2) {
    VoxBytes children = model(2, 1, 1, {{0, 0, 0, 3}, {1, 0, 0, 4}});
    VoxBytes root;
    root.int32(0).dict({}).int32(1).int32(-1).int32(-1).int32(1).dict({});
    children.chunk("nTRN", root);
    VoxBytes group;
    group.int32(1).dict({}).int32(2).int32(groupChild).int32(4);
    children.chunk("nGRP", group);
    // Rotation byte 0b0110001: row 0 -> column 1 (-), row 1 -> column 0, row 2 -> column 2.
    VoxBytes moved;
    moved.int32(2).dict({}).int32(3).int32(-1).int32(0).int32(1).dict(
        {{"_t", "10 0 0"}, {"_r", "17"}});
    children.chunk("nTRN", moved);
    VoxBytes shape;
    shape.int32(3).dict({}).int32(1).int32(0).dict({});
    children.chunk("nSHP", shape);
    VoxBytes hiddenNode;
    hiddenNode.int32(4).dict({}).int32(3).int32(-1).int32(1).int32(1).dict({{"_t", "-50 0 0"}});
    children.chunk("nTRN", hiddenNode);
    VoxBytes layer0;
    layer0.int32(0).dict({}).int32(-1);
    children.chunk("LAYR", layer0);
    VoxBytes layer1;
    layer1.int32(1).dict({{"_hidden", "1"}}).int32(-1);
    children.chunk("LAYR", layer1);
    return VoxBytes::file(children);
}

TEST(VoxFileTest, ComposesTheSceneGraphWithTransformsAndHiddenLayers) {
    auto document = parseVox(sceneGraph(), "graph.vox");
    ASSERT_TRUE(document) << document.error().message;
    EXPECT_FALSE(document->hasPalette) << "a generated palette stands in";
    ASSERT_EQ(document->placements.size(), 1U) << "the shape on the hidden layer is left out";
    const VoxPlacement& placed = document->placements[0];
    EXPECT_EQ(placed.translation, (Int3{10, 0, 0}));
    EXPECT_EQ(placed.rotation[0][1], -1);
    EXPECT_EQ(placed.rotation[1][0], 1);
    EXPECT_EQ(placed.rotation[2][2], 1);
    auto scene = makeVoxScene(*document, "graph.vox");
    ASSERT_TRUE(scene) << scene.error().message;
    // The 2x1x1 model turned a quarter about z stands along y, which becomes -z: its two
    // voxels are one behind the other.
    auto volume = BrickVolume::build(**scene);
    ASSERT_TRUE(volume) << volume.error().message;
    EXPECT_EQ(volume->solidVoxels(), 2U);
    EXPECT_NE(volume->voxel({0, 0, 0}), kEmpty);
    EXPECT_NE(volume->voxel({0, 0, 1}), kEmpty);
}

TEST(VoxFileTest, EveryTruncationIsRefusedWithItsOffset) {
    for (const std::vector<std::byte>& file :
         {VoxBytes::file(model(4, 3, 2, {{0, 0, 0, 1}, {3, 2, 1, 7}})), sceneGraph()}) {
        for (std::size_t length = 0; length < file.size(); ++length) {
            auto truncated = parseVox(std::span(file).first(length), "cut.vox");
            ASSERT_FALSE(truncated) << "cut at " << length;
            EXPECT_EQ(truncated.error().code, ErrorCode::ParseError);
            EXPECT_EQ(truncated.error().message.rfind("cut.vox", 0), 0U)
                << truncated.error().message;
        }
        EXPECT_TRUE(parseVox(file, "whole.vox"));
    }
}

TEST(VoxFileTest, EveryFlippedByteIsReadOrRefusedNeverCrashes) {
    const std::vector<std::byte> file = sceneGraph();
    std::size_t refused = 0;
    for (std::size_t at = 0; at < file.size(); ++at) {
        for (const unsigned mask : {0x01U, 0x80U, 0xFFU}) {
            std::vector<std::byte> damaged = file;
            damaged[at] ^= static_cast<std::byte>(mask);
            auto document = parseVox(damaged, "flipped.vox");
            if (!document) {
                ++refused;
                EXPECT_NE(document.error().message.find("flipped.vox"), std::string::npos);
                continue;
            }
            // What is read still makes a scene or a clear refusal.
            auto scene = makeVoxScene(*document, "flipped.vox", 512);
            if (!scene) {
                EXPECT_NE(scene.error().message.find("flipped.vox"), std::string::npos);
            }
        }
    }
    EXPECT_GT(refused, file.size()) << "most damage is noticed";
}

std::string errorOf(const VoxBytes& children) {
    auto document = parseVox(VoxBytes::file(children), "bad.vox");
    return document ? std::string("(read)") : document.error().message;
}

TEST(VoxFileTest, BadFilesNameWhatIsWrongAndWhere) {
    std::vector<std::byte> notVox = VoxBytes::file(model(1, 1, 1, {{0, 0, 0, 1}}));
    std::memcpy(notVox.data(), "PNG\x89", 4);
    auto wrongMagic = parseVox(notVox, "bad.vox");
    ASSERT_FALSE(wrongMagic);
    EXPECT_EQ(wrongMagic.error().message,
              "bad.vox: offset 0: not a MagicaVoxel file (the magic is not 'VOX ')");

    VoxBytes lying;
    lying.text("SIZE").int32(1 << 30).int32(0).int32(1).int32(1).int32(1);
    EXPECT_NE(errorOf(lying).find("offset 20: chunk 'SIZE' claims 1073741824 + 0 bytes"),
              std::string::npos)
        << errorOf(lying);

    VoxBytes countLies;
    VoxBytes size;
    size.int32(2).int32(2).int32(2);
    VoxBytes xyzi;
    xyzi.int32(1000000).byte(0).byte(0).byte(0).byte(1);
    countLies.chunk("SIZE", size).chunk("XYZI", xyzi);
    EXPECT_NE(
        errorOf(countLies).find("XYZI claims 1000000 voxels (4000000 bytes), the chunk holds 4"),
        std::string::npos)
        << errorOf(countLies);

    EXPECT_NE(errorOf(model(2, 2, 2, {{0, 0, 0, 1}, {5, 0, 1, 2}}))
                  .find("voxel 1 at (5, 0, 1) is outside the model's SIZE 2x2x2"),
              std::string::npos);
    EXPECT_NE(errorOf(model(2, 2, 2, {{0, 0, 0, 0}})).find("voxel 0 has colour index 0"),
              std::string::npos);
    VoxBytes noSize;
    noSize.chunk("XYZI", xyzi);
    EXPECT_NE(errorOf(noSize).find("XYZI without a SIZE before it"), std::string::npos);

    VoxBytes huge;
    VoxBytes hugeSize;
    hugeSize.int32(4096).int32(1).int32(1);
    huge.chunk("SIZE", hugeSize);
    auto tooLarge = parseVox(VoxBytes::file(huge), "bad.vox");
    ASSERT_FALSE(tooLarge);
    EXPECT_EQ(tooLarge.error().code, ErrorCode::CapacityExceeded);

    VoxBytes empty;
    EXPECT_NE(errorOf(empty).find("the file holds no model"), std::string::npos);
}

TEST(VoxFileTest, ABrokenSceneGraphIsRefused) {
    // The group's child is the root itself: a cycle.
    const auto cyclic = parseVox(sceneGraph(0), "cycle.vox");
    ASSERT_FALSE(cyclic);
    EXPECT_NE(cyclic.error().message.find("reaches node 0 twice (it must be a tree)"),
              std::string::npos)
        << cyclic.error().message;
    const auto dangling = parseVox(sceneGraph(42), "dangling.vox");
    ASSERT_FALSE(dangling);
    EXPECT_NE(dangling.error().message.find("refers to node 42, which is not there"),
              std::string::npos)
        << dangling.error().message;
}

/// Whether `imported` holds exactly `original`'s voxels (same materials, same places).
::testing::AssertionResult sameVoxels(const BrickVolume& original, const BrickVolume& imported) {
    if (imported.solidVoxels() != original.solidVoxels()) {
        return ::testing::AssertionFailure()
               << imported.solidVoxels() << " solid voxels, not " << original.solidVoxels();
    }
    const Int3 size = original.size();
    for (std::int32_t z = 0; z < size.z; ++z) {
        for (std::int32_t y = 0; y < size.y; ++y) {
            for (std::int32_t x = 0; x < size.x; ++x) {
                if (imported.voxel({x, y, z}) != original.voxel({x, y, z})) {
                    return ::testing::AssertionFailure()
                           << "voxel (" << x << ", " << y << ", " << z << ") differs";
                }
            }
        }
    }
    return ::testing::AssertionSuccess();
}

TEST(VoxFileTest, AnExportedSceneReadsBackVoxelForVoxel) {
    // 300 wide: two models along x; the corners solid, so the bounds are the volume's.
    testing::FunctionScene scene({300, 20, 40}, [](Int3 p) {
        const bool corner =
            (p.x == 0 && p.y == 0 && p.z == 0) || (p.x == 299 && p.y == 19 && p.z == 39);
        return corner || (p.x * 7 + p.y * 3 + p.z) % 11 == 0
                   ? static_cast<MaterialId>(1 + (p.x + p.z) % 3)
                   : kEmpty;
    });
    auto original = BrickVolume::build(scene);
    ASSERT_TRUE(original);
    auto bytes = encodeVox(*original, "export.vox");
    ASSERT_TRUE(bytes) << bytes.error().message;
    auto document = parseVox(*bytes, "export.vox");
    ASSERT_TRUE(document) << document.error().message;
    EXPECT_EQ(document->models.size(), 2U);
    EXPECT_TRUE(document->hasPalette);
    auto imported = makeVoxScene(*document, "export.vox");
    ASSERT_TRUE(imported) << imported.error().message;
    EXPECT_EQ((*imported)->size(), original->size());
    auto volume = BrickVolume::build(**imported);
    ASSERT_TRUE(volume);
    EXPECT_TRUE(sameVoxels(*original, *volume));

    // Written to a file and read back the same way.
    const std::filesystem::path path =
        std::filesystem::temp_directory_path() / "vixen-vox-export-test.vox";
    ASSERT_TRUE(writeVoxFile(*original, path));
    auto fromFile = readVoxFile(path);
    std::filesystem::remove(path);
    ASSERT_TRUE(fromFile);
    EXPECT_EQ(fromFile->models.size(), 2U);
}

TEST(VoxFileTest, AProceduralSceneExportsAndReadsBack) {
    auto original = BrickVolume::build(**makeProceduralScene("cityscape", {64, 64, 64}, 3));
    ASSERT_TRUE(original);
    auto bytes = encodeVox(*original, "city.vox");
    ASSERT_TRUE(bytes) << bytes.error().message;
    auto document = parseVox(*bytes, "city.vox");
    ASSERT_TRUE(document) << document.error().message;
    auto imported = makeVoxScene(*document, "city.vox");
    ASSERT_TRUE(imported);
    auto volume = BrickVolume::build(**imported);
    ASSERT_TRUE(volume);
    EXPECT_EQ(volume->solidVoxels(), original->solidVoxels());
    EXPECT_NEAR((*imported)->palette()[2].albedo[0], original->palette()[2].albedo[0], 0.01F);
}

TEST(VoxFileTest, EmissionSurvivesARoundTrip) {
    // The Cornell box's light is emissive.
    auto original = BrickVolume::build(**makeProceduralScene("cornell", {32, 32, 32}, 1));
    ASSERT_TRUE(original);
    auto document = parseVox(*encodeVox(*original, "light.vox"), "light.vox");
    ASSERT_TRUE(document);
    auto imported = makeVoxScene(*document, "light.vox");
    ASSERT_TRUE(imported);
    const Palette& before = original->palette();
    const Palette& after = (*imported)->palette();
    int emissive = 0;
    for (std::size_t i = 1; i <= before.size(); ++i) {
        const auto id = static_cast<MaterialId>(i);
        for (std::size_t c = 0; c < 3; ++c) {
            EXPECT_NEAR(after[id].emission[c], before[id].emission[c],
                        0.02F * std::max(1.0F, before[id].emission[c]))
                << "material " << i;
        }
        emissive += before[id].emission[0] > 0.0F ? 1 : 0;
    }
    EXPECT_GE(emissive, 1);
}

TEST(VoxFileTest, AScenePastMagicaVoxelsWorldIsNotExported) {
    testing::FunctionScene wide({2056, 8, 8},
                                [](Int3 p) { return p.x == 0 ? MaterialId{1} : kEmpty; });
    auto volume = BrickVolume::build(wide);
    ASSERT_TRUE(volume);
    auto bytes = encodeVox(*volume, "wide.vox");
    ASSERT_FALSE(bytes);
    EXPECT_EQ(bytes.error().code, ErrorCode::CapacityExceeded);
    EXPECT_NE(bytes.error().message.find("wide.vox: the scene is 2056x8x8 voxels"),
              std::string::npos)
        << bytes.error().message;
}

TEST(VoxFileTest, HostileScenesAreRefusedBeforeTheyCostAnything) {
    // A group listing one transform twice: shared nodes would multiply placements per level.
    VoxBytes shared = model(1, 1, 1, {{0, 0, 0, 1}});
    VoxBytes root;
    root.int32(0).dict({}).int32(1).int32(-1).int32(-1).int32(1).dict({});
    shared.chunk("nTRN", root);
    VoxBytes group;
    group.int32(1).dict({}).int32(2).int32(2).int32(2);
    shared.chunk("nGRP", group);
    VoxBytes leaf;
    leaf.int32(2).dict({}).int32(3).int32(-1).int32(0).int32(1).dict({});
    shared.chunk("nTRN", leaf);
    VoxBytes shape;
    shape.int32(3).dict({}).int32(1).int32(0).dict({});
    shared.chunk("nSHP", shape);
    EXPECT_NE(errorOf(shared).find("reaches node 2 twice"), std::string::npos) << errorOf(shared);

    // Translations past +-2^20 and rotations that are not one.
    for (const auto& [key, value, expected] :
         {std::tuple{"_t", "2000000000 0 0", "is not three integers within"},
          std::tuple{"_r", "1e30", "is not a rotation"},
          std::tuple{"_r", "255", "is not a rotation"},
          std::tuple{"_r", "3", "is not a rotation"}}) {
        VoxBytes far = model(1, 1, 1, {{0, 0, 0, 1}});
        VoxBytes node;
        node.int32(0).dict({}).int32(1).int32(-1).int32(0).int32(1).dict({{key, value}});
        far.chunk("nTRN", node);
        EXPECT_NE(errorOf(far).find(expected), std::string::npos)
            << key << "=" << value << ": " << errorOf(far);
    }

    // Chunks nested 20000 deep (12 bytes each) read without recursion.
    const int depth = 20000;
    VoxBytes nested = model(1, 1, 1, {{0, 0, 0, 1}});
    for (int level = 0; level < depth; ++level) {
        nested.text("NEST").int32(0).int32(12 * (depth - 1 - level));
    }
    auto deep = parseVox(VoxBytes::file(nested), "deep.vox");
    EXPECT_TRUE(deep) << deep.error().message;
}

TEST(VoxFileTest, AMissingFileIsNamed) {
    auto missing = readVoxFile("/nonexistent/model.vox");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
    EXPECT_NE(missing.error().message.find("/nonexistent/model.vox"), std::string::npos);
}

/// SIZE and XYZI counts read straight from a file's chunks, independently of the parser.
struct StatedModel {
    Int3 size;
    std::int32_t voxels = 0;
};
std::vector<StatedModel> statedModels(const std::vector<std::byte>& file) {
    const auto at = [&](std::size_t offset) {
        std::int32_t value = 0;
        std::memcpy(&value, file.data() + offset, 4);
        return value;
    };
    std::vector<StatedModel> models;
    for (std::size_t offset = 20; offset + 12 <= file.size();) {
        const std::string id(reinterpret_cast<const char*>(file.data() + offset), 4);
        const auto content = static_cast<std::size_t>(at(offset + 4));
        if (id == "SIZE") {
            models.push_back({{at(offset + 12), at(offset + 16), at(offset + 20)}, 0});
        } else if (id == "XYZI") {
            models.back().voxels = at(offset + 12);
        }
        offset += 12 + content + static_cast<std::size_t>(at(offset + 8));
    }
    return models;
}

TEST(VoxRealFileTest, TheMagicaVoxelExamplesReadWithTheCountsTheirChunksState) {
    const auto examples = testing::magicaVoxelExamples();
    if (examples.empty()) {
        GTEST_SKIP() << testing::kExamplesNotFetched;
    }
    for (const std::filesystem::path& file : examples) {
        SCOPED_TRACE(file.filename().string());
        auto bytes = core::readBinaryFile(file);
        ASSERT_TRUE(bytes);
        const std::vector<StatedModel> stated = statedModels(*bytes);
        auto document = readVoxFile(file);
        ASSERT_TRUE(document) << document.error().message;
        ASSERT_EQ(document->models.size(), stated.size());
        for (std::size_t m = 0; m < stated.size(); ++m) {
            EXPECT_EQ(document->models[m].size, stated[m].size);
            EXPECT_EQ(document->models[m].voxels.size(),
                      static_cast<std::size_t>(stated[m].voxels));
        }
        auto scene = makeVoxScene(*document, file.string());
        ASSERT_TRUE(scene) << scene.error().message;
        auto volume = BrickVolume::build(**scene);
        ASSERT_TRUE(volume) << volume.error().message;
        // Without a scene graph the first model is the scene (the others are frames).
        if (document->placements.size() == 1) {
            const StatedModel& first = stated[document->placements[0].model];
            EXPECT_EQ(volume->solidVoxels(), static_cast<std::uint64_t>(first.voxels));
            // Within the model's SIZE (the voxels' bounds, at least a brick): x stays x, z
            // becomes y and y becomes z.
            EXPECT_LE((*scene)->size().x, std::max(first.size.x, 8));
            EXPECT_LE((*scene)->size().y, std::max(first.size.z, 8));
            EXPECT_LE((*scene)->size().z, std::max(first.size.y, 8));
        }
    }
    EXPECT_GE(examples.size(), 3U);
}

}  // namespace
}  // namespace vixen::voxel
