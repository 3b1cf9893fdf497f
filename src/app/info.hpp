#pragma once

#include <cstdint>
#include <optional>

namespace vixen::app {

struct InfoOptions {
    std::optional<std::uint32_t> device;  ///< --device N
    bool validation = true;
};

/// `vixen info`: every Vulkan device with its features, queues and memory heaps (budget and
/// usage where the device reports them), the device VIXEN would choose, and a device
/// created on it. Returns the exit code.
int printInfo(const InfoOptions& options);

}  // namespace vixen::app
