// gpu::Window under Xvfb (CTest runs vixen_window_tests through xvfb-run): what happens
// without a display, bad sizes, and the instance extensions a window asks for. The
// swapchain tests (swapchain_test.cpp) drive the window's resizes.
#include "vixen/gpu/window.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <optional>
#include <string>

#include "vixen/gpu/instance.hpp"

namespace vixen::gpu {
namespace {

constexpr std::uint32_t kWidth = 320;
constexpr std::uint32_t kHeight = 240;

/// Sets or unsets an environment variable for one scope, restoring it after.
class ScopedEnvironment {
public:
    ScopedEnvironment(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name); old != nullptr) {
            old_ = old;
        }
        if (value != nullptr) {
            setenv(name, value, 1);
        } else {
            unsetenv(name);
        }
    }
    ~ScopedEnvironment() {
        if (old_) {
            setenv(name_, old_->c_str(), 1);
        } else {
            unsetenv(name_);
        }
    }
    ScopedEnvironment(const ScopedEnvironment&) = delete;
    ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

// GLFW's state is process-wide, but a Window is the only thing that initialises it and the
// last one to go terminates it: with no window alive, GLFW starts from scratch, reading
// DISPLAY again. So this runs in the same executable as the windowed tests, in any order.
TEST(WindowSetupTest, CreationFailsSayingToRunUnderXvfb) {
    ASSERT_NE(std::getenv("DISPLAY"), nullptr) << "run through CTest, which uses xvfb-run";
    {
        const ScopedEnvironment noDisplay("DISPLAY", nullptr);
        const auto window = Window::create(WindowOptions{.width = kWidth, .height = kHeight});
        ASSERT_FALSE(window);
        EXPECT_EQ(window.error().code, ErrorCode::NotFound);
        EXPECT_NE(window.error().message.find("DISPLAY is unset"), std::string::npos)
            << window.error().message;
        EXPECT_NE(window.error().message.find("xvfb-run"), std::string::npos)
            << window.error().message;
    }
    {
        const ScopedEnvironment wrongDisplay("DISPLAY", ":9876");
        const auto window = Window::create(WindowOptions{.width = kWidth, .height = kHeight});
        ASSERT_FALSE(window);
        EXPECT_EQ(window.error().code, ErrorCode::NotFound);
        EXPECT_NE(window.error().message.find("DISPLAY is ':9876'"), std::string::npos)
            << window.error().message;
    }
    // With the display back, GLFW initialises again.
    auto window = Window::create(WindowOptions{.width = kWidth, .height = kHeight});
    ASSERT_TRUE(window) << window.error().message;
    EXPECT_NE(window->handle(), nullptr);
    EXPECT_EQ(window->framebufferSize().width, kWidth);
    EXPECT_EQ(window->framebufferSize().height, kHeight);
    EXPECT_FALSE(window->resizePending());
    EXPECT_FALSE(window->shouldClose());
    window->requestClose();
    EXPECT_TRUE(window->shouldClose());
}

TEST(WindowSetupTest, ZeroSizeIsRejectedBeforeTouchingTheDisplay) {
    const auto window = Window::create(WindowOptions{.width = 0, .height = kHeight});
    ASSERT_FALSE(window);
    EXPECT_EQ(window.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(window.error().message.find("0x240"), std::string::npos) << window.error().message;
}

TEST(WindowSetupTest, AMissingInstanceExtensionIsNamed) {
    const std::array<const char*, 1> extensions{"VK_KHR_vixen_no_such_surface"};
    const auto instance =
        Instance::create(InstanceOptions{.validation = false, .extensions = extensions});
    ASSERT_FALSE(instance);
    EXPECT_EQ(instance.error().code, ErrorCode::NotFound);
    EXPECT_NE(instance.error().message.find("VK_KHR_vixen_no_such_surface"), std::string::npos)
        << instance.error().message;
}

}  // namespace
}  // namespace vixen::gpu
