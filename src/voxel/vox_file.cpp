#include "vixen/voxel/vox_file.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "vixen/core/files.hpp"
#include "vixen/core/log.hpp"
#include "vixen/voxel/sparse_scene.hpp"

namespace vixen::voxel {
namespace {

constexpr std::int32_t kMaxModelSide = 2048;
/// Scene graphs deeper than this are refused (each level is a recursion).
constexpr int kMaxGraphDepth = 64;
/// Translations farther than this from the origin are refused: what they add up to stays far
/// inside 32 bits.
constexpr std::int32_t kMaxTranslation = 1 << 20;

/// Little-endian reads from a range of the file, each checked against what is left; errors
/// name the file and the offset.
class Reader {
public:
    Reader(std::span<const std::byte> bytes, std::string_view name, std::size_t begin,
           std::size_t end)
        : bytes_(bytes), name_(name), at_(begin), end_(end) {}

    [[nodiscard]] std::size_t offset() const noexcept { return at_; }
    [[nodiscard]] std::size_t left() const noexcept { return end_ - at_; }
    [[nodiscard]] bool done() const noexcept { return at_ >= end_; }

    template <class... Args>
    [[nodiscard]] Error error(std::size_t offset, fmt::format_string<Args...> format,
                              Args&&... args) const {
        return Error{ErrorCode::ParseError,
                     fmt::format("{}: offset {}: {}", name_, offset,
                                 fmt::format(format, std::forward<Args>(args)...))};
    }

    Result<std::int32_t> int32(std::string_view what) {
        if (left() < 4) {
            return std::unexpected(error(at_, "{} needs 4 bytes, {} remain", what, left()));
        }
        std::uint32_t value = 0;
        for (std::size_t i = 0; i < 4; ++i) {
            value |= static_cast<std::uint32_t>(bytes_[at_ + i]) << (8U * i);
        }
        at_ += 4;
        return static_cast<std::int32_t>(value);
    }

    Result<std::span<const std::byte>> take(std::size_t count, std::string_view what) {
        if (left() < count) {
            return std::unexpected(error(at_, "{} needs {} bytes, {} remain", what, count, left()));
        }
        const auto taken = bytes_.subspan(at_, count);
        at_ += count;
        return taken;
    }

    Result<std::string> string(std::string_view what) {
        const std::size_t at = at_;
        auto length = int32(what);
        if (!length) {
            return std::unexpected(std::move(length.error()));
        }
        if (*length < 0) {
            return std::unexpected(error(at, "{} has a negative length ({})", what, *length));
        }
        auto text = take(static_cast<std::size_t>(*length), what);
        if (!text) {
            return std::unexpected(std::move(text.error()));
        }
        return std::string(reinterpret_cast<const char*>(text->data()), text->size());
    }

