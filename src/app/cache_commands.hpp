#pragma once

#include <string>

namespace vixen::app {

/// `vixen cache info`: every cache under the root (`cacheDir`, or the default), with its
/// entries, bytes and its counters over all runs. Returns the exit code.
int printCacheInfo(const std::string& cacheDir);

/// `vixen cache clear`: removes every cache under the root. Returns the exit code.
int clearCache(const std::string& cacheDir);

}  // namespace vixen::app
