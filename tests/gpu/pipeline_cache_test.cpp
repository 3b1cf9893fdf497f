// The device's pipeline cache on lavapipe with validation: every pipeline goes through it,
// its data merges into a later device of the same driver and is refused from another, and the
// store keeps it between runs under the device's identity.
#include "vixen/cache/pipeline_cache.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "../cache/cache_test_support.hpp"
#include "lavapipe_fixture.hpp"
#include "test_shaders.hpp"
#include "vixen/gpu/compute_pipeline.hpp"

namespace vixen::gpu {
namespace {

using PipelineCacheTest = testing::LavapipeFixture;

TEST_F(PipelineCacheTest, PipelinesGoThroughTheDevicesCacheAndItsDataMergesBack) {
    ASSERT_NE(device_->pipelineCache(), VK_NULL_HANDLE);
    {
        auto pipeline =
            ComputePipeline::create(*device_, test_shaders::fillBufferComp(), "fill_buffer.comp");
        ASSERT_TRUE(pipeline) << pipeline.error().message;
    }
    EXPECT_GT(device_->pipelineCreateNanoseconds(), 0U);
    auto data = device_->pipelineCacheData();
    ASSERT_TRUE(data) << data.error().message;
    ASSERT_GE(data->size(), sizeof(VkPipelineCacheHeaderVersionOne));
    auto merged = device_->mergePipelineCacheData(*data);
    ASSERT_TRUE(merged) << merged.error().message;
    EXPECT_TRUE(*merged);
}

TEST_F(PipelineCacheTest, DataOfAnotherDeviceOrGarbageIsRefusedAndChangesNothing) {
    auto data = device_->pipelineCacheData();
    ASSERT_TRUE(data);
    std::vector<std::byte> foreign = *data;
    VkPipelineCacheHeaderVersionOne header{};
    std::memcpy(&header, foreign.data(), sizeof header);
    header.pipelineCacheUUID[0] ^= 0xFF;
    std::memcpy(foreign.data(), &header, sizeof header);
    EXPECT_FALSE(*device_->mergePipelineCacheData(foreign));
    header.pipelineCacheUUID[0] ^= 0xFF;
    header.vendorID += 1;
    std::memcpy(foreign.data(), &header, sizeof header);
    EXPECT_FALSE(*device_->mergePipelineCacheData(foreign));
    EXPECT_FALSE(*device_->mergePipelineCacheData(std::vector<std::byte>(8, std::byte{1})));
    EXPECT_FALSE(*device_->mergePipelineCacheData({}));
}

TEST_F(PipelineCacheTest, TheStoreKeepsTheDataForTheNextRunOfThisDevice) {
    const cache::testing::ScratchDirectory root;
    {
        cache::PipelineCacheStore store(root.path(), *device_);
        auto loaded = store.load();
        ASSERT_TRUE(loaded);
        EXPECT_FALSE(*loaded) << "nothing saved yet";
        auto pipeline =
            ComputePipeline::create(*device_, test_shaders::fillBufferComp(), "fill_buffer.comp");
        ASSERT_TRUE(pipeline);
        ASSERT_TRUE(store.save());
    }
    const auto directory = root.path() / cache::identityOf(*physical_).directoryName();
    EXPECT_TRUE(std::filesystem::exists(directory / "pipelines.vxc"));
    EXPECT_TRUE(directory.filename().string().starts_with("device-"));

    // The next run: a new device on the same driver loads it.
    destroyDevice();
    ASSERT_NO_FATAL_FAILURE(createDevice(DeviceOptions{}));
    cache::PipelineCacheStore store(root.path(), *device_);
    auto loaded = store.load();
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_TRUE(*loaded);
    EXPECT_TRUE(store.persistent().problems().empty());
    ASSERT_TRUE(store.save());
    EXPECT_EQ(store.persistent().stats().allRuns.hits, 1U);
    EXPECT_EQ(store.persistent().stats().allRuns.misses, 1U);
}

}  // namespace
}  // namespace vixen::gpu
