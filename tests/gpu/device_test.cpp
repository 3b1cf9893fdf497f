// GPU tests run on lavapipe (CTest sets VK_DRIVER_FILES) with the Khronos validation layer;
// any validation error fails the test.
#include "vixen/gpu/device.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "lavapipe_fixture.hpp"
#include "vixen/gpu/instance.hpp"
#include "vixen/gpu/physical_device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {
namespace {

using LavapipeTest = testing::LavapipeFixture;

TEST_F(LavapipeTest, ProbesLavapipeFeaturesAndFallsBack) {
    const auto lavapipe = std::find_if(devices_.begin(), devices_.end(), [](const auto& d) {
        return d.type == VK_PHYSICAL_DEVICE_TYPE_CPU;
    });
    ASSERT_NE(lavapipe, devices_.end());
    EXPECT_NE(lavapipe->name.find("llvmpipe"), std::string::npos) << lavapipe->name;
    EXPECT_EQ(lavapipe->features.missingRequired(), "");
    EXPECT_FALSE(lavapipe->features.rayTracingPipeline);  // lavapipe has no ray tracing
    EXPECT_FALSE(lavapipe->features.memoryBudget);
    EXPECT_FALSE(lavapipe->heaps.empty());
    EXPECT_FALSE(lavapipe->queueFamilies.empty());
}

TEST_F(LavapipeTest, CreatesADeviceWithTheRequiredFeatures) {
    auto chosen = chooseDevice(devices_, std::nullopt, std::nullopt);
    ASSERT_TRUE(chosen) << chosen.error().message;
    auto device = Device::create(devices_[*chosen]);
    ASSERT_TRUE(device) << device.error().message;
    EXPECT_NE(device->handle(), VK_NULL_HANDLE);
    EXPECT_NE(device->queue(), VK_NULL_HANDLE);
    EXPECT_TRUE(device->enabled().synchronization2);
    EXPECT_TRUE(device->enabled().timelineSemaphore);
    EXPECT_TRUE(device->enabled().maintenance4);
    EXPECT_TRUE(device->enabled().dynamicRendering);
    EXPECT_FALSE(device->enabled().rayTracingPipeline);
}

TEST_F(LavapipeTest, ValidationMessagesAreCountedAndRouted) {
    auto device = Device::create(devices_[*chooseDevice(devices_, std::nullopt, std::nullopt)]);
    ASSERT_TRUE(device) << device.error().message;
    // A zero-sized buffer is invalid usage: the layer must report it to our counter.
    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.size = 0;
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    VkBuffer buffer = VK_NULL_HANDLE;
    const VkResult result = vkCreateBuffer(device->handle(), &info, nullptr, &buffer);
    if (result == VK_SUCCESS) {
        vkDestroyBuffer(device->handle(), buffer, nullptr);
    }
    EXPECT_GE(instance_->validation().errors(), 1U);
    EXPECT_NE(instance_->validation().lastMessage().find("VUID-VkBufferCreateInfo-size-00912"),
              std::string::npos)
        << instance_->validation().lastMessage();
    instance_->validation().reset();
}

TEST_F(LavapipeTest, ExplicitChoicesAreCheckedAndNamed) {
    const auto count = static_cast<std::uint32_t>(devices_.size());
    auto outOfRange = chooseDevice(devices_, count + 2, std::nullopt);
    ASSERT_FALSE(outOfRange);
    EXPECT_NE(
        outOfRange.error().message.find("--device asks for device " + std::to_string(count + 2)),
        std::string::npos)
        << outOfRange.error().message;
    auto notANumber = chooseDevice(devices_, std::nullopt, "gpu0");
    ASSERT_FALSE(notANumber);
    EXPECT_EQ(notANumber.error().message,
              "VIXEN_DEVICE='gpu0' is not a device index (a number from 'vixen info')");
    auto fromEnvironment = chooseDevice(devices_, std::nullopt, "0");
    ASSERT_TRUE(fromEnvironment) << fromEnvironment.error().message;
    EXPECT_EQ(*fromEnvironment, 0U);
    auto optionWins = chooseDevice(devices_, 0U, "99");
    ASSERT_TRUE(optionWins);
}

PhysicalDeviceInfo fakeDevice(std::uint32_t index, VkPhysicalDeviceType type, VkDeviceSize local,
                              bool suitable) {
    PhysicalDeviceInfo info;
    info.index = index;
    info.name = "fake" + std::to_string(index);
    info.type = type;
    info.features.vulkan13 = suitable;
    info.features.synchronization2 = true;
    info.features.timelineSemaphore = true;
    info.features.maintenance4 = true;
    info.features.dynamicRendering = true;
    info.heaps.push_back(MemoryHeap{local, true, 0, 0});
    return info;
}

TEST(DeviceChoiceTest, PrefersSuitableDiscreteWithMostMemory) {
    const std::vector<PhysicalDeviceInfo> devices{
        fakeDevice(0, VK_PHYSICAL_DEVICE_TYPE_CPU, 1 << 20, true),
        fakeDevice(1, VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, 8ULL << 30, false),
        fakeDevice(2, VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, 4ULL << 30, true),
        fakeDevice(3, VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU, 16ULL << 30, true),
        fakeDevice(4, VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, 6ULL << 30, true)};
    EXPECT_EQ(*chooseDevice(devices, std::nullopt, std::nullopt), 4U);
    auto unsuitable = chooseDevice(devices, 1U, std::nullopt);
    ASSERT_FALSE(unsuitable);
    EXPECT_EQ(unsuitable.error().message,
              "--device asks for device 1 (fake1), which lacks Vulkan 1.3");
}

TEST(DeviceChoiceTest, NoDeviceSaysWhatToInstall) {
    auto none = chooseDevice({}, std::nullopt, std::nullopt);
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().message.find("mesa-vulkan-drivers"), std::string::npos);
}

TEST(VulkanErrorTest, NamesTheCallAndMapsCodes) {
    const Error lost = vulkanError(VK_ERROR_DEVICE_LOST, "vkQueueSubmit2(queue, 1, &submit, fence)",
                                   "submitting frame 12");
    EXPECT_EQ(lost.code, ErrorCode::DeviceLost);
    EXPECT_EQ(lost.message,
              "vkQueueSubmit2 failed with VK_ERROR_DEVICE_LOST while submitting frame 12");
    EXPECT_EQ(vulkanError(VK_ERROR_OUT_OF_DEVICE_MEMORY, "vkAllocateMemory()", "x").code,
              ErrorCode::OverBudget);
}

}  // namespace
}  // namespace vixen::gpu
