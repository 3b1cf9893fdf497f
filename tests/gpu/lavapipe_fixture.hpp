#pragma once

// The fixture of every GPU test: an instance (with the validation layer unless a test turns
// it off), the devices, the chosen one, and a logical device on it. TearDown releases what
// the test owns, destroys the device (where the layer reports leaked objects, as errors)
// and fails the test on any validation error. WindowFixture (window_fixture.hpp) builds the
// same pieces around a window.

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <optional>
#include <span>
#include <vector>

#include "vixen/gpu/device.hpp"
#include "vixen/gpu/instance.hpp"
#include "vixen/gpu/physical_device.hpp"

namespace vixen::gpu::testing {

/// Lavapipe keeps state it JIT-compiles (copy and blit shaders) reachable only from its own
/// globals. Once the loader unloads the driver at instance destruction, LeakSanitizer loses
/// those roots and reports the blocks against an unknown module. Pinning the driver in
/// memory for the process keeps the roots visible, so real leaks still stand out.
inline void keepLavapipeLoaded() {
    static void* const pinned = dlopen("libvulkan_lvp.so", RTLD_NOW | RTLD_NODELETE);
    static_cast<void>(pinned);  // absent on other drivers: nothing to pin
}

class LavapipeFixture : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(createInstance({}));
        ASSERT_NO_FATAL_FAILURE(createDevice(DeviceOptions{}));
    }

    void TearDown() override {
        destroyDevice();
        expectNoValidationErrors();
    }

    /// instance_, with the validation layer per validation() and the further `extensions`.
    void createInstance(std::span<const char* const> extensions) {
        keepLavapipeLoaded();
        auto created =
            Instance::create(InstanceOptions{.validation = validation(), .extensions = extensions});
        ASSERT_TRUE(created) << created.error().message;
        instance_.emplace(std::move(*created));
        if (validation()) {
            ASSERT_TRUE(instance_->validationEnabled())
                << "the validation layer must be installed (vulkan-validationlayers)";
        }
    }

    /// devices_, the chosen one in physical_, and device_ on it made with `options`.
    void createDevice(const DeviceOptions& options) {
        auto devices = enumeratePhysicalDevices(*instance_);
        ASSERT_TRUE(devices) << devices.error().message;
        devices_ = std::move(*devices);
        ASSERT_FALSE(devices_.empty()) << "no Vulkan device: is mesa-vulkan-drivers installed?";
        auto chosen = chooseDevice(devices_, std::nullopt, std::nullopt);
        ASSERT_TRUE(chosen) << chosen.error().message;
        physical_ = &devices_[*chosen];
        auto device = Device::create(*physical_, options);
        ASSERT_TRUE(device) << device.error().message;
        device_.emplace(std::move(*device));
    }

    /// releaseDeviceObjects(), then the device (where the layer reports leaked objects).
    void destroyDevice() {
        if (device_) {
            releaseDeviceObjects();
        }
        device_.reset();
    }

    /// Fails the test on any error or warning the validation layer reported.
    void expectNoValidationErrors() {
        if (instance_) {
            EXPECT_EQ(instance_->validation().errors(), 0U)
                << instance_->validation().lastMessage();
            EXPECT_EQ(instance_->validation().warnings(), 0U)
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
