// Ray-tracing pipelines and acceleration structures: the shader binding table's layout (no
// GPU), the refusals every device gives (a stage in the wrong place, no miss shader), the
// refusals of a device without ray tracing (lavapipe), and, where the device has it, boxes
// traced through an intersection shader with the distances read back.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <optional>
#include <vector>

#include "gpu_test_support.hpp"
#include "lavapipe_fixture.hpp"
#include "test_shaders.hpp"
#include "vixen/gpu/acceleration_structure.hpp"
#include "vixen/gpu/budget_manager.hpp"
#include "vixen/gpu/descriptor_allocator.hpp"
#include "vixen/gpu/descriptor_writer.hpp"
#include "vixen/gpu/memory_allocator.hpp"
#include "vixen/gpu/ray_tracing_pipeline.hpp"
#include "vixen/gpu/shader_reflection.hpp"

namespace vixen::gpu {
namespace {

TEST(ShaderBindingTableLayoutTest, RegionsStartOnTheBaseAlignmentAndRecordsOnTheHandles) {
    // NVIDIA's figures: 32-byte handles aligned to 32, regions to 64.
    const RayTracingProperties nvidia{.shaderGroupHandleSize = 32,
                                      .shaderGroupHandleAlignment = 32,
                                      .shaderGroupBaseAlignment = 64};
    const ShaderBindingTableLayout one = layoutShaderBindingTable(nvidia, 1, 1);
    EXPECT_EQ(one.recordStride, 32U);
    EXPECT_EQ(one.rayGenerationSize, 64U);
    EXPECT_EQ(one.missOffset, 64U);
    EXPECT_EQ(one.missSize, 64U);
    EXPECT_EQ(one.hitOffset, 128U);
    EXPECT_EQ(one.hitSize, 64U);
    EXPECT_EQ(one.totalSize, 192U);
    const ShaderBindingTableLayout three = layoutShaderBindingTable(nvidia, 3, 0);
    EXPECT_EQ(three.missSize, 128U);
    EXPECT_EQ(three.hitOffset, 192U);
    EXPECT_EQ(three.hitSize, 0U);
    // A handle smaller than its alignment still takes a whole aligned record.
    const RayTracingProperties small{.shaderGroupHandleSize = 16,
                                     .shaderGroupHandleAlignment = 32,
                                     .shaderGroupBaseAlignment = 128};
    const ShaderBindingTableLayout padded = layoutShaderBindingTable(small, 2, 5);
    EXPECT_EQ(padded.recordStride, 32U);
    EXPECT_EQ(padded.rayGenerationSize, 128U);
    EXPECT_EQ(padded.missSize, 128U);
    EXPECT_EQ(padded.hitOffset, 256U);
    EXPECT_EQ(padded.hitSize, 256U);
}

TEST(RayTracingReflectionTest, ReadsEachStageAndTheAccelerationStructureBinding) {
    auto rayGeneration = reflectShader(test_shaders::boxesTestRgen(), "boxes_test.rgen");
    ASSERT_TRUE(rayGeneration) << rayGeneration.error().message;
    EXPECT_EQ(rayGeneration->stage, VK_SHADER_STAGE_RAYGEN_BIT_KHR);
    ASSERT_EQ(rayGeneration->bindings.size(), 2U);
    EXPECT_EQ(rayGeneration->bindings[0].type, VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_KHR);
    EXPECT_EQ(rayGeneration->bindings[1].type, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER);
    auto intersection = reflectShader(test_shaders::boxesTestRint(), "boxes_test.rint");
    ASSERT_TRUE(intersection) << intersection.error().message;
    EXPECT_EQ(intersection->stage, VK_SHADER_STAGE_INTERSECTION_BIT_KHR);
    auto miss = reflectShader(test_shaders::boxesTestRmiss(), "boxes_test.rmiss");
    ASSERT_TRUE(miss);
    EXPECT_EQ(miss->stage, VK_SHADER_STAGE_MISS_BIT_KHR);
    auto closestHit = reflectShader(test_shaders::boxesTestRchit(), "boxes_test.rchit");
    ASSERT_TRUE(closestHit);
    EXPECT_EQ(closestHit->stage, VK_SHADER_STAGE_CLOSEST_HIT_BIT_KHR);
}

class RayTracingTest : public testing::LavapipeFixture {
protected:
    void releaseDeviceObjects() override {
        if (pool_ != VK_NULL_HANDLE) {
            vkDestroyCommandPool(device_->handle(), pool_, nullptr);
            pool_ = VK_NULL_HANDLE;
        }
        descriptors_.reset();
        pipeline_.reset();
        hits_.reset();
        boxes_.reset();
        allocator_.reset();
        budget_.reset();
    }

