#pragma once

#include <vulkan/vulkan.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "vixen/core/error.hpp"

struct GLFWwindow;

namespace vixen::gpu {

class Instance;
class Window;

struct WindowOptions {
    std::uint32_t width = 1280;  ///< in screen coordinates (pixels on X11)
    std::uint32_t height = 720;
    const char* title = "VIXEN";
    bool resizable = true;
    bool visible = true;
};

/// A VkSurfaceKHR of a window, owned. The instance must outlive it, and it must be
/// destroyed (after every swapchain made on it) before the window it was made for.
class Surface {
public:
    Surface() = default;
    Surface(Surface&& other) noexcept;
    Surface& operator=(Surface&& other) noexcept;
    Surface(const Surface&) = delete;
    Surface& operator=(const Surface&) = delete;
    ~Surface();

    [[nodiscard]] VkSurfaceKHR handle() const noexcept { return surface_; }

private:
    friend class Window;
    Surface(VkInstance instance, VkSurfaceKHR surface) noexcept
        : instance_(instance), surface_(surface) {}
    void destroy() noexcept;

    VkInstance instance_ = VK_NULL_HANDLE;
    VkSurfaceKHR surface_ = VK_NULL_HANDLE;
};

/// A GLFW window (X11) with no client API, for a Vulkan surface. The first window
/// initialises GLFW and the last one to go terminates it, so with no window alive GLFW is
/// back to its initial state. GLFW is single-threaded: create, poll and destroy windows
/// on the main thread only.
///
/// Resizes: GLFW may call back any number of times during one pollEvents(); the window
/// keeps only the newest framebuffer size and a flag, and takeResize() hands that out once,
/// so a frame loop turns a burst of callbacks into one resize (one WindowResized event, one
/// swapchain recreation).
///
/// Wiring order: Window::create, Instance::create with requiredInstanceExtensions(),
/// createSurface(instance), Device::create with DeviceOptions{.presentSurface = ...},
/// Swapchain::create(device, surface, framebufferSize()).
class Window {
public:
    /// Errors: NotFound when there is no display to open (DISPLAY unset or no X server:
    /// the message says to run under Xvfb or set DISPLAY), InvalidArgument for a zero size,
    /// InvalidState when GLFW cannot make the window.
    static Result<Window> create(const WindowOptions& options = {});

    Window(Window&& other) noexcept;
    Window& operator=(Window&& other) noexcept;
    Window(const Window&) = delete;
    Window& operator=(const Window&) = delete;
    ~Window();

    /// The instance extensions a surface for this window needs (VK_KHR_surface and the
    /// X11 one), owned by GLFW; NotFound when GLFW finds no Vulkan loader or driver support.
    [[nodiscard]] Result<std::span<const char* const>> requiredInstanceExtensions() const;
    /// Needs an instance made with requiredInstanceExtensions().
    [[nodiscard]] Result<Surface> createSurface(const Instance& instance) const;

    /// The framebuffer size in pixels now, asked of the window system; {0, 0} while the
    /// window is minimized.
    [[nodiscard]] VkExtent2D framebufferSize() const;

    /// Handles pending window-system events (every window's), running the callbacks.
    void pollEvents();
    /// Sleeps until an event arrives or `timeout` passes, then handles the events.
    void waitEvents(std::chrono::nanoseconds timeout);

    /// The newest framebuffer size reported since the last call, once; nullopt when no
    /// resize callback came in between. Allocates nothing.
    [[nodiscard]] std::optional<VkExtent2D> takeResize() noexcept;
    /// Whether a resize is waiting for takeResize().
    [[nodiscard]] bool resizePending() const noexcept;
    /// Framebuffer-size callbacks received since creation (however many takeResize folded).
    [[nodiscard]] std::uint64_t resizeCallbacks() const noexcept;

    /// Asks the window system for a new window size (glfwSetWindowSize); the callback comes
    /// with a later pollEvents() / waitEvents(). For tests and the CLI.
    void requestSize(std::uint32_t width, std::uint32_t height);

    [[nodiscard]] bool shouldClose() const;
    void requestClose();

    [[nodiscard]] GLFWwindow* handle() const noexcept;

private:
    struct State;
    explicit Window(std::unique_ptr<State> state) noexcept;
    void destroy() noexcept;

    /// On the heap so GLFW's user pointer stays valid when the Window moves.
    std::unique_ptr<State> state_;
};

}  // namespace vixen::gpu
