#pragma once

// The fixture of every windowed test (run through xvfb-run): LavapipeFixture's instance and
// device, made around a GLFW window of kWindowWidth x kWindowHeight. The instance has the
// extensions the window needs, surface_ is the window's surface and the device presents to
// it. TearDown releases what the test owns, destroys the device (where the layer reports
// leaked objects, as errors) and the surface, fails the test on any validation error, then
// lets the instance and the window go.

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

#include "lavapipe_fixture.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/window.hpp"

namespace vixen::gpu::testing {

inline constexpr std::uint32_t kWindowWidth = 320;
inline constexpr std::uint32_t kWindowHeight = 240;

class WindowFixture : public LavapipeFixture {
protected:
    void SetUp() override {
        auto window = Window::create(WindowOptions{
            .width = kWindowWidth, .height = kWindowHeight, .title = "vixen windowed test"});
        ASSERT_TRUE(window) << window.error().message;
        window_.emplace(std::move(*window));
        auto extensions = window_->requiredInstanceExtensions();
        ASSERT_TRUE(extensions) << extensions.error().message;
        ASSERT_NO_FATAL_FAILURE(createInstance(*extensions));
        auto surface = window_->createSurface(*instance_);
        ASSERT_TRUE(surface) << surface.error().message;
        surface_.emplace(std::move(*surface));
        ASSERT_NO_FATAL_FAILURE(createDevice(DeviceOptions{.presentSurface = surface_->handle()}));
    }

    void TearDown() override {
        destroyDevice();
        surface_.reset();
        expectNoValidationErrors();
        instance_.reset();
        window_.reset();
    }

    std::optional<Window> window_;
    std::optional<Surface> surface_;
};

}  // namespace vixen::gpu::testing