    void makeAllocator() {
        budget_.emplace(*physical_);
        allocator_.emplace(*device_, *budget_);
    }

    [[nodiscard]] RayTracingPipelineDesc boxesDesc() const {
        return RayTracingPipelineDesc{
            .rayGeneration = rayGeneration_, .misses = misses_, .hitGroups = hitGroups_};
    }

    const ShaderStageCode rayGeneration_{test_shaders::boxesTestRgen(), "boxes_test.rgen"};
    const std::array<ShaderStageCode, 1> misses_{
        ShaderStageCode{test_shaders::boxesTestRmiss(), "boxes_test.rmiss"}};
    const std::array<RayTracingHitGroup, 1> hitGroups_{
        RayTracingHitGroup{{test_shaders::boxesTestRchit(), "boxes_test.rchit"},
                           {test_shaders::boxesTestRint(), "boxes_test.rint"}}};

    std::optional<BudgetManager> budget_;
    std::optional<DeviceMemoryAllocator> allocator_;
    std::optional<AabbAccelerationStructure> boxes_;
    std::optional<Buffer> hits_;
    std::optional<RayTracingPipeline> pipeline_;
    std::optional<DescriptorAllocator> descriptors_;
    VkCommandPool pool_ = VK_NULL_HANDLE;
};

TEST_F(RayTracingTest, StagesInTheWrongPlaceAreRefusedOnEveryDevice) {
    makeAllocator();
    RayTracingPipelineDesc swapped = boxesDesc();
    swapped.rayGeneration = misses_[0];
    auto wrong = RayTracingPipeline::create(*device_, *allocator_, swapped, "swapped");
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(wrong.error().message.find("boxes_test.rmiss"), std::string::npos)
        << wrong.error().message;

    RayTracingPipelineDesc noMiss = boxesDesc();
    noMiss.misses = {};
    auto missing = RayTracingPipeline::create(*device_, *allocator_, noMiss, "no miss");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("no miss shader"), std::string::npos);

