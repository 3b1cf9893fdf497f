#pragma once

#include <cstdint>

namespace vixen::app {

struct DemoOptions {
    std::uint32_t frames = 240;
    std::uint32_t width = 256;
    std::uint32_t height = 256;
    std::uint32_t resizeAtFrame = 120;  ///< 0 = never
    bool parallel = false;
    std::uint32_t workers = 0;
    bool quiet = false;
    bool allocationCallSites = false;  ///< capture a backtrace per allocation and list them
};

/// Builds the sample CPU image graph, compiles it, runs the frames (resizing halfway),
/// and prints the compile report, per-frame results and the allocation report.
/// Returns the process exit code.
int runDemo(const DemoOptions& options);

}  // namespace vixen::app
