#pragma once

// Graph description files: JSON documents that declare a RenderGraph's options, nodes
// (by registered type name, with parameters) and connections. The format is described in
// docs/graph-format.md.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "vixen/core/error.hpp"
#include "vixen/graph/node_registry.hpp"
#include "vixen/graph/render_graph.hpp"

namespace vixen::graph {

/// The format version this build reads (`"vixen_graph": 1`).
inline constexpr std::int64_t kGraphFormatVersion = 1;

// Limits on hostile or broken input; each is reported by name, never hit as a crash.
inline constexpr std::uint64_t kGraphFileMaxBytes = std::uint64_t{16} << 20U;
inline constexpr std::size_t kGraphFileMaxDepth = 64;
inline constexpr std::size_t kGraphFileMaxNodes = 100'000;
inline constexpr std::size_t kGraphFileMaxConnections = 1'000'000;
inline constexpr std::size_t kGraphFileMaxNameBytes = 256;
inline constexpr std::uint32_t kGraphFileMaxWorkers = 1024;
/// Errors past this many are counted, not listed.
inline constexpr std::size_t kGraphFileMaxListedErrors = 100;

/// Builds a graph from a JSON description. `sourceName` (a file name, say) starts every
/// error line. Every field is checked and all errors are gathered: on failure the Error
/// (ParseError when the text is not JSON, InvalidArgument otherwise) lists each on its own
/// line as `source: /json/pointer: message`, and nothing is built. Options the file leaves
/// out keep the values in `defaults`. Slot type mismatches and cycles are left to
/// RenderGraph::compile, which reports them with every other graph error.
[[nodiscard]] Result<std::unique_ptr<RenderGraph>> loadGraph(std::string_view json,
                                                             std::string_view sourceName,
                                                             const NodeRegistry& registry,
                                                             GraphOptions defaults = {});

/// loadGraph on a file's contents; IoError when it cannot be read. The size limit is
/// checked before reading.
[[nodiscard]] Result<std::unique_ptr<RenderGraph>> loadGraphFile(const std::filesystem::path& path,
                                                                 const NodeRegistry& registry,
                                                                 GraphOptions defaults = {});

}  // namespace vixen::graph
