#include "vixen/voxel/ply_file.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "gzip.hpp"
#include "vixen/core/files.hpp"

namespace vixen::voxel {
namespace {

enum class PlyType : std::uint8_t { Int8, UInt8, Int16, UInt16, Int32, UInt32, Float32, Float64 };

std::optional<PlyType> typeNamed(std::string_view name) {
    constexpr std::array<std::pair<std::string_view, PlyType>, 16> kNames{{
        {"char", PlyType::Int8},
        {"int8", PlyType::Int8},
        {"uchar", PlyType::UInt8},
        {"uint8", PlyType::UInt8},
        {"short", PlyType::Int16},
        {"int16", PlyType::Int16},
        {"ushort", PlyType::UInt16},
        {"uint16", PlyType::UInt16},
        {"int", PlyType::Int32},
        {"int32", PlyType::Int32},
        {"uint", PlyType::UInt32},
        {"uint32", PlyType::UInt32},
        {"float", PlyType::Float32},
        {"float32", PlyType::Float32},
        {"double", PlyType::Float64},
        {"float64", PlyType::Float64},
    }};
    for (const auto& [typeName, type] : kNames) {
        if (typeName == name) {
            return type;
        }
    }
    return std::nullopt;
}

std::size_t sizeOf(PlyType type) {
    switch (type) {
        case PlyType::Int8:
        case PlyType::UInt8:
            return 1;
        case PlyType::Int16:
        case PlyType::UInt16:
            return 2;
        case PlyType::Int32:
        case PlyType::UInt32:
        case PlyType::Float32:
            return 4;
        case PlyType::Float64:
            return 8;
    }
    return 8;
}

struct PlyProperty {
    std::string name;
    PlyType type = PlyType::Float32;
    bool isList = false;
    PlyType countType = PlyType::UInt8;
};

struct PlyElement {
    std::string name;
    std::uint64_t count = 0;
    std::vector<PlyProperty> properties;
};

enum class PlyFormat : std::uint8_t { Ascii, BinaryLittleEndian, BinaryBigEndian };

struct PlyHeader {
    PlyFormat format = PlyFormat::Ascii;
    std::vector<PlyElement> elements;
    std::size_t bodyOffset = 0;
    std::size_t bodyLine = 0;  ///< the line the body starts on (ascii)
};

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t at = 0;
    while (at < line.size()) {
        while (at < line.size() && (line[at] == ' ' || line[at] == '\t')) {
            ++at;
        }
        const std::size_t start = at;
        while (at < line.size() && line[at] != ' ' && line[at] != '\t') {
            ++at;
        }
        if (at > start) {
            out.push_back(line.substr(start, at - start));
        }
    }
    return out;
}

Result<PlyHeader> parseHeader(std::string_view text, std::string_view name) {
    PlyHeader header;
    std::size_t at = 0;
    std::size_t lineNumber = 0;
    bool sawFormat = false;
    while (true) {
        const std::size_t end = text.find('\n', at);
        ++lineNumber;
        if (end == std::string_view::npos) {
            return fail(ErrorCode::ParseError, "{}: line {}: the header has no end_header", name,
                        lineNumber);
        }
        std::string_view line = text.substr(at, end - at);
        if (line.ends_with('\r')) {
            line.remove_suffix(1);
        }
        at = end + 1;
        const auto fields = words(line);
        const auto bad = [&](std::string_view why) {
            return fail(ErrorCode::ParseError, "{}: line {}: '{}': {}", name, lineNumber, line,
                        why);
        };
        if (lineNumber == 1) {
            if (line != "ply") {
                return fail(ErrorCode::ParseError, "{}: line 1: not a PLY file (no 'ply' magic)",
                            name);
            }
            continue;
        }
        if (fields.empty() || fields[0] == "comment" || fields[0] == "obj_info") {
            continue;
        }
        if (fields[0] == "end_header") {
            if (!sawFormat) {
                return bad("the header ends before a format line");
            }
            header.bodyOffset = at;
            header.bodyLine = lineNumber + 1;
            return header;
        }
        if (fields[0] == "format") {
            if (fields.size() != 3 || fields[2] != "1.0") {
                return bad("expected 'format <kind> 1.0'");
            }
            if (fields[1] == "ascii") {
                header.format = PlyFormat::Ascii;
            } else if (fields[1] == "binary_little_endian") {
                header.format = PlyFormat::BinaryLittleEndian;
            } else if (fields[1] == "binary_big_endian") {
                header.format = PlyFormat::BinaryBigEndian;
            } else {
                return bad(
                    "unknown format (known: ascii, binary_little_endian, "
                    "binary_big_endian)");
            }
            sawFormat = true;
        } else if (fields[0] == "element") {
            PlyElement element;
            if (fields.size() != 3) {
                return bad("expected 'element <name> <count>'");
            }
            element.name = fields[1];
            const auto parsed = std::from_chars(fields[2].data(),
                                                fields[2].data() + fields[2].size(), element.count);
            if (parsed.ec != std::errc() || parsed.ptr != fields[2].data() + fields[2].size()) {
                return bad("the count is not a non-negative integer");
            }
            header.elements.push_back(std::move(element));
        } else if (fields[0] == "property") {
            if (header.elements.empty()) {
                return bad("a property before any element");
            }
            PlyProperty property;
            const bool list = fields.size() == 5 && fields[1] == "list";
            if (!list && fields.size() != 3) {
                return bad(
                    "expected 'property <type> <name>' or 'property list <count type> "
                    "<item type> <name>'");
            }
            const auto type = typeNamed(fields[list ? 3 : 1]);
            const auto countType = list ? typeNamed(fields[2]) : PlyType::UInt8;
            if (!type || !countType) {
                return bad(
                    "unknown type (known: char, uchar, short, ushort, int, uint, float, "
                    "double and their sized names)");
            }
            property.name = fields.back();
            property.type = *type;
            property.isList = list;
            property.countType = *countType;
            header.elements.back().properties.push_back(std::move(property));
        } else {
            return bad("unknown header keyword");
        }
    }
}

/// Values of a binary body, each checked against the bytes that are left.
class BinarySource {
public:
    BinarySource(std::span<const std::byte> bytes, std::size_t at, bool bigEndian)
        : bytes_(bytes), at_(at), bigEndian_(bigEndian) {}

