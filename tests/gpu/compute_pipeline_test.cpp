// ComputePipeline on lavapipe (CTest sets VK_DRIVER_FILES) with the Khronos validation
// layer: built from build-time SPIR-V and its reflection, torn down without leaks when any
// creation fails, and dispatched for real, with descriptor sets allocated at "compile" and
// nothing created while "executing".
#include "vixen/gpu/compute_pipeline.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gpu_test_support.hpp"
#include "lavapipe_fixture.hpp"
#include "test_shaders.hpp"
#include "vixen/gpu/budget_manager.hpp"
#include "vixen/gpu/buffer.hpp"
#include "vixen/gpu/creation_gate.hpp"
#include "vixen/gpu/descriptor_allocator.hpp"
#include "vixen/gpu/descriptor_writer.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/memory_allocator.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {
namespace {

using ComputePipelineTest = testing::LavapipeFixture;

TEST_F(ComputePipelineTest, BuildsLayoutsAndPushConstantsFromReflection) {
    auto pipeline =
        ComputePipeline::create(*device_, test_shaders::fillBufferComp(), "fill_buffer.comp");
    ASSERT_TRUE(pipeline) << pipeline.error().message;
    EXPECT_TRUE(pipeline->valid());
    EXPECT_NE(pipeline->layout(), VK_NULL_HANDLE);
    EXPECT_EQ(pipeline->workgroupSize(), (std::array<std::uint32_t, 3>{64, 1, 1}));
    EXPECT_EQ(pipeline->interface().pushConstantSize, 12U);
    EXPECT_EQ(pipeline->interface().pushConstantStages,
              VkShaderStageFlags{VK_SHADER_STAGE_COMPUTE_BIT});
    ASSERT_EQ(pipeline->setLayouts().setCount(), 1U);
    const auto bindings = pipeline->setLayouts().bindings(0);
    ASSERT_EQ(bindings.size(), 2U);
    EXPECT_EQ(bindings[0].name, "inputs");
    EXPECT_EQ(bindings[1].name, "outputs");
    EXPECT_EQ(bindings[1].type, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER);
    EXPECT_EQ(pipeline->groupsFor(1000), (std::array<std::uint32_t, 3>{16, 1, 1}));
    EXPECT_EQ(pipeline->groupsFor(64, 3, 0), (std::array<std::uint32_t, 3>{1, 3, 0}));

    ComputePipeline moved = std::move(*pipeline);
    EXPECT_TRUE(moved.valid());
    moved.reset();
    EXPECT_FALSE(moved.valid());
}

TEST_F(ComputePipelineTest, BuildsAPipelineWithEveryDescriptorKindAndAnEmptySet) {
    auto pipeline =
        ComputePipeline::create(*device_, test_shaders::interfaceComp(), "interface.comp");
    ASSERT_TRUE(pipeline) << pipeline.error().message;
    EXPECT_EQ(pipeline->setLayouts().setCount(), 4U);
    EXPECT_EQ(pipeline->groupsFor(17, 9, 2), (std::array<std::uint32_t, 3>{3, 3, 1}));
}

TEST_F(ComputePipelineTest, RefusesAShaderOfAnotherStage) {
    const auto pipeline =
        ComputePipeline::create(*device_, test_shaders::texturedFrag(), "textured.frag");
    ASSERT_FALSE(pipeline);
    EXPECT_EQ(pipeline.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(pipeline.error().message.find("shader 'textured.frag' is a fragment shader"),
              std::string::npos)
        << pipeline.error().message;
}

TEST_F(ComputePipelineTest, RefusesWordsThatAreNotSpirvBeforeCreatingAnything) {
    const std::uint64_t creations = CreationGate::count();
    const std::vector<std::uint32_t> garbage{0x12345678U, 1, 2, 3, 4, 5};
    const auto pipeline = ComputePipeline::create(*device_, garbage, "garbage.comp");
    ASSERT_FALSE(pipeline);
    EXPECT_EQ(pipeline.error().code, ErrorCode::ParseError);
    EXPECT_NE(pipeline.error().message.find("'garbage.comp'"), std::string::npos)
        << pipeline.error().message;
    EXPECT_EQ(CreationGate::count(), creations);
}

TEST_F(ComputePipelineTest, LeaksNothingWhenAnyCreationFails) {
    // interface.comp makes 4 set layouts, the pipeline layout, the module and the pipeline.
    constexpr std::uint64_t kCreations = 7;
    for (std::uint64_t nth = 1; nth <= kCreations + 1; ++nth) {
        SCOPED_TRACE(nth);
        const ScopedFaultInjection inject(nth);
        const std::uint64_t injected = CreationGate::injectedFailures();
        const auto pipeline =
            ComputePipeline::create(*device_, test_shaders::interfaceComp(), "interface.comp");
        if (nth <= kCreations) {
            ASSERT_FALSE(pipeline);
            EXPECT_EQ(pipeline.error().code, ErrorCode::OverBudget);
            EXPECT_NE(pipeline.error().message.find("while interface.comp"), std::string::npos)
                << pipeline.error().message;
            EXPECT_EQ(CreationGate::injectedFailures(), injected + 1);
        } else {
            ASSERT_TRUE(pipeline) << pipeline.error().message;
            EXPECT_EQ(CreationGate::injectedFailures(), injected);
        }
    }
    // The validation layer reports any object left behind when the fixture destroys the device.
}

/// One command pool and buffer, made up front: run() records, submits and waits, and
/// creates nothing.
class OneQueue {
public:
    static Result<OneQueue> create(const Device& device) {
        OneQueue result;
        result.device_ = &device;
        VkCommandPoolCreateInfo poolInfo{};
        poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
        poolInfo.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
        poolInfo.queueFamilyIndex = device.queueFamily();
        VIXEN_TRY_VK_CREATE(vkCreateCommandPool(device.handle(), &poolInfo, nullptr, &result.pool_),
                            "the test's command pool");
        VkCommandBufferAllocateInfo bufferInfo{};
        bufferInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
        bufferInfo.commandPool = result.pool_;
        bufferInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
        bufferInfo.commandBufferCount = 1;
        VIXEN_TRY_VK_CREATE(
            vkAllocateCommandBuffers(device.handle(), &bufferInfo, &result.commandBuffer_),
            "the test's command buffer");
        return result;
    }

    OneQueue(OneQueue&& other) noexcept
        : device_(other.device_),
          pool_(std::exchange(other.pool_, VK_NULL_HANDLE)),
          commandBuffer_(other.commandBuffer_) {}
    OneQueue& operator=(OneQueue&&) = delete;
    OneQueue(const OneQueue&) = delete;
    OneQueue& operator=(const OneQueue&) = delete;
    ~OneQueue() {
        if (pool_ != VK_NULL_HANDLE) {
            vkDestroyCommandPool(device_->handle(), pool_, nullptr);
        }
    }

    Result<void> run(const std::function<void(VkCommandBuffer)>& record) {
        VIXEN_TRY_VK(vkResetCommandPool(device_->handle(), pool_, 0), "resetting the pool");
        VIXEN_TRY_VK(testing::beginOneTimeSubmit(commandBuffer_), "recording");
        record(commandBuffer_);
        VIXEN_TRY_VK(vkEndCommandBuffer(commandBuffer_), "recording");
        VIXEN_TRY_VK(testing::submitAndWait(device_->queue(), commandBuffer_),
                     "submitting and waiting for the dispatch");
        return {};
    }

private:
    OneQueue() = default;

    const Device* device_ = nullptr;
    VkCommandPool pool_ = VK_NULL_HANDLE;
    VkCommandBuffer commandBuffer_ = VK_NULL_HANDLE;
};

class ComputeDispatchTest : public testing::LavapipeFixture {
protected:
    void releaseDeviceObjects() override {
        queue_.reset();
        input_.reset();
        output_.reset();
        allocator_.reset();
        budget_.reset();
    }

    static constexpr std::uint32_t kCapacity = 1024;  ///< elements of each buffer

    std::optional<BudgetManager> budget_;
    std::optional<DeviceMemoryAllocator> allocator_;
    std::optional<Buffer> input_;
    std::optional<Buffer> output_;
    std::optional<OneQueue> queue_;
};

TEST_F(ComputeDispatchTest, FillsAStorageBufferReadBackOnTheHost) {
    struct Push {
        std::uint32_t count;
        std::uint32_t multiplier;
        std::uint32_t addend;
    };

    // Compile: the pipeline, buffers, a pool sized from the reflection, the set, its writes,
    // and the command buffer.
    auto pipeline =
        ComputePipeline::create(*device_, test_shaders::fillBufferComp(), "fill_buffer.comp");
    ASSERT_TRUE(pipeline) << pipeline.error().message;
    ASSERT_EQ(pipeline->interface().pushConstantSize, sizeof(Push));
    budget_.emplace(*physical_);
    allocator_.emplace(*device_, *budget_);
    constexpr VkDeviceSize kBytes = kCapacity * sizeof(std::uint32_t);
    auto input = Buffer::create(
        *device_, *allocator_,
        BufferDesc{kBytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, MemoryUsage::Upload}, "input");
    ASSERT_TRUE(input) << input.error().message;
    input_.emplace(std::move(*input));
    auto output = Buffer::create(
        *device_, *allocator_,
        BufferDesc{kBytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, MemoryUsage::Readback}, "output");
    ASSERT_TRUE(output) << output.error().message;
    output_.emplace(std::move(*output));
    ASSERT_EQ(input_->mapped().size(), kBytes);
    ASSERT_EQ(output_->mapped().size(), kBytes);
    std::vector<std::uint32_t> values(kCapacity);
    for (std::uint32_t i = 0; i < kCapacity; ++i) {
        values[i] = i;
    }
    std::memcpy(input_->mapped().data(), values.data(), kBytes);

    auto pool = DescriptorAllocator::create(
        *device_, DescriptorPoolSizes{}.add(pipeline->interface()), "dispatch test");
    ASSERT_TRUE(pool) << pool.error().message;
    auto sets = pool->allocateAll(pipeline->setLayouts(), "fill_buffer.comp");
    ASSERT_TRUE(sets) << sets.error().message;
    ASSERT_EQ(sets->size(), 1U);
    DescriptorWriter writer;
    ASSERT_TRUE(writer.buffer((*sets)[0], 0, input_->handle()));
    ASSERT_TRUE(writer.buffer((*sets)[0], 1, output_->handle()));
    writer.update(*device_);
    auto queue = OneQueue::create(*device_);
    ASSERT_TRUE(queue) << queue.error().message;
    queue_.emplace(std::move(*queue));

    // Execute: three dispatches over fewer elements than the buffer holds, no creation.
    const std::uint64_t creations = CreationGate::count();
    const VkDescriptorSet set = (*sets)[0].handle;
    constexpr std::uint32_t kCount = 1000;  // not a multiple of the 64-wide workgroup
    for (std::uint32_t run = 1; run <= 3; ++run) {
        SCOPED_TRACE(run);
        std::memset(output_->mapped().data(), 0xff, kBytes);
        const Push push{kCount, run, 7 * run};
        const auto ran = queue_->run([&](VkCommandBuffer commands) {
            vkCmdBindPipeline(commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline->handle());
            vkCmdBindDescriptorSets(commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline->layout(), 0,
                                    1, &set, 0, nullptr);
            vkCmdPushConstants(commands, pipeline->layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0,
                               sizeof(push), &push);
            const auto groups = pipeline->groupsFor(kCount);
            vkCmdDispatch(commands, groups[0], groups[1], groups[2]);
            testing::recordHostReadBarrier(commands, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                                           VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
        });
        ASSERT_TRUE(ran) << ran.error().message;

        std::vector<std::uint32_t> results(kCapacity);
        std::memcpy(results.data(), output_->mapped().data(), kBytes);
        for (std::uint32_t i = 0; i < kCapacity; ++i) {
            const std::uint32_t expected = i < kCount ? i * run + 7 * run : 0xffffffffU;
            ASSERT_EQ(results[i], expected) << "element " << i;
        }
    }
    EXPECT_EQ(CreationGate::count(), creations);
}

}  // namespace
}  // namespace vixen::gpu
