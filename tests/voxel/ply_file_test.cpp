// PLY meshes: one small mesh written here as ascii, binary little- and big-endian and gzip,
// read back the same; every kind of damage refused with the file and the offset or line named,
// lying counts refused before anything is allocated for them.
#include "vixen/voxel/ply_file.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "vixen/core/alloc_tracker.hpp"

namespace vixen::voxel {
namespace {

/// A square pyramid: the base a quad (fanned into 2 triangles), the sides 4 triangles.
struct Pyramid {
    std::vector<Float3> positions{{0, 0, 0}, {2, 0, 0}, {2, 0, 2}, {0, 0, 2}, {1, 1.5F, 1}};
    std::vector<Rgb8> colours{{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {10, 20, 30}, {200, 100, 50}};
    std::vector<std::vector<std::uint32_t>> faces{
        {0, 1, 2, 3}, {0, 4, 1}, {1, 4, 2}, {2, 4, 3}, {3, 4, 0}};
};

/// The header of the pyramid's file: a vertex element with an extra property to skip, an
/// element between vertices and faces to skip, and faces with a flag after their indices.
std::string header(std::string_view format, std::size_t vertices = 5, std::size_t faces = 5) {
    return fmt::format(
        "ply\nformat {} 1.0\ncomment written by ply_file_test\nelement vertex {}\n"
        "property float x\nproperty float y\nproperty float z\nproperty double confidence\n"
        "property uchar red\nproperty uchar green\nproperty uchar blue\n"
        "element note 2\nproperty list uchar int values\nproperty short tag\n"
        "element face {}\nproperty list uchar int vertex_indices\nproperty ushort flags\n"
        "end_header\n",
        format, vertices, faces);
}

std::vector<std::byte> bytesOf(std::string_view text) {
    std::vector<std::byte> bytes(text.size());
    std::memcpy(bytes.data(), text.data(), text.size());
    return bytes;
}

std::vector<std::byte> asciiPly(const Pyramid& mesh) {
    std::string text = header("ascii");
    for (std::size_t v = 0; v < mesh.positions.size(); ++v) {
        const auto& p = mesh.positions[v];
        const auto& c = mesh.colours[v];
        text += fmt::format("{} {} {} 0.5 {} {} {}\n", p[0], p[1], p[2], c[0], c[1], c[2]);
    }
    text += "3 1 2 3 7\n0 -4\n";
    for (const auto& face : mesh.faces) {
        text += fmt::format("{} {} 0\n", face.size(), fmt::join(face, " "));
    }
    return bytesOf(text);
}

/// Binary values in the file's byte order.
class BinaryWriter {
public:
    explicit BinaryWriter(bool bigEndian) : bigEndian_(bigEndian) {}
    template <class T>
    BinaryWriter& put(T value) {
        std::array<std::byte, sizeof(T)> raw{};
        std::memcpy(raw.data(), &value, sizeof(T));
        if (bigEndian_ != (std::endian::native == std::endian::big)) {
            std::reverse(raw.begin(), raw.end());
        }
        bytes.insert(bytes.end(), raw.begin(), raw.end());
        return *this;
    }
    std::vector<std::byte> bytes;

private:
    bool bigEndian_;
};

std::vector<std::byte> binaryPly(const Pyramid& mesh, bool bigEndian) {
    BinaryWriter out(bigEndian);
    out.bytes = bytesOf(header(bigEndian ? "binary_big_endian" : "binary_little_endian"));
    for (std::size_t v = 0; v < mesh.positions.size(); ++v) {
        for (const float coordinate : mesh.positions[v]) {
            out.put(coordinate);
        }
        out.put(0.5);
        for (const std::uint8_t channel : mesh.colours[v]) {
            out.put(channel);
        }
    }
    out.put(std::uint8_t{3}).put(1).put(2).put(3).put(std::int16_t{7});
    out.put(std::uint8_t{0}).put(std::int16_t{-4});
    for (const auto& face : mesh.faces) {
        out.put(static_cast<std::uint8_t>(face.size()));
        for (const std::uint32_t index : face) {
            out.put(static_cast<std::int32_t>(index));
        }
        out.put(std::uint16_t{0});
    }
    return out.bytes;
}

std::vector<std::byte> gzipped(const std::vector<std::byte>& bytes) {
    z_stream stream{};
    EXPECT_EQ(deflateInit2(&stream, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::vector<std::byte> out(deflateBound(&stream, static_cast<uLong>(bytes.size())) + 64);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(bytes.data()));
    stream.avail_in = static_cast<uInt>(bytes.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return out;
}

void expectPyramid(const Result<TriangleMesh>& read, const Pyramid& expected) {
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->positions, expected.positions);
    EXPECT_EQ(read->colours, expected.colours);
    const std::vector<std::array<std::uint32_t, 3>> triangles{{0, 1, 2}, {0, 2, 3}, {0, 4, 1},
                                                              {1, 4, 2}, {2, 4, 3}, {3, 4, 0}};
    EXPECT_EQ(read->triangles, triangles);
}

TEST(PlyFile, AsciiBinaryLittleBigEndianAndGzipReadTheSameMesh) {
    const Pyramid pyramid;
    expectPyramid(parsePly(asciiPly(pyramid), "ascii.ply"), pyramid);
    expectPyramid(parsePly(binaryPly(pyramid, false), "le.ply"), pyramid);
    expectPyramid(parsePly(binaryPly(pyramid, true), "be.ply"), pyramid);
    expectPyramid(parsePly(gzipped(asciiPly(pyramid)), "ascii.ply.gz"), pyramid);
    expectPyramid(parsePly(gzipped(binaryPly(pyramid, true)), "be.ply.gz"), pyramid);
}

TEST(PlyFile, DoubleCoordinatesFloatColoursAndOtherIndexTypesAreRead) {
    const std::string text =
        "ply\r\nformat ascii 1.0\r\nelement vertex 3\r\nproperty double x\r\nproperty double "
        "y\r\nproperty double z\r\nproperty float red\r\nproperty float green\r\nproperty float "
        "blue\r\nelement face 1\r\nproperty list int uint vertex_index\r\nend_header\r\n"
        "0 0 0 1 0 0.5\r\n1e0 0 0 0 1 0\r\n0 +2.5 -1 0 0 1\r\n3 2 1 0\r\n";
    const auto mesh = parsePly(bytesOf(text), "doubles.ply");
    ASSERT_TRUE(mesh) << mesh.error().message;
    EXPECT_EQ(mesh->positions[2], (Float3{0, 2.5F, -1}));
    EXPECT_EQ(mesh->colours[0], (Rgb8{255, 0, 128}));
    EXPECT_EQ(mesh->triangles, (std::vector<std::array<std::uint32_t, 3>>{{2, 1, 0}}));
}

TEST(PlyFile, EveryTruncationOfABinaryFileIsRefusedWithItsOffset) {
    const auto whole = binaryPly(Pyramid{}, false);
    const std::size_t bodyAt = header("binary_little_endian").size();
    for (std::size_t length = 0; length < whole.size(); ++length) {
        const std::span<const std::byte> cut(whole.data(), length);
        const auto mesh = parsePly(cut, "cut.ply");
        ASSERT_FALSE(mesh) << "cut to " << length << " bytes";
        EXPECT_EQ(mesh.error().code, ErrorCode::ParseError);
        EXPECT_NE(mesh.error().message.find("cut.ply"), std::string::npos);
        // Cut in the body: the error says where (an offset within the body's bytes).
        if (length > bodyAt) {
            EXPECT_NE(mesh.error().message.find("offset "), std::string::npos)
                << mesh.error().message;
        }
    }
    // Cut gzip data too.
    const auto packed = gzipped(whole);
    for (std::size_t length = 0; length < packed.size(); length += 7) {
        const auto mesh = parsePly(std::span<const std::byte>(packed.data(), length), "cut.gz");
        EXPECT_FALSE(mesh) << "gzip cut to " << length << " bytes";
    }
}

TEST(PlyFile, LyingCountsAreRefusedBeforeAnythingIsAllocatedForThem) {
    const auto lie = [](std::string_view format, std::string_view element) {
        std::string text = fmt::format(
            "ply\nformat {} 1.0\nelement vertex {}\nproperty float x\nproperty float y\n"
            "property float z\nelement face {}\nproperty list uchar int vertex_indices\n"
            "end_header\n",
            format, element == "vertex" ? "1000000000000" : "1",
            element == "face" ? "1000000000000" : "1");
        text.resize(200, '\0');
        return bytesOf(text);
    };
    for (const std::string_view format : {"ascii", "binary_little_endian", "binary_big_endian"}) {
        for (const std::string_view element : {"vertex", "face"}) {
            const core::AllocationRegion region;
            const auto mesh = parsePly(lie(format, element), "liar.ply");
            ASSERT_FALSE(mesh) << format << " " << element;
            EXPECT_EQ(mesh.error().code, ErrorCode::ParseError);
            EXPECT_NE(mesh.error().message.find("1000000000000"), std::string::npos)
                << mesh.error().message;
            if (core::AllocationTracker::installed()) {
                EXPECT_LT(region.counts().largest, 4096U) << mesh.error().message;
            }
        }
    }
    // A list claiming more items than there are bytes.
    BinaryWriter out(false);
    out.bytes = bytesOf(
        "ply\nformat binary_little_endian 1.0\nelement vertex 3\nproperty float x\nproperty "
        "float y\nproperty float z\nelement face 1\nproperty list uint int vertex_indices\n"
        "end_header\n");
    for (int k = 0; k < 9; ++k) {
        out.put(1.0F);
    }
    out.put(std::uint32_t{4000000000U}).put(0).put(1).put(2);
    const auto list = parsePly(out.bytes, "list.ply");
    ASSERT_FALSE(list);
    EXPECT_NE(list.error().message.find("face 0"), std::string::npos) << list.error().message;
}

TEST(PlyFile, NonFiniteVertexIsRefusedNamingTheVertexAndWhere) {
    Pyramid pyramid;
    pyramid.positions[3][1] = std::numeric_limits<float>::quiet_NaN();
    const auto binary = parsePly(binaryPly(pyramid, true), "nan.ply");
    ASSERT_FALSE(binary);
    const std::size_t vertex3At = header("binary_big_endian").size() + 3 * (3 * 4 + 8 + 3);
    EXPECT_NE(binary.error().message.find(fmt::format("offset {}: vertex 3:", vertex3At)),
              std::string::npos)
        << binary.error().message;
    const std::string text = header("ascii", 1, 0) + "0 inf 0 1 1 1 1\n3 0 0 0 1\n0 1\n";
    const auto ascii = parsePly(bytesOf(text), "inf.ply");
    ASSERT_FALSE(ascii);
    EXPECT_NE(ascii.error().message.find("line 19: vertex 0:"), std::string::npos)
        << ascii.error().message;
}

TEST(PlyFile, IndexOutsideTheVerticesIsRefusedNamingTheFace) {
    Pyramid pyramid;
    pyramid.faces[3] = {2, 4, 5};
    for (const bool bigEndian : {false, true}) {
        const auto mesh = parsePly(binaryPly(pyramid, bigEndian), "index.ply");
        ASSERT_FALSE(mesh);
        EXPECT_NE(mesh.error().message.find("face 3:"), std::string::npos) << mesh.error().message;
        EXPECT_NE(mesh.error().message.find("vertex index 5"), std::string::npos);
    }
    const auto ascii = parsePly(asciiPly(pyramid), "index.ply");
    ASSERT_FALSE(ascii);
    EXPECT_NE(ascii.error().message.find("line 29: face 3:"), std::string::npos)
        << ascii.error().message;
}

TEST(PlyFile, DamagedHeadersAreRefusedNamingTheLine) {
    const auto refuse = [](std::string_view text, std::string_view expected) {
        const auto mesh = parsePly(bytesOf(text), "header.ply");
        ASSERT_FALSE(mesh) << text;
        EXPECT_NE(mesh.error().message.find(expected), std::string::npos) << mesh.error().message;
    };
    refuse("PLY\n", "not a PLY file");
    refuse("ply\nformat ascii 1.0\nelement vertex 1\n", "no end_header");
    refuse("ply\nformat xml 1.0\nend_header\n", "line 2");
    refuse("ply\nformat ascii 1.0\nelement vertex -3\nend_header\n", "line 3");
    refuse("ply\nformat ascii 1.0\nelement vertex 1\nproperty float128 x\nend_header\n",
           "unknown type");
    refuse("ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nend_header\n1\n",
           "no scalar property 'y'");
    refuse(
        "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\n"
        "property float z\nend_header\n1 2 banana\n",
        "'banana' is not a number");
    refuse(
        "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
        "property float z\nelement face 1\nproperty list uchar int vertex_indices\n"
        "end_header\n0 0 0\n1 0 0\n0 1 0\n2 0 1\n",
        "a face of 2 vertices");
}

}  // namespace
}  // namespace vixen::voxel
