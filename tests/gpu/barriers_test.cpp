// The barrier state machine, without a device: which uses need a barrier, and what it
// carries. Barriers are only collected here (never recorded), so no command buffer is needed.
#include "vixen/gpu/barriers.hpp"

#include <gtest/gtest.h>

#include <array>

namespace vixen::gpu {
namespace {

const VkBuffer kBuffer = reinterpret_cast<VkBuffer>(std::uintptr_t{0x1000});
const VkImage kImage = reinterpret_cast<VkImage>(std::uintptr_t{0x2000});

TEST(BarrierBatchTest, EveryReaderOfAWriteSeesIt) {
    // A transfer writes, a compute shader reads, then the host reads: the host read needs
    // its own barrier from the write, though a read came in between.
    BarrierBatch batch;
    ResourceState state;
    batch.buffer(VK_NULL_HANDLE, kBuffer, state, ResourceUsage::TransferWrite);
    batch.buffer(VK_NULL_HANDLE, kBuffer, state, ResourceUsage::ComputeRead);
    batch.buffer(VK_NULL_HANDLE, kBuffer, state, ResourceUsage::HostRead);
    ASSERT_EQ(batch.pendingBuffers().size(), 3U);
    const VkBufferMemoryBarrier2& host = batch.pendingBuffers()[2];
    EXPECT_EQ(host.srcStageMask, VK_PIPELINE_STAGE_2_TRANSFER_BIT);
    EXPECT_EQ(host.srcAccessMask, VK_ACCESS_2_TRANSFER_WRITE_BIT);
    EXPECT_EQ(host.dstStageMask, VK_PIPELINE_STAGE_2_HOST_BIT);
    EXPECT_EQ(host.dstAccessMask, VK_ACCESS_2_HOST_READ_BIT);

    // Reading again where it was already made visible adds nothing.
    batch.buffer(VK_NULL_HANDLE, kBuffer, state, ResourceUsage::ComputeRead);
    EXPECT_EQ(batch.pendingBuffers().size(), 3U);
}

TEST(BarrierBatchTest, AWriteWaitsForTheLastWriteAndEveryReaderSince) {
    BarrierBatch batch;
    ResourceState state;
    batch.buffer(VK_NULL_HANDLE, kBuffer, state, ResourceUsage::ComputeWrite);
    batch.buffer(VK_NULL_HANDLE, kBuffer, state, ResourceUsage::TransferRead);
    batch.buffer(VK_NULL_HANDLE, kBuffer, state, ResourceUsage::HostRead);
    batch.buffer(VK_NULL_HANDLE, kBuffer, state, ResourceUsage::TransferWrite);
    ASSERT_EQ(batch.pendingBuffers().size(), 4U);
    const VkBufferMemoryBarrier2& write = batch.pendingBuffers()[3];
    EXPECT_EQ(write.srcStageMask, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT |
                                      VK_PIPELINE_STAGE_2_TRANSFER_BIT |
                                      VK_PIPELINE_STAGE_2_HOST_BIT);
    EXPECT_EQ(write.srcAccessMask, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
    EXPECT_EQ(write.dstAccessMask, VK_ACCESS_2_TRANSFER_WRITE_BIT);
}

TEST(BarrierBatchTest, LayoutTransitionsAndReadsInTheNewLayout) {
    BarrierBatch batch;
    ResourceState state;
    batch.image(VK_NULL_HANDLE, kImage, VK_IMAGE_ASPECT_COLOR_BIT, state,
                ResourceUsage::TransferWrite);
    batch.image(VK_NULL_HANDLE, kImage, VK_IMAGE_ASPECT_COLOR_BIT, state,
                ResourceUsage::FragmentRead);
    // Same layout, a stage that has not seen the write: a barrier, no transition.
    batch.image(VK_NULL_HANDLE, kImage, VK_IMAGE_ASPECT_COLOR_BIT, state,
                ResourceUsage::FragmentRead);
    batch.image(VK_NULL_HANDLE, kImage, VK_IMAGE_ASPECT_COLOR_BIT, state,
                ResourceUsage::ComputeRead);
    ASSERT_EQ(batch.pendingImages().size(), 3U);
    EXPECT_EQ(batch.pendingImages()[0].oldLayout, VK_IMAGE_LAYOUT_UNDEFINED);
    EXPECT_EQ(batch.pendingImages()[0].newLayout, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
    const VkImageMemoryBarrier2& toFragment = batch.pendingImages()[1];
    EXPECT_EQ(toFragment.oldLayout, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
    EXPECT_EQ(toFragment.newLayout, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
    EXPECT_EQ(toFragment.srcAccessMask, VK_ACCESS_2_TRANSFER_WRITE_BIT);
    // Compute reads in GENERAL: another transition, after the fragment reader.
    const VkImageMemoryBarrier2& toCompute = batch.pendingImages()[2];
    EXPECT_EQ(toCompute.newLayout, VK_IMAGE_LAYOUT_GENERAL);
    EXPECT_NE(toCompute.srcStageMask & VK_PIPELINE_STAGE_2_FRAGMENT_SHADER_BIT, 0U);
}

TEST(BarrierBatchTest, ADiscardedResourceWaitsForAllEarlierWork) {
    BarrierBatch batch;
    ResourceState state = ResourceState::discarded();
    batch.image(VK_NULL_HANDLE, kImage, VK_IMAGE_ASPECT_COLOR_BIT, state,
                ResourceUsage::ComputeWrite);
    ASSERT_EQ(batch.pendingImages().size(), 1U);
    EXPECT_EQ(batch.pendingImages()[0].srcStageMask, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT);
    EXPECT_EQ(batch.pendingImages()[0].oldLayout, VK_IMAGE_LAYOUT_UNDEFINED);
}

TEST(BarrierBatchTest, NeverWrittenBuffersNeedNoBarrierToBeRead) {
    BarrierBatch batch;
    ResourceState state;
    batch.buffer(VK_NULL_HANDLE, kBuffer, state, ResourceUsage::TransferRead);
    batch.buffer(VK_NULL_HANDLE, kBuffer, state, ResourceUsage::ComputeRead);
    EXPECT_TRUE(batch.pendingBuffers().empty());
}

TEST(BarrierBatchTest, ABufferReadByGraphicsWaitsAtVertexInputAndIndirectToo) {
    // A compute shader writes vertices, indices or draw arguments; the draw reads them.
    BarrierBatch batch;
    ResourceState state;
    batch.buffer(VK_NULL_HANDLE, kBuffer, state, ResourceUsage::ComputeWrite);
    batch.buffer(VK_NULL_HANDLE, kBuffer, state, ResourceUsage::FragmentRead);
    ASSERT_EQ(batch.pendingBuffers().size(), 2U);
    const VkBufferMemoryBarrier2& draw = batch.pendingBuffers()[1];
    EXPECT_EQ(draw.srcStageMask, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT);
    for (const VkPipelineStageFlags2 stage :
         {VK_PIPELINE_STAGE_2_VERTEX_INPUT_BIT, VK_PIPELINE_STAGE_2_DRAW_INDIRECT_BIT,
          VK_PIPELINE_STAGE_2_VERTEX_SHADER_BIT, VK_PIPELINE_STAGE_2_FRAGMENT_SHADER_BIT}) {
        EXPECT_NE(draw.dstStageMask & stage, 0U) << stage;
    }
    for (const VkAccessFlags2 access :
         {VK_ACCESS_2_VERTEX_ATTRIBUTE_READ_BIT, VK_ACCESS_2_INDEX_READ_BIT,
          VK_ACCESS_2_INDIRECT_COMMAND_READ_BIT, VK_ACCESS_2_UNIFORM_READ_BIT}) {
        EXPECT_NE(draw.dstAccessMask & access, 0U) << access;
    }
    // An image read by graphics is only sampled, in a read-only layout.
    const UsageScope image = UsageScope::of(ResourceUsage::FragmentRead, ResourceKind::Image);
    EXPECT_EQ(image.accesses, VK_ACCESS_2_SHADER_SAMPLED_READ_BIT);
    EXPECT_EQ(image.layout, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
}

TEST(BarrierBatchTest, RayTracingAndHostUsesCarryTheirStages) {
    BarrierBatch batch;
    ResourceState state;
    batch.buffer(VK_NULL_HANDLE, kBuffer, state, ResourceUsage::HostWrite);
    batch.buffer(VK_NULL_HANDLE, kBuffer, state, ResourceUsage::RayTracingRead);
    batch.buffer(VK_NULL_HANDLE, kBuffer, state, ResourceUsage::RayTracingWrite);
    ASSERT_EQ(batch.pendingBuffers().size(), 3U);
    EXPECT_EQ(batch.pendingBuffers()[0].dstStageMask, VK_PIPELINE_STAGE_2_HOST_BIT);
    EXPECT_EQ(batch.pendingBuffers()[0].dstAccessMask, VK_ACCESS_2_HOST_WRITE_BIT);
    const VkBufferMemoryBarrier2& read = batch.pendingBuffers()[1];
    EXPECT_EQ(read.srcStageMask, VK_PIPELINE_STAGE_2_HOST_BIT);
    EXPECT_EQ(read.srcAccessMask, VK_ACCESS_2_HOST_WRITE_BIT);
    EXPECT_EQ(read.dstStageMask, VK_PIPELINE_STAGE_2_RAY_TRACING_SHADER_BIT_KHR);
    // The write after the read waits for the reader (execution only).
    const VkBufferMemoryBarrier2& write = batch.pendingBuffers()[2];
    EXPECT_NE(write.srcStageMask & VK_PIPELINE_STAGE_2_RAY_TRACING_SHADER_BIT_KHR, 0U);
    EXPECT_EQ(write.dstAccessMask,
              VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
}

TEST(BakedBarriersTest, AWaveSharesOneCallUnlessABarrierWouldChangeWhatAnotherUses) {
    const VkImage imageA = reinterpret_cast<VkImage>(std::uintptr_t{0x3000});
    const VkImage imageB = reinterpret_cast<VkImage>(std::uintptr_t{0x4000});
    const VkImage imageC = reinterpret_cast<VkImage>(std::uintptr_t{0x5000});
    ResourceState a = ResourceState::settled(VK_IMAGE_LAYOUT_GENERAL);
    ResourceState b = ResourceState::settled(VK_IMAGE_LAYOUT_GENERAL);
    ResourceState c = ResourceState::settled(VK_IMAGE_LAYOUT_GENERAL);
    BakedBarriers baked;
    // One wave of three nodes: the first two need barriers on different images; the third
    // reads A (already made visible by the first) and needs a barrier on C.
    baked.beginGroup();
    baked.image(imageA, VK_IMAGE_ASPECT_COLOR_BIT, a, ResourceUsage::ComputeRead);
    baked.beginGroup();
    baked.image(imageB, VK_IMAGE_ASPECT_COLOR_BIT, b, ResourceUsage::ComputeRead);
    baked.beginGroup();
    baked.image(imageA, VK_IMAGE_ASPECT_COLOR_BIT, a, ResourceUsage::ComputeRead);
    baked.image(imageC, VK_IMAGE_ASPECT_COLOR_BIT, c, ResourceUsage::ComputeRead);
    ASSERT_EQ(baked.images(0).size(), 1U);
    ASSERT_EQ(baked.images(1).size(), 1U);
    ASSERT_EQ(baked.images(2).size(), 1U) << "A is visible already: only C needs one";

    const std::array<std::uint32_t, 3> oneWave{0, 0, 0};
    baked.seal(baked.batchStarts(oneWave));
    // The first two share a call; the third uses A, which the batch has a barrier for, so it
    // starts a batch of its own (uses of a resource a barrier touches keep their order).
    EXPECT_EQ(baked.recordCalls(), 2U);
    baked.seal({});
    EXPECT_EQ(baked.recordCalls(), 3U) << "unbatched: one call per group with barriers";
}

TEST(BakedBarriersTest, ABarrierOnTheComputeQueueKeepsOnlyStagesAndAccessesItHas) {
    // Drawn into (colour attachment), then read by compute: on a compute-only queue, the
    // colour stage becomes ALL_COMMANDS and the colour write access goes; the layout change
    // and the compute side stay.
    ResourceState state = ResourceState::discarded();
    BakedBarriers baked;
    baked.beginGroup();
    baked.image(kImage, VK_IMAGE_ASPECT_COLOR_BIT, state, ResourceUsage::ColorAttachment);
    baked.beginGroup();
    baked.image(kImage, VK_IMAGE_ASPECT_COLOR_BIT, state, ResourceUsage::ComputeRead);
    ASSERT_EQ(baked.images(1).size(), 1U);
    const VkImageMemoryBarrier2 before = baked.images(1)[0];
    ASSERT_NE(before.srcStageMask & VK_PIPELINE_STAGE_2_COLOR_ATTACHMENT_OUTPUT_BIT, 0U);
    baked.fitToComputeQueue(1);
    const VkImageMemoryBarrier2& fitted = baked.images(1)[0];
    EXPECT_EQ(fitted.srcStageMask, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT);
    EXPECT_EQ(fitted.srcAccessMask & VK_ACCESS_2_COLOR_ATTACHMENT_WRITE_BIT, 0U);
    EXPECT_EQ(fitted.dstStageMask, before.dstStageMask);
    EXPECT_EQ(fitted.dstAccessMask, before.dstAccessMask);
    EXPECT_EQ(fitted.oldLayout, before.oldLayout);
    EXPECT_EQ(fitted.newLayout, before.newLayout);
    // The graphics queue's group is untouched.
    ASSERT_EQ(baked.images(0).size(), 1U);
    EXPECT_NE(baked.images(0)[0].dstStageMask & VK_PIPELINE_STAGE_2_COLOR_ATTACHMENT_OUTPUT_BIT,
              0U);
}

}  // namespace
}  // namespace vixen::gpu
