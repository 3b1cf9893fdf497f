#pragma once

#include <string>
#include <vector>

namespace vixen::app {

/// `vixen bench report DIR... [--out REPORT]`: gathers every finished configuration under
/// the folders (results of several machines or shards merge), groups them by device and
/// driver, and writes REPORT/report.md (pipelines and structures side by side, resolution
/// scaling, per-scene tables with the runs' spread) with charts as PNG where gnuplot is
/// installed. Returns the exit code.
int runBenchReport(const std::vector<std::string>& folders, const std::string& out);

}  // namespace vixen::app
