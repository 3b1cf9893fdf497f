#pragma once

#include <cstdint>
#include <optional>

namespace vixen::app {

struct AsyncOverlapOptions {
    std::uint32_t frames = 60;
    std::uint32_t size = 2048;         ///< each gradient image is size x size
    std::uint32_t nodesPerBranch = 4;  ///< gradient nodes in each of the two branches
    std::optional<std::uint32_t> device;
    bool validation = true;
};

/// `vixen async-overlap`: what running compute work on the compute queue gains. A graph of
/// two independent branches of compute gradients, one opted into async compute, is run with
/// each branch alone, then with both on one queue, both split onto the compute queue and
/// both split on the graphics queue (the cost of splitting alone);
/// prints each run's GPU time per frame from timestamps (first node's begin to last node's
/// end on any queue). On a device without a compute-only queue family it says so, and the
/// compute queue run falls back to one submission. Returns the exit code.
int runAsyncOverlap(const AsyncOverlapOptions& options);

}  // namespace vixen::app
