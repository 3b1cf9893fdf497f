#pragma once

// The fixture of every GPU test: an instance (with the validation layer unless a test turns
// it off), the devices, the chosen one, and a logical device on it. TearDown releases what
// the test owns, destroys the device (where the layer reports leaked objects, as errors)
// and fails the test on any validation error.

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "vixen/gpu/device.hpp"
#include "vixen/gpu/instance.hpp"
#include "vixen/gpu/physical_device.hpp"

namespace vixen::gpu::testing {

class LavapipeFixture : public ::testing::Test {
protected:
    void SetUp() override {
        auto created = Instance::create(InstanceOptions{.validation = validation()});
        ASSERT_TRUE(created) << created.error().message;
        instance_.emplace(std::move(*created));
        if (validation()) {
            ASSERT_TRUE(instance_->validationEnabled())
                << "the validation layer must be installed (vulkan-validationlayers)";
        }
        auto devices = enumeratePhysicalDevices(*instance_);
        ASSERT_TRUE(devices) << devices.error().message;
        devices_ = std::move(*devices);
        ASSERT_FALSE(devices_.empty()) << "no Vulkan device: is mesa-vulkan-drivers installed?";
        auto chosen = chooseDevice(devices_, std::nullopt, std::nullopt);
        ASSERT_TRUE(chosen) << chosen.error().message;
        physical_ = &devices_[*chosen];
        auto device = Device::create(*physical_);
        ASSERT_TRUE(device) << device.error().message;
        device_.emplace(std::move(*device));
    }

    void TearDown() override {
        if (device_) {
            releaseDeviceObjects();
        }
        device_.reset();
        if (instance_) {
            EXPECT_EQ(instance_->validation().errors(), 0U)
                << instance_->validation().lastMessage();
        }
    }

    /// Whether the instance loads the validation layer; a fixture may turn it off.
    [[nodiscard]] virtual bool validation() const { return true; }
    /// Destroys what the test made on device_, before the device goes.
    virtual void releaseDeviceObjects() {}

    std::optional<Instance> instance_;
    std::vector<PhysicalDeviceInfo> devices_;
    const PhysicalDeviceInfo* physical_ = nullptr;
    std::optional<Device> device_;
};

}  // namespace vixen::gpu::testing
