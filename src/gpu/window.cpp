#include "vixen/gpu/window.hpp"

// GLFW_INCLUDE_VULKAN declares glfwCreateWindowSurface and friends.
#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>

#include "vixen/gpu/instance.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {

struct Window::State {
    GLFWwindow* window = nullptr;
    VkExtent2D newest{};  ///< the newest framebuffer size a callback reported
    bool resized = false;
    std::uint64_t callbacks = 0;

    static void onFramebufferSize(GLFWwindow* window, int width, int height) {
        auto* state = static_cast<State*>(glfwGetWindowUserPointer(window));
        state->newest = VkExtent2D{static_cast<std::uint32_t>(std::max(width, 0)),
                                   static_cast<std::uint32_t>(std::max(height, 0))};
        state->resized = true;
        ++state->callbacks;
    }
};

namespace {

/// Live windows; the first initialises GLFW and the last terminates it. GLFW is
/// main-thread only, so a plain counter.
int liveWindows = 0;

/// GLFW's description of its last error on this thread, or a fallback.
std::string lastGlfwError() {
    const char* description = nullptr;
    if (glfwGetError(&description) != GLFW_NO_ERROR && description != nullptr) {
        return description;
    }
    return "no reason given";
}

/// Initialises GLFW, which opens the X display. An X server (Xvfb at least) now and then
/// refuses a connection made within a few milliseconds of its previous client leaving
/// (about one in twenty when a process closes and reopens windows back to back), so with
/// DISPLAY set a failure is retried a few times, 10, 20, 30, 40 ms apart, before it counts.
bool initGlfw() {
    constexpr int kAttempts = 5;
    for (int attempt = 1;; ++attempt) {
        glfwGetError(nullptr);  // clear a stale error so a failure reports this attempt's
        if (glfwInit() == GLFW_TRUE) {
            return true;
        }
        const char* display = std::getenv("DISPLAY");
        if (display == nullptr || *display == '\0' || attempt == kAttempts) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10 * attempt));
    }
}

void releaseGlfw() noexcept {
    if (--liveWindows == 0) {
        glfwTerminate();
    }
}

int toInt(std::uint32_t value) {
    return static_cast<int>(std::min<std::uint32_t>(value, INT_MAX));
}

}  // namespace

Surface::Surface(Surface&& other) noexcept
    : instance_(std::exchange(other.instance_, VK_NULL_HANDLE)),
      surface_(std::exchange(other.surface_, VK_NULL_HANDLE)) {}

Surface& Surface::operator=(Surface&& other) noexcept {
    if (this != &other) {
        destroy();
        instance_ = std::exchange(other.instance_, VK_NULL_HANDLE);
        surface_ = std::exchange(other.surface_, VK_NULL_HANDLE);
    }
    return *this;
}

Surface::~Surface() {
    destroy();
}

void Surface::destroy() noexcept {
    if (surface_ != VK_NULL_HANDLE) {
        vkDestroySurfaceKHR(instance_, surface_, nullptr);
        surface_ = VK_NULL_HANDLE;
    }
}

Window::Window(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}

Result<Window> Window::create(const WindowOptions& options) {
    if (options.width == 0 || options.height == 0) {
        return fail(ErrorCode::InvalidArgument, "a window of {}x{} has no area", options.width,
                    options.height);
    }
    if (liveWindows == 0) {
        if (!initGlfw()) {
            const char* display = std::getenv("DISPLAY");
            return fail(ErrorCode::NotFound,
                        "no display to open a window on ({}; DISPLAY is {}): run under Xvfb "
                        "(xvfb-run -a <command>) or set DISPLAY to a running X server",
                        lastGlfwError(),
                        display != nullptr ? fmt::format("'{}'", display) : std::string("unset"));
        }
    }
    ++liveWindows;

    glfwDefaultWindowHints();
    glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
    glfwWindowHint(GLFW_RESIZABLE, options.resizable ? GLFW_TRUE : GLFW_FALSE);
    glfwWindowHint(GLFW_VISIBLE, options.visible ? GLFW_TRUE : GLFW_FALSE);
    auto state = std::make_unique<State>();
    state->window = glfwCreateWindow(toInt(options.width), toInt(options.height), options.title,
                                     nullptr, nullptr);
    if (state->window == nullptr) {
        std::string reason = lastGlfwError();
        releaseGlfw();
        return fail(ErrorCode::InvalidState, "creating a {}x{} window '{}' failed: {}",
                    options.width, options.height, options.title, reason);
    }
    glfwSetWindowUserPointer(state->window, state.get());
    glfwSetFramebufferSizeCallback(state->window, &State::onFramebufferSize);
    return Window(std::move(state));
}

Window::Window(Window&& other) noexcept = default;

Window& Window::operator=(Window&& other) noexcept {
    if (this != &other) {
        destroy();
        state_ = std::move(other.state_);
    }
    return *this;
}

Window::~Window() {
    destroy();
}

void Window::destroy() noexcept {
    if (state_ != nullptr && state_->window != nullptr) {
        glfwDestroyWindow(state_->window);
        state_->window = nullptr;
        releaseGlfw();
    }
    state_.reset();
}

Result<std::span<const char* const>> Window::requiredInstanceExtensions() const {
    std::uint32_t count = 0;
    const char** names = glfwGetRequiredInstanceExtensions(&count);
    if (names == nullptr) {
        return fail(ErrorCode::NotFound,
                    "GLFW finds no Vulkan window-system support ({}): install libvulkan1 and a "
                    "driver with X11 surfaces (mesa-vulkan-drivers)",
                    lastGlfwError());
    }
    return std::span<const char* const>(names, count);
}

Result<Surface> Window::createSurface(const Instance& instance) const {
    VkSurfaceKHR surface = VK_NULL_HANDLE;
    VIXEN_TRY_VK_CREATE(
        glfwCreateWindowSurface(instance.handle(), state_->window, nullptr, &surface),
        "creating the window's surface (the instance needs Window::requiredInstanceExtensions())");
    return Surface(instance.handle(), surface);
}

VkExtent2D Window::framebufferSize() const {
    int width = 0;
    int height = 0;
    glfwGetFramebufferSize(state_->window, &width, &height);
    return VkExtent2D{static_cast<std::uint32_t>(std::max(width, 0)),
                      static_cast<std::uint32_t>(std::max(height, 0))};
}

void Window::pollEvents() {
    glfwPollEvents();
}

void Window::waitEvents(std::chrono::nanoseconds timeout) {
    glfwWaitEventsTimeout(std::chrono::duration<double>(timeout).count());
}

std::optional<VkExtent2D> Window::takeResize() noexcept {
    if (!state_->resized) {
        return std::nullopt;
    }
    state_->resized = false;
    return state_->newest;
}

bool Window::resizePending() const noexcept {
    return state_->resized;
}

std::uint64_t Window::resizeCallbacks() const noexcept {
    return state_->callbacks;
}

void Window::requestSize(std::uint32_t width, std::uint32_t height) {
    glfwSetWindowSize(state_->window, toInt(width), toInt(height));
}

bool Window::shouldClose() const {
    return glfwWindowShouldClose(state_->window) == GLFW_TRUE;
}

void Window::requestClose() {
    glfwSetWindowShouldClose(state_->window, GLFW_TRUE);
}

GLFWwindow* Window::handle() const noexcept {
    return state_ != nullptr ? state_->window : nullptr;
}

}  // namespace vixen::gpu
