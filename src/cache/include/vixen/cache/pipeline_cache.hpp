#pragma once

// The device's VkPipelineCache kept between runs: the data saved for this device and driver
// (its own identity directory, `pipelines.vxc`) is merged into the device's pipeline cache
// before pipelines are created, and what the cache holds afterwards is saved. Another device
// or driver never sees the data: its identity directory is another, and the device checks the
// data's own header too.

#include <filesystem>
#include <vector>

#include "vixen/cache/cache_file.hpp"
#include "vixen/cache/persistent_cache.hpp"
#include "vixen/core/error.hpp"
#include "vixen/gpu/device.hpp"

namespace vixen::cache {

/// The identity of `device`'s physical device and driver.
[[nodiscard]] CacheIdentity identityOf(const gpu::PhysicalDeviceInfo& device);

class PipelineCacheStore {
public:
    /// Opens the store of `device` under the cache root `root`.
    PipelineCacheStore(const std::filesystem::path& root, const gpu::Device& device);

    /// Merges the saved data into the device's pipeline cache: true when there was data for
    /// this device and it merged; false when there was none or it was refused (reported).
    [[nodiscard]] Result<bool> load();
    /// Saves what the device's pipeline cache holds now (after pipelines were created), with
    /// this run's pipeline creation time as what the data saves; unchanged data is not
    /// written again (the counters are).
    [[nodiscard]] Result<void> save();

    [[nodiscard]] const PersistentCache& persistent() const noexcept { return persistent_; }

private:
    const gpu::Device* device_;
    PersistentCache persistent_;
    std::vector<std::byte> loaded_;
};

}  // namespace vixen::cache