    [[nodiscard]] std::size_t position() const noexcept { return at_; }
    [[nodiscard]] static std::string where(std::size_t position) {
        return fmt::format("offset {}", position);
    }
    [[nodiscard]] std::string failure() const { return "the file ends"; }
    /// Whether `count` values of `type` can still be there.
    [[nodiscard]] bool canHold(std::uint64_t count, std::size_t valueBytes) const noexcept {
        return count <= (bytes_.size() - at_) / valueBytes;
    }
    [[nodiscard]] static std::size_t minimumBytes(PlyType type) { return sizeOf(type); }

    std::optional<double> read(PlyType type) {
        const std::size_t size = sizeOf(type);
        if (bytes_.size() - at_ < size) {
            return std::nullopt;
        }
        std::array<std::byte, 8> raw{};
        std::memcpy(raw.data(), bytes_.data() + at_, size);
        at_ += size;
        if (bigEndian_ != (std::endian::native == std::endian::big)) {
            std::reverse(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(size));
        }
        switch (type) {
            case PlyType::Int8:
                return static_cast<double>(as<std::int8_t>(raw));
            case PlyType::UInt8:
                return static_cast<double>(as<std::uint8_t>(raw));
            case PlyType::Int16:
                return static_cast<double>(as<std::int16_t>(raw));
            case PlyType::UInt16:
                return static_cast<double>(as<std::uint16_t>(raw));
            case PlyType::Int32:
                return static_cast<double>(as<std::int32_t>(raw));
            case PlyType::UInt32:
                return static_cast<double>(as<std::uint32_t>(raw));
            case PlyType::Float32:
                return static_cast<double>(as<float>(raw));
            case PlyType::Float64:
                return as<double>(raw);
        }
        return std::nullopt;
    }

private:
    template <class T>
    static T as(const std::array<std::byte, 8>& raw) {
        T value{};
        std::memcpy(&value, raw.data(), sizeof value);
        return value;
    }

    std::span<const std::byte> bytes_;
    std::size_t at_;
    bool bigEndian_;
};

/// Values of an ascii body: numbers separated by white space, lines counted for errors.
class AsciiSource {
public:
    AsciiSource(std::string_view text, std::size_t at, std::size_t line)
        : text_(text), at_(at), line_(line) {}

    /// The line of the next value.
    [[nodiscard]] std::size_t position() {
        skipSpace();
        return line_;
    }
    [[nodiscard]] static std::string where(std::size_t line) {
        return fmt::format("line {}", line);
    }
    [[nodiscard]] std::string failure() const {
        return failed_.empty() ? std::string("the file ends")
                               : fmt::format("'{}' is not a number", failed_);
    }
    /// Each value takes at least a character and a separator (the last one may end the file).
    [[nodiscard]] bool canHold(std::uint64_t count, std::size_t valueBytes) const noexcept {
        return count <= (text_.size() - at_ + 1) / valueBytes;
    }
    [[nodiscard]] static std::size_t minimumBytes(PlyType /*type*/) { return 2; }

