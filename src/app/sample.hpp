#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vixen::app {

struct SampleOptions {
    std::uint32_t frames = 120;
    std::uint32_t width = 512;
    std::uint32_t height = 256;
    std::uint32_t resizeAtFrame = 60;  ///< 0: never
    std::optional<std::uint32_t> device;
    bool validation = true;
    std::string png;    ///< write the last frame here; empty: do not
    std::string trace;  ///< write a Chrome trace here; empty: do not
    std::string graph;  ///< a graph file to run instead of the sample graph; empty: the sample
    bool quiet = false;
};

/// `vixen sample`: the sample GPU graph, headless (a compute gradient, an uploaded
/// checkerboard and a cleared pattern composed side by side, scaled and read back), or the
/// graph of a file (`graph`), with a window resize on the way. Prints the compile report (with
/// what aliasing saved), frame times and the allocation report with device-memory takes;
/// writes the last frame as a PNG. Returns the exit code: 1 when anything failed, or when a
/// steady-state frame allocated (checked without validation, whose layer allocates).
int runSample(const SampleOptions& options);

}  // namespace vixen::app