    RayTracingPipelineDesc emptyGroup = boxesDesc();
    const std::array<RayTracingHitGroup, 1> nothing{};
    emptyGroup.hitGroups = nothing;
    auto empty = RayTracingPipeline::create(*device_, *allocator_, emptyGroup, "empty group");
    ASSERT_FALSE(empty);
    EXPECT_NE(empty.error().message.find("hit group 0 has no shader"), std::string::npos);
}

TEST_F(RayTracingTest, ADeviceWithoutRayTracingIsNamedAndNothingIsLeftBehind) {
    if (device_->enabled().rayTracingPipeline) {
        GTEST_SKIP() << "device '" << physical_->name << "' has ray tracing";
    }
    makeAllocator();
    const std::array<VkAabbPositionsKHR, 1> box{VkAabbPositionsKHR{0, 0, 0, 1, 1, 1}};
    auto structure = AabbAccelerationStructure::build(*device_, *allocator_, box, "boxes");
    ASSERT_FALSE(structure);
    EXPECT_EQ(structure.error().code, ErrorCode::Unsupported);
    EXPECT_NE(structure.error().message.find(physical_->name), std::string::npos);
    auto pipeline = RayTracingPipeline::create(*device_, *allocator_, boxesDesc(), "boxes");
    ASSERT_FALSE(pipeline);
    EXPECT_EQ(pipeline.error().code, ErrorCode::Unsupported);
    EXPECT_NE(pipeline.error().message.find("has no ray-tracing pipelines"), std::string::npos);
    EXPECT_EQ(allocator_->statistics().total.usedBytes, 0U);
}

TEST_F(RayTracingTest, RaysHitTheBoxesTheIntersectionShaderReports) {
    if (!device_->enabled().rayTracingPipeline) {
        GTEST_SKIP() << "device '" << physical_->name << "' has no ray-tracing pipelines";
    }
    makeAllocator();
    // Box i: x in [i, i + 1], y in [0, 1], z in [2 + i, 3 + i]; ray 4 passes beside them all.
    std::vector<VkAabbPositionsKHR> boxes;
    for (int i = 0; i < 4; ++i) {
        const auto f = static_cast<float>(i);
        boxes.push_back({f, 0.0F, 2.0F + f, f + 1.0F, 1.0F, 3.0F + f});
    }
    auto structure = AabbAccelerationStructure::build(*device_, *allocator_, boxes, "boxes");
    ASSERT_TRUE(structure) << structure.error().message;
    boxes_.emplace(std::move(*structure));
    EXPECT_EQ(boxes_->stats().primitives, 4U);
    EXPECT_GT(boxes_->stats().bottomLevelBytes, 0U);
    EXPECT_GT(boxes_->stats().topLevelBytes, 0U);
    auto empty = AabbAccelerationStructure::build(*device_, *allocator_, {}, "no boxes");
    ASSERT_TRUE(empty) << empty.error().message;
    EXPECT_EQ(empty->stats().bottomLevelBytes, 0U);

    auto pipeline = RayTracingPipeline::create(*device_, *allocator_, boxesDesc(), "boxes");
    ASSERT_TRUE(pipeline) << pipeline.error().message;
    pipeline_.emplace(std::move(*pipeline));
    constexpr std::uint32_t kRays = 5;
    auto hits = Buffer::create(*device_, *allocator_,
                               BufferDesc{kRays * sizeof(float), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                                          MemoryUsage::Readback},
                               "hits");
    ASSERT_TRUE(hits) << hits.error().message;
    hits_.emplace(std::move(*hits));
    auto descriptors = DescriptorAllocator::create(
        *device_, DescriptorPoolSizes{}.add(pipeline_->interface()), "boxes");
    ASSERT_TRUE(descriptors) << descriptors.error().message;
    descriptors_.emplace(std::move(*descriptors));
    auto sets = descriptors_->allocateAll(pipeline_->setLayouts(), "boxes");
    ASSERT_TRUE(sets) << sets.error().message;
    DescriptorWriter writer;
    ASSERT_TRUE(writer.accelerationStructure((*sets)[0], 0, boxes_->topLevel()));
    ASSERT_TRUE(writer.buffer((*sets)[0], 1, hits_->handle()));
    const auto wrongKind = writer.accelerationStructure((*sets)[0], 1, boxes_->topLevel());
    ASSERT_FALSE(wrongKind);
    EXPECT_EQ(wrongKind.error().code, ErrorCode::TypeMismatch);
    writer.update(*device_);

    VkCommandPoolCreateInfo poolInfo{};
    poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    poolInfo.queueFamilyIndex = device_->queueFamily();
    ASSERT_EQ(vkCreateCommandPool(device_->handle(), &poolInfo, nullptr, &pool_), VK_SUCCESS);
    VkCommandBufferAllocateInfo allocateInfo{};
    allocateInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    allocateInfo.commandPool = pool_;
    allocateInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    allocateInfo.commandBufferCount = 1;
    VkCommandBuffer commands = VK_NULL_HANDLE;
    ASSERT_EQ(vkAllocateCommandBuffers(device_->handle(), &allocateInfo, &commands), VK_SUCCESS);
    ASSERT_EQ(testing::beginOneTimeSubmit(commands), VK_SUCCESS);
    vkCmdBindPipeline(commands, VK_PIPELINE_BIND_POINT_RAY_TRACING_KHR, pipeline_->handle());
    vkCmdBindDescriptorSets(commands, VK_PIPELINE_BIND_POINT_RAY_TRACING_KHR, pipeline_->layout(),
                            0, 1, &(*sets)[0].handle, 0, nullptr);
    pipeline_->traceRays(commands, kRays, 1);
    testing::recordHostReadBarrier(commands, VK_PIPELINE_STAGE_2_RAY_TRACING_SHADER_BIT_KHR,
                                   VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
    ASSERT_EQ(vkEndCommandBuffer(commands), VK_SUCCESS);
    ASSERT_EQ(testing::submitAndWait(device_->queue(), commands), VK_SUCCESS);
    std::array<float, kRays> distances{};
    std::memcpy(distances.data(), hits_->mapped().data(), sizeof distances);
    // From z = -1, box i is entered at distance 3 + i.
    EXPECT_FLOAT_EQ(distances[0], 3.0F);
    EXPECT_FLOAT_EQ(distances[1], 4.0F);
    EXPECT_FLOAT_EQ(distances[2], 5.0F);
    EXPECT_FLOAT_EQ(distances[3], 6.0F);
    EXPECT_FLOAT_EQ(distances[4], -1.0F);
}

}  // namespace
}  // namespace vixen::gpu
