#pragma once

#include <string>

namespace vixen::app {

/// `vixen graph check FILE`: loads and compiles the file, prints the compile report.
/// Exit code 0 when the graph compiles, 1 when it has errors.
int checkGraph(const std::string& path);

/// `vixen graph dot FILE [-o OUT]`: the graph in Graphviz DOT, to stdout or OUT.
int dotGraph(const std::string& path, const std::string& output);

/// `vixen graph types`: the node types a graph file may use, with their slots.
int listNodeTypes();

}  // namespace vixen::app
