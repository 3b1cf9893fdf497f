#include "graph_commands.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "vixen/core/files.hpp"
#include "vixen/graph/graph_loader.hpp"
#include "vixen/nodes/node_catalog.hpp"

namespace vixen::app {
namespace {

graph::NodeRegistry makeRegistry() {
    graph::NodeRegistry registry;
    nodes::registerAllNodes(registry);
    return registry;
}

Result<std::unique_ptr<graph::RenderGraph>> load(const std::string& path) {
    const graph::NodeRegistry registry = makeRegistry();
    return graph::loadGraphFile(path, registry);
}

}  // namespace

int checkGraph(const std::string& path) {
    auto loaded = load(path);
    if (!loaded) {
        fmt::print(stderr, "{}\n", loaded.error().message);
        return 1;
    }
    graph::RenderGraph& graph = **loaded;
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
    graph::RenderGraph& graph = **loaded;
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
    const graph::NodeRegistry registry = makeRegistry();
    for (const graph::NodeTypeEntry& entry : registry.entries()) {
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
