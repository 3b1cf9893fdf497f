#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vixen::app {

struct BenchOptions {
    std::string config;  ///< a JSON file with the matrix (docs/bench.md)
    // Comma-separated lists; each replaces the config's (or the default) dimension.
    std::string pipelines;
    std::string structures;
    std::string scenes;
    std::string voxels;
    std::string sizes;
    std::string shadows;  ///< off, on or both
    std::optional<std::uint32_t> warmup;
    std::optional<double> warmupSeconds;
    std::optional<std::uint32_t> frames;
    std::optional<std::uint32_t> runs;
    bool quick = false;
    std::string shard;  ///< "K/N"
    std::string out = "bench-results";
    std::string cacheDir;
    bool noCache = false;
    std::optional<std::uint32_t> device;
    bool validation = false;
    std::string command;  ///< the command line, recorded in every result file
};

/// `vixen bench`: runs the matrix (or its shard), one configuration at a time, writing
/// OUT/<id>.json as each finishes and OUT/summary.csv after each; configurations whose file
/// is already complete are kept, so an interrupted sweep goes on where it stopped. A progress
/// line with an ETA on stderr. Returns the exit code.
int runBench(const BenchOptions& options);

}  // namespace vixen::app
