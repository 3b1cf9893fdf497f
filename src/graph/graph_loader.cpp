#include "vixen/graph/graph_loader.hpp"

#include <fmt/format.h>

#include <fstream>
#include <string>
#include <system_error>

#include "graph_document.hpp"

namespace vixen::graph {
namespace {

using detail::Json;

// nlohmann prefixes its messages with "[json.exception.parse_error.101] ".
std::string_view withoutExceptionTag(std::string_view what) {
    const std::size_t end = what.find("] ");
    return what.starts_with("[json.exception.") && end != std::string_view::npos
               ? what.substr(end + 2)
               : what;
}

/// A byte-level pass before parsing, so hostile documents are refused before any tree is
/// built: nesting deeper than the limit, and `nodes` / `connections` arrays (members of the
/// root object) with more entries than theirs. It does not validate JSON; the parser does.
Result<void> prescan(std::string_view text, std::string_view source) {
    std::size_t depth = 0;
    bool inString = false;
    bool escaped = false;
    std::size_t stringStart = 0;
    std::string_view lastRootString;  // the key before a root member's value
    std::string_view countedArray;    // "nodes" or "connections" while inside one
    std::size_t countLimit = 0;
    std::size_t separators = 0;
    for (std::size_t offset = 0; offset < text.size(); ++offset) {
        const char c = text[offset];
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                inString = false;
                if (depth == 1) {
                    lastRootString = text.substr(stringStart, offset - stringStart);
                }
            }
            continue;
        }
        switch (c) {
            case '"':
                inString = true;
                stringStart = offset + 1;
                break;
            case '{':
            case '[':
                if (++depth > kGraphFileMaxDepth) {
                    return fail(ErrorCode::InvalidArgument,
                                "{}: byte offset {}: nesting deeper than {} levels", source, offset,
                                kGraphFileMaxDepth);
                }
                if (c == '[' && depth == 2 &&
                    (lastRootString == "nodes" || lastRootString == "connections")) {
                    countedArray = lastRootString;
                    countLimit =
                        countedArray == "nodes" ? kGraphFileMaxNodes : kGraphFileMaxConnections;
                    separators = 0;
                }
                break;
            case '}':
            case ']':
                if (depth == 2) {
                    countedArray = {};
                }
                depth -= depth > 0 ? 1 : 0;
                break;
            case ',':
                // n separators mean n + 1 entries.
                if (depth == 2 && !countedArray.empty() && ++separators >= countLimit) {
                    return fail(ErrorCode::InvalidArgument,
                                "{}: /{}: byte offset {}: more than {} {}, the limit", source,
                                countedArray, offset, countLimit, countedArray);
                }
                break;
            default:
                break;
        }
    }
    return {};
}

Result<std::unique_ptr<RenderGraph>> build(detail::GraphPlan& plan, std::string_view source) {
    auto graph = std::make_unique<RenderGraph>(plan.options);
    std::vector<NodeId> ids;
    ids.reserve(plan.nodes.size());
    for (detail::PlannedNode& planned : plan.nodes) {
        const NodeId id = graph->adopt(std::move(planned.node), std::string(planned.name));
        if (planned.keepAlive) {
            graph->setKeepAlive(id);
        }
        ids.push_back(id);
    }
    for (const detail::PlannedConnection& c : plan.connections) {
        // The slots were checked against the same type info; a failure here is a bug.
        auto connected = graph->connect(ids[c.from], c.outputSlot, ids[c.to], c.inputSlot);
        if (!connected) {
            return fail(ErrorCode::InvalidState, "{}: {}", source, connected.error().message);
        }
    }
    return graph;
}

}  // namespace

Result<std::unique_ptr<RenderGraph>> loadGraph(std::string_view json, std::string_view sourceName,
                                               const NodeRegistry& registry,
                                               GraphOptions defaults) {
    if (json.size() > kGraphFileMaxBytes) {
        return fail(ErrorCode::InvalidArgument, "{}: {} bytes, larger than the limit of {} bytes",
                    sourceName, json.size(), kGraphFileMaxBytes);
    }
    if (auto scanned = prescan(json, sourceName); !scanned) {
        return std::unexpected(std::move(scanned.error()));
    }
    Json root;
    try {
        root = Json::parse(json.begin(), json.end());
    } catch (const Json::parse_error& e) {
        // nlohmann counts bytes from 1; messages here count offsets from 0.
        return fail(ErrorCode::ParseError, "{}: byte offset {}: invalid JSON: {}", sourceName,
                    e.byte > 0 ? e.byte - 1 : 0, withoutExceptionTag(e.what()));
    } catch (const Json::exception& e) {
        // Number overflow ("1e400") is reported without an offset.
        return fail(ErrorCode::ParseError, "{}: invalid JSON: {}", sourceName,
                    withoutExceptionTag(e.what()));
    }
    if (!root.is_object()) {
        return fail(ErrorCode::InvalidArgument,
                    "{}: expected an object {{\"vixen_graph\": {}, ...}} at the root, got {}",
                    sourceName, kGraphFormatVersion, detail::describeJson(root));
    }
    detail::Diagnostics diagnostics(sourceName);
    detail::GraphPlan plan = detail::readGraphDocument(root, registry, defaults, diagnostics);
    if (!diagnostics.empty()) {
        return std::unexpected(diagnostics.toError(ErrorCode::InvalidArgument));
    }
    return build(plan, sourceName);
}

Result<std::unique_ptr<RenderGraph>> loadGraphFile(const std::filesystem::path& path,
                                                   const NodeRegistry& registry,
                                                   GraphOptions defaults) {
    const std::string name = path.string();
    std::error_code code;
    const std::uintmax_t size = std::filesystem::file_size(path, code);
    if (code) {
        return fail(ErrorCode::IoError, "cannot read graph file '{}': {}", name, code.message());
    }
    if (size > kGraphFileMaxBytes) {
        return fail(ErrorCode::InvalidArgument,
                    "graph file '{}' is {} bytes, larger than the limit of {} bytes", name, size,
                    kGraphFileMaxBytes);
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(ErrorCode::IoError, "cannot open graph file '{}'", name);
    }
    std::string text(static_cast<std::size_t>(size), '\0');
    in.read(text.data(), static_cast<std::streamsize>(size));
    if (in.bad()) {
        return fail(ErrorCode::IoError, "cannot read graph file '{}'", name);
    }
    // A file that shrank since its size was taken is parsed as it now is.
    text.resize(static_cast<std::size_t>(in.gcount()));
    return loadGraph(text, name, registry, defaults);
}

}  // namespace vixen::graph
