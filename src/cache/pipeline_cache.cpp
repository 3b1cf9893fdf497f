#include "vixen/cache/pipeline_cache.hpp"

namespace vixen::cache {
namespace {

/// The one entry of the pipelines cache: the device's VkPipelineCache data.
CacheKey pipelineDataKey() {
    return KeyBuilder().add("VkPipelineCache data").key();
}

}  // namespace

CacheIdentity identityOf(const gpu::PhysicalDeviceInfo& device) {
    CacheIdentity identity;
    identity.kind = 1;
    identity.pipelineCacheUuid = device.pipelineCacheUuid;
    identity.vendorId = device.vendorId;
    identity.deviceId = device.deviceId;
    identity.driverVersion = device.driverVersion;
    return identity;
}

PipelineCacheStore::PipelineCacheStore(const std::filesystem::path& root, const gpu::Device& device)
    : device_(&device),
      persistent_({root / identityOf(device.physical()).directoryName(), "pipelines",
                   identityOf(device.physical()), CacheLayout::OneFile}) {}

Result<bool> PipelineCacheStore::load() {
    const auto data = persistent_.find(pipelineDataKey());
    if (!data) {
        return false;
    }
    auto merged = device_->mergePipelineCacheData(*data);
    if (!merged) {
        return std::unexpected(std::move(merged.error()));
    }
    if (!*merged) {
        persistent_.reportProblem(
            "the saved pipeline cache data is not this device's and driver's (its header); it "
            "will be replaced");
        return false;
    }
    loaded_ = *data;
    return true;
}

Result<void> PipelineCacheStore::save() {
    auto data = device_->pipelineCacheData();
    if (!data) {
        return std::unexpected(std::move(data.error()));
    }
    if (*data != loaded_) {
        persistent_.insert(pipelineDataKey(), std::move(*data),
                           device_->pipelineCreateNanoseconds() / 1000);
    }
    return persistent_.save();
}

}  // namespace vixen::cache
