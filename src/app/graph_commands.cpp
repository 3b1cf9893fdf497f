#include "graph_commands.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include "gpu_context.hpp"
#include "vixen/core/files.hpp"
#include "vixen/graph/graph_loader.hpp"
#include "vixen/nodes/gpu_runtime.hpp"
#include "vixen/nodes/node_catalog.hpp"

namespace vixen::app {
namespace {

/// The node types graph files may use: the CPU ones, and the GPU ones where a Vulkan device
/// opens (their nodes are made on `runtime`, which the loaded graph is attached to).
struct Catalog {
    std::unique_ptr<GpuContext> gpu;
    std::unique_ptr<nodes::GpuRuntime> runtime;
    graph::NodeRegistry registry;
};

std::unique_ptr<Catalog> openCatalog() {
    auto catalog = std::make_unique<Catalog>();
    nodes::registerAllNodes(catalog->registry);
    auto context = GpuContext::open(false, std::nullopt);
    if (!context) {
        fmt::print(stderr, "note: no Vulkan device ({}); GPU node types are not available\n",
                   context.error().message);
        return catalog;
    }
    auto runtime = nodes::GpuRuntime::create((*context)->device(), (*context)->allocator());
    if (!runtime) {
        fmt::print(stderr, "note: no GPU runtime ({}); GPU node types are not available\n",
                   runtime.error().message);
        return catalog;
    }
    catalog->gpu = std::move(*context);
    catalog->runtime = std::move(*runtime);
    nodes::registerGpuNodes(catalog->registry, *catalog->runtime);
    return catalog;
}

/// A graph loaded from a file with the catalog it was made from; the runtime goes before
/// the graph it cleans up.
struct LoadedGraph {
    std::unique_ptr<Catalog> catalog;
    std::unique_ptr<graph::RenderGraph> graph;

    LoadedGraph() = default;
    LoadedGraph(LoadedGraph&&) = default;
    LoadedGraph& operator=(LoadedGraph&&) = delete;
    LoadedGraph(const LoadedGraph&) = delete;
    LoadedGraph& operator=(const LoadedGraph&) = delete;
    ~LoadedGraph() {
        if (catalog) {
            catalog->runtime.reset();
        }
    }
};

Result<LoadedGraph> load(const std::string& path) {
    LoadedGraph loaded;
    loaded.catalog = openCatalog();
    auto graph = graph::loadGraphFile(path, loaded.catalog->registry);
    if (!graph) {
        return std::unexpected(std::move(graph.error()));
    }
    loaded.graph = std::move(*graph);
    if (loaded.catalog->runtime) {
        loaded.catalog->runtime->attach(*loaded.graph);
    }
    return loaded;
}

}  // namespace

int checkGraph(const std::string& path) {
    auto loaded = load(path);
    if (!loaded) {
        fmt::print(stderr, "{}\n", loaded.error().message);
        return 1;
    }
    graph::RenderGraph& graph = *loaded->graph;
    const Result<void> compiled = graph.compile();
    fmt::print("{}: ", path);
    fmt::print("{}", graph.report().describe(graph));
    if (!compiled) {
        return 1;
    }
    fmt::print("ok\n");
    return 0;
}

int dotGraph(const std::string& path, const std::string& output) {
    auto loaded = load(path);
    if (!loaded) {
        fmt::print(stderr, "{}\n", loaded.error().message);
        return 1;
    }
    graph::RenderGraph& graph = *loaded->graph;
    // Compile so culled nodes can be drawn as such; errors still leave a drawable graph.
    static_cast<void>(graph.compile());
    const std::string dot = graph::toDot(graph);
    if (output.empty()) {
        fmt::print("{}", dot);
        return 0;
    }
    const std::filesystem::path target(output);
    const std::filesystem::path temporary = target.string() + ".tmp";
    {
        std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
        file << dot;
        if (!file.flush()) {
            fmt::print(stderr, "cannot write '{}'\n", temporary.string());
            return 1;
        }
    }
    if (Result<void> moved = core::moveIntoPlace(temporary, target); !moved) {
        fmt::print(stderr, "{}\n", moved.error().message);
        return 1;
    }
    return 0;
}

int listNodeTypes() {
    const std::unique_ptr<Catalog> catalog = openCatalog();
    for (const graph::NodeTypeEntry& entry : catalog->registry.entries()) {
        fmt::print("{}\n  {}\n", entry.name(), entry.description);
        for (const graph::SlotDesc& slot : entry.info->inputs) {
            fmt::print("  input  {:<10} {}{}{}\n", slot.name, slot.type->name,
                       slot.options.array ? " (array)" : "",
                       slot.options.nullable ? " (optional)" : "");
        }
        for (const graph::SlotDesc& slot : entry.info->outputs) {
            fmt::print("  output {:<10} {}\n", slot.name, slot.type->name);
        }
    }
    return 0;
}

}  // namespace vixen::app