    /// A DICT: pairs of strings.
    Result<std::map<std::string, std::string>> dict(std::string_view what) {
        const std::size_t at = at_;
        auto pairs = int32(what);
        if (!pairs) {
            return std::unexpected(std::move(pairs.error()));
        }
        // Each pair takes at least 8 bytes: a count past that is a lie.
        if (*pairs < 0 || static_cast<std::size_t>(*pairs) > left() / 8) {
            return std::unexpected(
                error(at, "{} claims {} entries in {} bytes", what, *pairs, left()));
        }
        std::map<std::string, std::string> entries;
        for (std::int32_t i = 0; i < *pairs; ++i) {
            auto key = string(what);
            if (!key) {
                return std::unexpected(std::move(key.error()));
            }
            auto value = string(what);
            if (!value) {
                return std::unexpected(std::move(value.error()));
            }
            entries[std::move(*key)] = std::move(*value);
        }
        return entries;
    }

private:
    std::span<const std::byte> bytes_;
    std::string_view name_;
    std::size_t at_;
    std::size_t end_;
};

std::optional<float> number(const std::map<std::string, std::string>& dict,
                            const std::string& key) {
    const auto found = dict.find(key);
    if (found == dict.end()) {
        return std::nullopt;
    }
    float value = 0.0F;
    const char* first = found->second.data();
    const auto [end, error] = std::from_chars(first, first + found->second.size(), value);
    if (error != std::errc() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

bool hidden(const std::map<std::string, std::string>& dict) {
    const auto found = dict.find("_hidden");
    return found != dict.end() && found->second == "1";
}

/// The scene graph's nodes, as read.
struct Transform {
    std::int32_t child = -1;
    std::int32_t layer = -1;
    bool hidden = false;
    std::array<std::array<std::int32_t, 3>, 3> rotation{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
    Int3 translation;
    std::size_t offset = 0;
};
struct Graph {
    std::map<std::int32_t, Transform> transforms;
    std::map<std::int32_t, std::vector<std::int32_t>> groups;
    std::map<std::int32_t, std::vector<std::int32_t>> shapes;  // model ids
    std::map<std::int32_t, bool> hiddenLayers;
};

/// MagicaVoxel's packed rotation: bits 0-1 and 2-3 the column of the non-zero entry of rows
/// 0 and 1 (row 2 takes the remaining one), bits 4, 5 and 6 the rows' signs.
std::optional<std::array<std::array<std::int32_t, 3>, 3>> unpackRotation(int bits) {
    const int first = bits & 3;
    const int second = (bits >> 2) & 3;
    if (first > 2 || second > 2 || first == second) {
        return std::nullopt;
    }
    const int third = 3 - first - second;
    std::array<std::array<std::int32_t, 3>, 3> rows{};
    rows[0][static_cast<std::size_t>(first)] = (bits & 16) != 0 ? -1 : 1;
    rows[1][static_cast<std::size_t>(second)] = (bits & 32) != 0 ? -1 : 1;
    rows[2][static_cast<std::size_t>(third)] = (bits & 64) != 0 ? -1 : 1;
    return rows;
}

Result<Transform> readTransform(Reader& chunk, std::int32_t& id) {
    Transform node;
    node.offset = chunk.offset();
    auto nodeId = chunk.int32("nTRN node id");
    auto attributes = nodeId ? chunk.dict("nTRN attributes") : std::unexpected(nodeId.error());
    if (!attributes) {
        return std::unexpected(std::move(attributes.error()));
    }
    id = *nodeId;
    node.hidden = hidden(*attributes);
    auto child = chunk.int32("nTRN child");
    auto reserved = child ? chunk.int32("nTRN reserved id") : std::unexpected(child.error());
    auto layer = reserved ? chunk.int32("nTRN layer") : std::unexpected(reserved.error());
    const std::size_t framesAt = chunk.offset();
    auto frames = layer ? chunk.int32("nTRN frames") : std::unexpected(layer.error());
    if (!frames) {
        return std::unexpected(std::move(frames.error()));
    }
    node.child = *child;
    node.layer = *layer;
    if (*frames < 1 || static_cast<std::size_t>(*frames) > chunk.left() / 4) {
        return std::unexpected(
            chunk.error(framesAt, "nTRN claims {} frames in {} bytes", *frames, chunk.left()));
    }
    // The first frame is the scene as shown; later ones animate it.
    for (std::int32_t f = 0; f < *frames; ++f) {
        const std::size_t frameAt = chunk.offset();
        auto frame = chunk.dict("nTRN frame");
        if (!frame) {
            return std::unexpected(std::move(frame.error()));
        }
        if (f > 0) {
            continue;
        }
        if (const auto r = frame->find("_r"); r != frame->end()) {
            int bits = -1;
            const char* first = r->second.data();
            const auto parsed = std::from_chars(first, first + r->second.size(), bits);
            auto rotation = parsed.ec == std::errc() && parsed.ptr == first + r->second.size() &&
                                    bits >= 0 && bits < 128
                                ? unpackRotation(bits)
                                : std::nullopt;
            if (!rotation) {
                return std::unexpected(
                    chunk.error(frameAt, "nTRN rotation '{}' is not a rotation", r->second));
            }
            node.rotation = *rotation;
        }
        if (const auto t = frame->find("_t"); t != frame->end()) {
            std::array<std::int32_t, 3> xyz{};
            const char* at = t->second.data();
            const char* end = at + t->second.size();
            for (std::int32_t& v : xyz) {
                while (at < end && *at == ' ') {
                    ++at;
                }
                const auto parsed = std::from_chars(at, end, v);
                if (parsed.ec != std::errc() || v < -kMaxTranslation || v > kMaxTranslation) {
                    return std::unexpected(chunk.error(
                        frameAt, "nTRN translation '{}' is not three integers within +-{}",
                        t->second, kMaxTranslation));
                }
                at = parsed.ptr;
            }
            node.translation = {xyz[0], xyz[1], xyz[2]};
        }
    }
    return node;
}

/// Reads the chunks between `begin` and `end` (MAIN's children, and theirs) into `document`
/// and `graph`.
Result<void> readChunks(std::span<const std::byte> bytes, std::string_view name, std::size_t begin,
                        std::size_t end, VoxDocument& document, Graph& graph) {
    Reader chunks(bytes, name, begin, end);
    std::optional<Int3> pendingSize;
    std::size_t sizeOffset = 0;
    while (!chunks.done()) {
        const std::size_t at = chunks.offset();
        auto id = chunks.take(4, "a chunk id");
        auto content = id ? chunks.int32("a chunk's size") : std::unexpected(id.error());
        auto children =
            content ? chunks.int32("a chunk's children size") : std::unexpected(content.error());
        if (!children) {
            return std::unexpected(std::move(children.error()));
        }
        const std::string tag(reinterpret_cast<const char*>(id->data()), 4);
        if (*content < 0 || *children < 0 ||
            static_cast<std::uint64_t>(*content) + static_cast<std::uint64_t>(*children) >
                chunks.left()) {
            return std::unexpected(chunks.error(at, "chunk '{}' claims {} + {} bytes, {} remain",
                                                tag, *content, *children, chunks.left()));
        }
        const std::size_t contentAt = chunks.offset();
        const std::size_t contentEnd = contentAt + static_cast<std::size_t>(*content);
        Reader chunk(bytes, name, contentAt, contentEnd);
        if (tag == "SIZE") {
            auto x = chunk.int32("SIZE x");
            auto y = x ? chunk.int32("SIZE y") : std::unexpected(x.error());
            auto z = y ? chunk.int32("SIZE z") : std::unexpected(y.error());
            if (!z) {
                return std::unexpected(std::move(z.error()));
            }
            if (*x < 1 || *y < 1 || *z < 1) {
                return std::unexpected(
                    chunk.error(contentAt, "SIZE {}x{}x{} is empty", *x, *y, *z));
            }
            if (*x > kMaxModelSide || *y > kMaxModelSide || *z > kMaxModelSide) {
                return fail(ErrorCode::CapacityExceeded,
                            "{}: offset {}: SIZE {}x{}x{} is larger than {} a side", name,
                            contentAt, *x, *y, *z, kMaxModelSide);
            }
            pendingSize = Int3{*x, *y, *z};
            sizeOffset = at;
        } else if (tag == "XYZI") {
            if (!pendingSize) {
                return std::unexpected(chunk.error(at, "XYZI without a SIZE before it"));
            }
            auto count = chunk.int32("XYZI voxel count");
            if (!count) {
                return std::unexpected(std::move(count.error()));
            }
            if (*count < 0 || static_cast<std::size_t>(*count) > chunk.left() / 4) {
                return std::unexpected(
                    chunk.error(contentAt, "XYZI claims {} voxels ({} bytes), the chunk holds {}",
                                *count, 4LL * *count, chunk.left()));
            }
            VoxModel model{*pendingSize, {}};
            model.voxels.reserve(static_cast<std::size_t>(*count));
            const Int3 size = *pendingSize;
            for (std::int32_t i = 0; i < *count; ++i) {
                const std::size_t voxelAt = chunk.offset();
                auto voxel = chunk.take(4, "an XYZI voxel");
                const VoxModel::Voxel v{
                    static_cast<std::uint8_t>((*voxel)[0]), static_cast<std::uint8_t>((*voxel)[1]),
                    static_cast<std::uint8_t>((*voxel)[2]), static_cast<std::uint8_t>((*voxel)[3])};
                if (v.x >= size.x || v.y >= size.y || v.z >= size.z) {
                    return std::unexpected(
                        chunk.error(voxelAt,
                                    "voxel {} at ({}, {}, {}) is outside the model's SIZE {}x{}x{} "
                                    "(offset {})",
                                    i, v.x, v.y, v.z, size.x, size.y, size.z, sizeOffset));
                }
                if (v.colour == 0) {
                    return std::unexpected(chunk.error(
                        voxelAt, "voxel {} has colour index 0 (colours are 1..255)", i));
                }
                model.voxels.push_back(v);
            }
            document.models.push_back(std::move(model));
            pendingSize.reset();
        } else if (tag == "RGBA") {
            auto rgba = chunk.take(256 * 4, "RGBA palette");
            if (!rgba) {
                return std::unexpected(std::move(rgba.error()));
            }
            // Entry i of the chunk is colour index i + 1; the last one is unused.
            for (std::size_t i = 0; i < document.palette.size(); ++i) {
                for (std::size_t c = 0; c < 4; ++c) {
                    document.palette[i][c] = static_cast<std::uint8_t>((*rgba)[i * 4 + c]);
                }
            }
            document.hasPalette = true;
        } else if (tag == "MATL") {
            auto materialId = chunk.int32("MATL id");
            auto properties =
                materialId ? chunk.dict("MATL properties") : std::unexpected(materialId.error());
            if (!properties) {
                return std::unexpected(std::move(properties.error()));
            }
            if (*materialId >= 1 && *materialId <= 255) {
                VoxMaterial& material =
                    document.materials[static_cast<std::size_t>(*materialId - 1)];
                const auto type = properties->find("_type");
                if (type != properties->end() && type->second == "_emit") {
                    // Kept finite and within what a renderer shows: MagicaVoxel's own sliders
                    // stay far inside these.
                    const float flux =
                        std::clamp(number(*properties, "_flux").value_or(0.0F), -4.0F, 4.0F);
                    material.emission = std::clamp(
                        number(*properties, "_emit").value_or(0.0F) * std::pow(10.0F, flux), 0.0F,
                        1000.0F);
                }
                material.roughness =
                    std::clamp(number(*properties, "_rough").value_or(1.0F), 0.0F, 1.0F);
            }
        } else if (tag == "nTRN") {
            std::int32_t nodeId = 0;
            auto node = readTransform(chunk, nodeId);
            if (!node) {
                return std::unexpected(std::move(node.error()));
            }
            graph.transforms[nodeId] = *node;
        } else if (tag == "nGRP" || tag == "nSHP") {
            auto nodeId = chunk.int32(tag + " node id");
            auto attributes =
                nodeId ? chunk.dict(tag + " attributes") : std::unexpected(nodeId.error());
            const std::size_t countAt = chunk.offset();
            auto count =
                attributes ? chunk.int32(tag + " children") : std::unexpected(attributes.error());
            if (!count) {
                return std::unexpected(std::move(count.error()));
            }
            if (*count < 0 || static_cast<std::size_t>(*count) > chunk.left() / 4) {
                return std::unexpected(chunk.error(countAt, "{} claims {} children in {} bytes",
                                                   tag, *count, chunk.left()));
            }
            std::vector<std::int32_t> ids;
            for (std::int32_t i = 0; i < *count; ++i) {
                auto child = chunk.int32(tag + " child");
                if (!child) {
                    return std::unexpected(std::move(child.error()));
                }
                ids.push_back(*child);
                if (tag == "nSHP") {
                    auto modelAttributes = chunk.dict("nSHP model attributes");
                    if (!modelAttributes) {
                        return std::unexpected(std::move(modelAttributes.error()));
                    }
                }
            }
            (tag == "nGRP" ? graph.groups : graph.shapes)[*nodeId] = std::move(ids);
        } else if (tag == "LAYR") {
            auto layerId = chunk.int32("LAYR id");
            auto attributes =
                layerId ? chunk.dict("LAYR attributes") : std::unexpected(layerId.error());
            if (!attributes) {
                return std::unexpected(std::move(attributes.error()));
            }
            graph.hiddenLayers[*layerId] = hidden(*attributes);
        }
        // Other chunks (PACK, rOBJ, rCAM, NOTE, IMAP, ...) change nothing VIXEN renders. A
        // chunk's children follow its content: they are read as the next chunks of this loop
        // (no recursion a file could nest deep enough to exhaust the stack).
        static_cast<void>(chunks.take(static_cast<std::size_t>(*content), "chunk"));
    }
    return {};
}

using Rotation = std::array<std::array<std::int32_t, 3>, 3>;

Rotation multiply(const Rotation& a, const Rotation& b) {
    Rotation product{};
    for (std::size_t r = 0; r < 3; ++r) {
        for (std::size_t c = 0; c < 3; ++c) {
            for (std::size_t k = 0; k < 3; ++k) {
                product[r][c] += a[r][k] * b[k][c];
            }
        }
    }
    return product;
}

Int3 apply(const Rotation& rotation, Int3 v) {
    return {rotation[0][0] * v.x + rotation[0][1] * v.y + rotation[0][2] * v.z,
            rotation[1][0] * v.x + rotation[1][1] * v.y + rotation[1][2] * v.z,
            rotation[2][0] * v.x + rotation[2][1] * v.y + rotation[2][2] * v.z};
}

/// Walks the graph from node `id` under `placement` (the parents' transform), adding a
/// placement per visible model.
Result<void> place(const Graph& graph, std::int32_t id, const VoxPlacement& parent, int depth,
                   std::size_t modelCount, std::string_view name, std::set<std::int32_t>& reached,
                   std::vector<VoxPlacement>& placements) {
    // A scene graph is a tree: a node reached twice is a cycle or a shared node, which would
    // multiply the placements with every level.
    if (!reached.insert(id).second) {
        return fail(ErrorCode::ParseError,
                    "{}: the scene graph reaches node {} twice (it must be a tree)", name, id);
    }
    if (depth > kMaxGraphDepth) {
        return fail(ErrorCode::ParseError,
                    "{}: the scene graph is more than {} nodes deep at "
                    "node {}",
                    name, kMaxGraphDepth, id);
    }
    if (const auto transform = graph.transforms.find(id); transform != graph.transforms.end()) {
        const Transform& node = transform->second;
        const auto layer = graph.hiddenLayers.find(node.layer);
        if (node.hidden || (layer != graph.hiddenLayers.end() && layer->second)) {
            return {};
        }
        VoxPlacement combined = parent;
        combined.rotation = multiply(parent.rotation, node.rotation);
        combined.translation = parent.translation + apply(parent.rotation, node.translation);
        return place(graph, node.child, combined, depth + 1, modelCount, name, reached, placements);
    }
    if (const auto group = graph.groups.find(id); group != graph.groups.end()) {
        for (const std::int32_t child : group->second) {
            VIXEN_TRY(
                place(graph, child, parent, depth + 1, modelCount, name, reached, placements));
        }
        return {};
    }
    if (const auto shape = graph.shapes.find(id); shape != graph.shapes.end()) {
        for (const std::int32_t model : shape->second) {
            if (model < 0 || static_cast<std::size_t>(model) >= modelCount) {
                return fail(ErrorCode::ParseError,
                            "{}: shape node {} refers to model {}; the file has {}", name, id,
                            model, modelCount);
            }
            VoxPlacement placed = parent;
            placed.model = static_cast<std::uint32_t>(model);
            placements.push_back(placed);
        }
        return {};
    }
    return fail(ErrorCode::ParseError, "{}: the scene graph refers to node {}, which is not there",
                name, id);
}

}  // namespace

Result<VoxDocument> parseVox(std::span<const std::byte> bytes, std::string_view name) {
    Reader file(bytes, name, 0, bytes.size());
    auto magic = file.take(4, "the magic 'VOX '");
    if (!magic) {
        return std::unexpected(std::move(magic.error()));
    }
    if (std::memcmp(magic->data(), "VOX ", 4) != 0) {
        return std::unexpected(file.error(0, "not a MagicaVoxel file (the magic is not 'VOX ')"));
    }
    VoxDocument document;
    auto version = file.int32("the version");
    auto mainId = version ? file.take(4, "the MAIN chunk") : std::unexpected(version.error());
    if (!mainId) {
        return std::unexpected(std::move(mainId.error()));
    }
    document.version = *version;
    if (std::memcmp(mainId->data(), "MAIN", 4) != 0) {
        return std::unexpected(file.error(8, "the first chunk is not MAIN"));
    }
    auto content = file.int32("MAIN's size");
    auto children = content ? file.int32("MAIN's children size") : std::unexpected(content.error());
    if (!children) {
        return std::unexpected(std::move(children.error()));
    }
    if (*content < 0 || *children < 0 ||
        static_cast<std::uint64_t>(*content) + static_cast<std::uint64_t>(*children) >
            file.left()) {
        return std::unexpected(file.error(8, "MAIN claims {} + {} bytes, {} remain", *content,
                                          *children, file.left()));
    }
    const std::size_t childrenAt = file.offset() + static_cast<std::size_t>(*content);
    Graph graph;
    VIXEN_TRY(readChunks(bytes, name, childrenAt, childrenAt + static_cast<std::size_t>(*children),
                         document, graph));
    if (document.models.empty()) {
        return fail(ErrorCode::ParseError, "{}: the file holds no model (SIZE and XYZI)", name);
    }
    if (!document.hasPalette) {
        // A palette of distinct hues, brighter with the index: the file leaves the colours to
        // MagicaVoxel's built-in default palette, which is not reproduced here.
        for (std::size_t i = 0; i < document.palette.size(); ++i) {
            const float hue = static_cast<float>(i) * 0.618034F;
            const float h = (hue - std::floor(hue)) * 6.0F;
            const auto channel = [h](float offset) {
                const float d = std::abs(std::fmod(h + offset, 6.0F) - 3.0F) - 1.0F;
                return static_cast<std::uint8_t>(std::clamp(d, 0.0F, 1.0F) * 200.0F + 40.0F);
            };
            document.palette[i] = {channel(0.0F), channel(4.0F), channel(2.0F), 255};
        }
    }
    if (graph.transforms.contains(0)) {
        std::set<std::int32_t> reached;
        VIXEN_TRY(place(graph, 0, VoxPlacement{}, 0, document.models.size(), name, reached,
                        document.placements));
    } else {
        document.placements.push_back(VoxPlacement{});
    }
    return document;
}

Result<VoxDocument> readVoxFile(const std::filesystem::path& path) {
    auto bytes = core::readBinaryFile(path);
    if (!bytes) {
        return std::unexpected(std::move(bytes.error()));
    }
    return parseVox(*bytes, path.string());
}

}  // namespace vixen::voxel