    std::optional<double> read(PlyType /*type*/) {
        skipSpace();
        const std::size_t start = at_;
        while (at_ < text_.size() && !isSpace(text_[at_])) {
            ++at_;
        }
        if (start == at_) {
            return std::nullopt;
        }
        double value = 0.0;
        const char* first = text_.data() + start;
        const char* last = text_.data() + at_;
        // from_chars takes no leading '+', which some writers put before exponents' numbers.
        const auto parsed = std::from_chars(first + (*first == '+' ? 1 : 0), last, value);
        if (parsed.ec != std::errc() || parsed.ptr != last) {
            failed_ = std::string(first, last);
            return std::nullopt;
        }
        return value;
    }

private:
    static bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
    void skipSpace() {
        while (at_ < text_.size() && isSpace(text_[at_])) {
            line_ += text_[at_] == '\n' ? 1U : 0U;
            ++at_;
        }
    }

    std::string_view text_;
    std::size_t at_;
    std::size_t line_;
    std::string failed_;
};

/// Where the vertex element's coordinates and colours are among its properties.
struct VertexLayout {
    std::array<std::optional<std::size_t>, 3> xyz;
    std::array<std::optional<std::size_t>, 3> rgb;
};

std::uint8_t colourByte(double value, PlyType type) {
    // Float colours are 0..1, integer ones 0..255.
    const bool isFloat = type == PlyType::Float32 || type == PlyType::Float64;
    const double scaled = isFloat ? value * 255.0 + 0.5 : value;
    return static_cast<std::uint8_t>(std::clamp(std::isnan(scaled) ? 0.0 : scaled, 0.0, 255.0));
}

template <class Source>
Result<TriangleMesh> readBody(Source& source, const PlyHeader& header, std::string_view name) {
    const auto vertexElement = std::ranges::find(header.elements, "vertex", &PlyElement::name);
    const auto faceElement = std::ranges::find(header.elements, "face", &PlyElement::name);
    if (vertexElement == header.elements.end()) {
        return fail(ErrorCode::InvalidArgument, "{}: the header declares no 'vertex' element",
                    name);
    }
    VertexLayout layout;
    constexpr std::array<std::string_view, 3> kXyz{"x", "y", "z"};
    constexpr std::array<std::string_view, 3> kRgb{"red", "green", "blue"};
    for (std::size_t p = 0; p < vertexElement->properties.size(); ++p) {
        const PlyProperty& property = vertexElement->properties[p];
        for (std::size_t a = 0; a < 3; ++a) {
            if (!property.isList && property.name == kXyz[a]) {
                layout.xyz[a] = p;
            }
            if (!property.isList && property.name == kRgb[a]) {
                layout.rgb[a] = p;
            }
        }
    }
    for (std::size_t a = 0; a < 3; ++a) {
        if (!layout.xyz[a]) {
            return fail(ErrorCode::InvalidArgument,
                        "{}: the vertex element has no scalar property '{}'", name, kXyz[a]);
        }
    }
    const bool coloured = layout.rgb[0] && layout.rgb[1] && layout.rgb[2];
    std::optional<std::size_t> indexList;
    if (faceElement != header.elements.end()) {
        for (std::size_t p = 0; p < faceElement->properties.size(); ++p) {
            const PlyProperty& property = faceElement->properties[p];
            if (property.isList &&
                (property.name == "vertex_indices" || property.name == "vertex_index")) {
                indexList = p;
                break;
            }
        }
        if (!indexList) {
            return fail(ErrorCode::InvalidArgument,
                        "{}: the face element has no list property 'vertex_indices' (or "
                        "'vertex_index')",
                        name);
        }
    }

    // Every count against the bytes that are there, before anything is allocated for it.
    for (const PlyElement& element : header.elements) {
        std::size_t rowBytes = 0;
        for (const PlyProperty& property : element.properties) {
            rowBytes += Source::minimumBytes(property.isList ? property.countType : property.type);
        }
        if (rowBytes > 0 && !source.canHold(element.count, rowBytes)) {
            return fail(ErrorCode::ParseError,
                        "{}: {}: the header claims {} '{}' elements of at least {} bytes each; "
                        "the file is shorter",
                        name, Source::where(source.position()), element.count, element.name,
                        rowBytes);
        }
    }
    const std::uint64_t vertexCount = vertexElement->count;
    if (vertexCount > std::uint64_t{1} << 32) {
        return fail(ErrorCode::CapacityExceeded, "{}: {} vertices; at most 2^32 are read", name,
                    vertexCount);
    }
    TriangleMesh mesh;
    mesh.positions.reserve(static_cast<std::size_t>(vertexCount));
    if (coloured) {
        mesh.colours.reserve(static_cast<std::size_t>(vertexCount));
    }
    if (faceElement != header.elements.end()) {
        mesh.triangles.reserve(static_cast<std::size_t>(faceElement->count));
    }

    std::vector<std::uint32_t> polygon;
    std::vector<double> values;
    for (const PlyElement& element : header.elements) {
        const bool isVertex = &element == &*vertexElement;
        const bool isFace = faceElement != header.elements.end() && &element == &*faceElement;
        if (element.properties.empty()) {
            continue;  // nothing to read, however many there are
        }
        values.resize(element.properties.size());
        for (std::uint64_t i = 0; i < element.count; ++i) {
            const std::size_t itemAt = source.position();
            const auto bad = [&](std::string_view why) {
                return fail(ErrorCode::ParseError, "{}: {}: {} {}: {}", name, Source::where(itemAt),
                            element.name, i, why);
            };
            for (std::size_t p = 0; p < element.properties.size(); ++p) {
                const PlyProperty& property = element.properties[p];
                if (!property.isList) {
                    const auto value = source.read(property.type);
                    if (!value) {
                        return bad(
                            fmt::format("property '{}': {}", property.name, source.failure()));
                    }
                    values[p] = *value;
                    continue;
                }
                const auto count = source.read(property.countType);
                if (!count) {
                    return bad(fmt::format("the length of list '{}': {}", property.name,
                                           source.failure()));
                }
                if (!(*count >= 0.0) || std::floor(*count) != *count ||
                    !source.canHold(static_cast<std::uint64_t>(*count),
                                    Source::minimumBytes(property.type))) {
                    return bad(
                        fmt::format("list '{}' claims {} items; the file is shorter or "
                                    "that is no count",
                                    property.name, *count));
                }
                const auto length = static_cast<std::size_t>(*count);
                const bool isIndexList = isFace && p == *indexList;
                if (isIndexList) {
                    if (length < 3) {
                        return bad(fmt::format("a face of {} vertices (at least 3)", length));
                    }
                    polygon.clear();
                }
                for (std::size_t k = 0; k < length; ++k) {
                    const auto item = source.read(property.type);
                    if (!item) {
                        return bad(fmt::format("item {} of list '{}': {}", k, property.name,
                                               source.failure()));
                    }
                    if (isIndexList) {
                        if (!(*item >= 0.0) || std::floor(*item) != *item ||
                            *item >= static_cast<double>(vertexCount)) {
                            return bad(fmt::format(
                                "vertex index {} is not one of the {} vertices (0..{})", *item,
                                vertexCount, vertexCount == 0 ? 0 : vertexCount - 1));
                        }
                        polygon.push_back(static_cast<std::uint32_t>(*item));
                    }
                }
                // A polygon as a fan of triangles around its first corner.
                for (std::size_t k = 1; isIndexList && k + 1 < polygon.size(); ++k) {
                    mesh.triangles.push_back({polygon[0], polygon[k], polygon[k + 1]});
                }
            }
            if (isVertex) {
                const Float3 position{static_cast<float>(values[*layout.xyz[0]]),
                                      static_cast<float>(values[*layout.xyz[1]]),
                                      static_cast<float>(values[*layout.xyz[2]])};
                if (!std::isfinite(position[0]) || !std::isfinite(position[1]) ||
                    !std::isfinite(position[2])) {
                    return bad(fmt::format("({}, {}, {}) is not a finite position", position[0],
                                           position[1], position[2]));
                }
                mesh.positions.push_back(position);
                if (coloured) {
                    Rgb8 colour{};
                    for (std::size_t c = 0; c < 3; ++c) {
                        const std::size_t p = *layout.rgb[c];
                        colour[c] = colourByte(values[p], vertexElement->properties[p].type);
                    }
                    mesh.colours.push_back(colour);
                }
            }
        }
    }
    return mesh;
}

Result<TriangleMesh> parseUncompressed(std::span<const std::byte> bytes, std::string_view name) {
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    auto header = parseHeader(text, name);
    if (!header) {
        return std::unexpected(std::move(header.error()));
    }
    if (header->format == PlyFormat::Ascii) {
        AsciiSource source(text, header->bodyOffset, header->bodyLine);
        return readBody(source, *header, name);
    }
    BinarySource source(bytes, header->bodyOffset, header->format == PlyFormat::BinaryBigEndian);
    return readBody(source, *header, name);
}

}  // namespace

Result<TriangleMesh> parsePly(std::span<const std::byte> bytes, std::string_view name) {
    if (!isGzip(bytes)) {
        return parseUncompressed(bytes, name);
    }
    auto inflated = gunzip(bytes, name);
    if (!inflated) {
        return std::unexpected(std::move(inflated.error()));
    }
    return parseUncompressed(*inflated, name);
}

Result<TriangleMesh> readPlyFile(const std::filesystem::path& path) {
    auto bytes = core::readBinaryFile(path);
    if (!bytes) {
        return std::unexpected(std::move(bytes.error()));
    }
    return parsePly(*bytes, path.string());
}

}  // namespace vixen::voxel
