// OpenVDB .vdb files: grids made by OpenVDB's own tools (a level-set sphere, its fog volume)
// read back as scenes with the voxel counts geometry predicts; files OpenVDB cannot read, a
// file without a float grid and a grid too large refused by name, never a crash.
#include "vixen/voxel/openvdb_file.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include "vixen/voxel/brick_volume.hpp"
#include "vixen/voxel/detail/openvdb.hpp"

// Under the sanitizers (harmless elsewhere): OpenVDB 10.0.1 trusts the sizes in a file's
// compressed blocks, so a damaged file can make it ask for an impossible allocation, which must
// fail with std::bad_alloc (reported naming the file) as it does without AddressSanitizer,
// not abort; and it leaks the nodes it was reading when such a file makes it throw halfway
// through a grid's topology. The tests read damaged files on purpose; LeakSanitizer still
// checks everything else.
extern "C" const char* __asan_default_options() {
    return "allocator_may_return_null=1";
}
extern "C" const char* __lsan_default_suppressions() {
    return "leak:readTopology\n";
}

namespace vixen::voxel {
namespace {

class OpenVdbFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        openvdb::initialize();
        dir_ =
            std::filesystem::temp_directory_path() /
            ("vixen-openvdb-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    /// `grids` written by OpenVDB to `name` in the test's folder.
    std::filesystem::path write(const std::string& name, const openvdb::GridPtrVec& grids) {
        const std::filesystem::path path = dir_ / name;
        openvdb::io::File(path.string()).write(grids);
        return path;
    }

    static openvdb::FloatGrid::Ptr sphere(float radius) {
        auto grid = openvdb::tools::createLevelSetSphere<openvdb::FloatGrid>(
            radius, openvdb::Vec3f(0.0F), 1.0F, 3.0F);
        grid->setName("sphere");
        return grid;
    }

    static std::uint64_t solidVoxels(const SceneSource& scene) {
        auto volume = BrickVolume::build(scene);
        EXPECT_TRUE(volume);
        return volume ? volume->solidVoxels() : 0;
    }

    std::filesystem::path dir_;
};

TEST_F(OpenVdbFileTest, ALevelSetSphereIsSolidInside) {
    const auto path = write("sphere.vdb", {sphere(20.0F)});
    auto scene = readOpenVdbScene(path);
    ASSERT_TRUE(scene) << scene.error().message;
    // The narrow band reaches 3 voxels outside the radius: the scene spans it.
    EXPECT_GE((*scene)->size().x, 40);
    EXPECT_LE((*scene)->size().x, 48);
    const double expected = 4.0 / 3.0 * std::numbers::pi * 20.0 * 20.0 * 20.0;  // 33510
    EXPECT_NEAR(static_cast<double>(solidVoxels(**scene)), expected, expected * 0.03);
}

TEST_F(OpenVdbFileTest, AFogVolumeIsSolidAboveTheThreshold) {
    auto fog = sphere(12.0F);
    openvdb::tools::sdfToFogVolume(*fog);  // 0 outside, rising to 1 a band inside the surface
    const auto path = write("fog.vdb", {fog});
    auto all = readOpenVdbScene(path, 0.0F);
    auto dense = readOpenVdbScene(path, 0.99F);
    ASSERT_TRUE(all) << all.error().message;
    ASSERT_TRUE(dense) << dense.error().message;
    const double ball = 4.0 / 3.0 * std::numbers::pi * 12.0 * 12.0 * 12.0;
    const auto allVoxels = static_cast<double>(solidVoxels(**all));
    const auto denseVoxels = static_cast<double>(solidVoxels(**dense));
    EXPECT_NEAR(allVoxels, ball, ball * 0.05);
    // Above 0.99: the inside less the band of 3 voxels where the density rises.
    const double core = 4.0 / 3.0 * std::numbers::pi * 9.0 * 9.0 * 9.0;
    EXPECT_NEAR(denseVoxels, core, core * 0.1);
}

TEST_F(OpenVdbFileTest, AFileWithoutAFloatGridNamesTheGridsItHas) {
    auto vectors = openvdb::Vec3SGrid::create();
    vectors->setName("velocity");
    vectors->tree().setValue(openvdb::Coord(1, 2, 3), openvdb::Vec3s(1.0F));
    const auto path = write("vectors.vdb", {vectors});
    auto scene = readOpenVdbScene(path);
    ASSERT_FALSE(scene);
    EXPECT_EQ(scene.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(scene.error().message.find("'velocity' (vec3s)"), std::string::npos)
        << scene.error().message;
}

TEST_F(OpenVdbFileTest, AnEmptyGridAndAGridTooLargeAreRefused) {
    auto empty = openvdb::FloatGrid::create(1.0F);
    empty->setName("empty");
    auto refusedEmpty = readOpenVdbScene(write("empty.vdb", {empty}));
    ASSERT_FALSE(refusedEmpty);
    EXPECT_NE(refusedEmpty.error().message.find("no active voxel"), std::string::npos);
    auto wide = openvdb::FloatGrid::create(0.0F);
    wide->tree().setValue(openvdb::Coord(0, 0, 0), 1.0F);
    wide->tree().setValue(openvdb::Coord(5000, 0, 0), 1.0F);
    auto refusedWide = readOpenVdbScene(write("wide.vdb", {wide}));
    ASSERT_FALSE(refusedWide);
    EXPECT_EQ(refusedWide.error().code, ErrorCode::CapacityExceeded);
    EXPECT_NE(refusedWide.error().message.find("5001x1x1"), std::string::npos)
        << refusedWide.error().message;
}

TEST_F(OpenVdbFileTest, FilesOpenVdbCannotReadAreRefusedNamingTheFile) {
    auto missing = readOpenVdbScene(dir_ / "missing.vdb");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
    const std::filesystem::path text = dir_ / "text.vdb";
    std::ofstream(text) << "not a volume at all";
    auto notVdb = readOpenVdbScene(text);
    ASSERT_FALSE(notVdb);
    EXPECT_EQ(notVdb.error().code, ErrorCode::ParseError);
    EXPECT_NE(notVdb.error().message.find("magic number"), std::string::npos);

    // Every cut of a real file is refused or, where what is left still holds a grid, read:
    // never a crash.
    const auto whole = write("whole.vdb", {sphere(6.0F)});
    std::ifstream in(whole, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
    ASSERT_GT(bytes.size(), 1000U);
    std::size_t refused = 0;
    for (std::size_t cut = 0; cut < bytes.size(); cut += bytes.size() / 97 + 1) {
        const std::filesystem::path path = dir_ / "cut.vdb";
        std::ofstream(path, std::ios::binary | std::ios::trunc)
            .write(bytes.data(), static_cast<std::streamsize>(cut));
        auto scene = readOpenVdbScene(path);
        if (!scene) {
            ++refused;
            EXPECT_NE(scene.error().message.find("cut.vdb"), std::string::npos)
                << scene.error().message;
        }
    }
    EXPECT_GT(refused, 90U);
}

}  // namespace
}  // namespace vixen::voxel
