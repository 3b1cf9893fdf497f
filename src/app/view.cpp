#include "view.hpp"

#include <GLFW/glfw3.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <numbers>
#include <vector>

#include "gpu_context.hpp"
#include "vixen/events/engine_events.hpp"
#include "vixen/gpu/swapchain.hpp"
#include "vixen/gpu/window.hpp"
#include "vixen/nodes/gpu_present_node.hpp"
#include "vixen/nodes/gpu_runtime.hpp"
#include "vixen/nodes/taa_node.hpp"
#include "vixen/nodes/voxel_nodes.hpp"
#include "voxel_scene.hpp"

namespace vixen::app {
namespace {

int failWith(const Error& error) {
    fmt::print(stderr, "vixen view: {}\n", error.message);
    return 1;
}

/// An orbit camera the mouse turns and zooms and the keyboard flies: a target, and the eye
/// at `distance` from it in the direction given by yaw and pitch.
class FlyCamera {
public:
    explicit FlyCamera(voxel::Int3 size, float fov) : fov_(fov) {
        target_ = {0.5F * static_cast<float>(size.x), 0.4F * static_cast<float>(size.y),
                   0.5F * static_cast<float>(size.z)};
        scale_ = static_cast<float>(std::max({size.x, size.y, size.z}));
        distance_ = 1.6F * scale_;
    }

    [[nodiscard]] voxel::Camera camera() const {
        voxel::Camera camera;
        camera.target = target_;
        camera.eye = {target_[0] + distance_ * std::cos(pitch_) * std::sin(yaw_),
                      target_[1] + distance_ * std::sin(pitch_),
                      target_[2] + distance_ * std::cos(pitch_) * std::cos(yaw_)};
        camera.verticalFovDegrees = fov_;
        return camera;
    }

    /// The scripted path: one orbit in `frames` frames.
    void orbit(std::uint64_t frame, std::uint32_t frames) {
        yaw_ = 2.0F * std::numbers::pi_v<float> * static_cast<float>(frame) /
               static_cast<float>(std::max(frames, 1U));
    }

    /// Mouse and keys of this frame; `seconds` since the last.
    void input(GLFWwindow* window, float seconds) {
        double x = 0.0;
        double y = 0.0;
        glfwGetCursorPos(window, &x, &y);
        const auto dx = static_cast<float>(x - lastX_);
        const auto dy = static_cast<float>(y - lastY_);
        lastX_ = x;
        lastY_ = y;
        if (glfwGetMouseButton(window, GLFW_MOUSE_BUTTON_LEFT) == GLFW_PRESS) {
            yaw_ -= dx * 0.005F;
            pitch_ = std::clamp(pitch_ + dy * 0.005F, -1.5F, 1.5F);
        }
        if (glfwGetMouseButton(window, GLFW_MOUSE_BUTTON_RIGHT) == GLFW_PRESS) {
            distance_ = std::clamp(distance_ * std::exp(dy * 0.005F), 1.0F, 20.0F * scale_);
        }
        const bool fast = glfwGetKey(window, GLFW_KEY_LEFT_SHIFT) == GLFW_PRESS;
        const float speed = seconds * scale_ * (fast ? 1.0F : 0.25F);
        const std::array<float, 3> forward{-std::sin(yaw_), 0.0F, -std::cos(yaw_)};
        const std::array<float, 3> right{std::cos(yaw_), 0.0F, -std::sin(yaw_)};
        const auto move = [&](const std::array<float, 3>& axis, float amount) {
            for (std::size_t i = 0; i < 3; ++i) {
                target_[i] += axis[i] * amount;
            }
        };
        const auto held = [&](int key) { return glfwGetKey(window, key) == GLFW_PRESS; };
        move(forward, (held(GLFW_KEY_W) ? speed : 0.0F) - (held(GLFW_KEY_S) ? speed : 0.0F));
        move(right, (held(GLFW_KEY_D) ? speed : 0.0F) - (held(GLFW_KEY_A) ? speed : 0.0F));
        target_[1] += (held(GLFW_KEY_E) ? speed : 0.0F) - (held(GLFW_KEY_Q) ? speed : 0.0F);
        if (held(GLFW_KEY_ESCAPE)) {
            glfwSetWindowShouldClose(window, GLFW_TRUE);
        }
    }

private:
    std::array<float, 3> target_{};
    float scale_ = 1.0F;
    float distance_ = 1.0F;
    float yaw_ = 0.6F;
    float pitch_ = 0.45F;
    float fov_ = 50.0F;
    double lastX_ = 0.0;
    double lastY_ = 0.0;
};

double median(std::vector<double> values) {
    if (values.empty()) {
        return 0.0;
    }
    std::nth_element(values.begin(),
                     values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2), values.end());
    return values[values.size() / 2];
}

}  // namespace

int runView(const ViewOptions& options) {
    auto structure = voxel::parseStructure(options.structure);
    if (!structure) {
        return failWith(Error{structure.error().code, "--structure: " + structure.error().message});
    }
    auto window = gpu::Window::create(
        gpu::WindowOptions{.width = options.width, .height = options.height, .title = "VIXEN"});
    if (!window) {
        return failWith(window.error());
    }
    auto context = GpuContext::open(options.validation, options.device, &*window);
    if (!context) {
        return failWith(context.error());
    }
    (*context)->printDevice();
    VoxelCaches caches(options.cacheDir, options.noCache);
    auto scene = caches.scene({options.scene, options.voxels, options.seed, *structure});
    if (!scene) {
        return failWith(scene.error());
    }
    fmt::print("{}", describe(*scene, options.scene));
    const gpu::Device& device = (*context)->device();
    auto swapchain =
        gpu::Swapchain::create(device, (*context)->surface(), window->framebufferSize());
    if (!swapchain) {
        return failWith(swapchain.error());
    }

    int exitCode = 0;
    {
        FlyCamera fly(scene->size, options.fov);
        graph::RenderGraph graph(
            graph::GraphOptions{.budget = nodes::graphBudgetFrom((*context)->budget(), device)});
        auto runtime = nodes::GpuRuntime::create(graph, device, (*context)->allocator());
        if (!runtime) {
            return failWith(runtime.error());
        }
        const VkExtent2D extent = window->framebufferSize();
        const nodes::GpuImageShape shape{extent.width, extent.height, true, false};
        nodes::ShaderLibrary& shaders = caches.shaders(options.shaderDir);
        const nodes::VoxelRenderer renderer = nodes::addVoxelRenderer(
            graph, **runtime, scene->words, [&fly](std::uint64_t) { return fly.camera(); }, shape,
            *structure, nodes::VoxelShading{.shadows = options.shadows}, &shaders,
            nodes::voxelPipelineNamed(options.pipeline).value_or(nodes::VoxelPipeline::Compute),
            options.taa ? voxel::haltonJitter(16) : voxel::JitterOffsets{});
        const graph::NodeId march = renderer.marchId();
        auto present = graph.addNode<nodes::GpuPresentNode>("present", **runtime, *swapchain);
        if (options.taa) {
            const auto taa = nodes::addTaa(graph, **runtime, renderer, shape);
            graph.connect(taa, nodes::TaaConfig::resolved, present, nodes::GpuPresentConfig::image);
        } else {
            renderer.connect(graph, nodes::VoxelOutput::Color, present,
                             nodes::GpuPresentConfig::image);
        }
        auto compiled = caches.compile(graph, device);
        if (!compiled) {
            return failWith(compiled.error());
        }

        std::vector<double> frameMs;
        frameMs.reserve(4096);
        std::uint64_t resizes = 0;
        std::uint64_t frame = 0;
        auto last = std::chrono::steady_clock::now();
        auto titleAt = last;
        auto polledAt = last;
        std::uint64_t titleFrames = 0;
        std::uint64_t titleGpuNs = (*runtime)->gpuNanoseconds(march);
        std::uint64_t titleTimed = (*runtime)->timedFrames();
        while (!window->shouldClose() && (options.frames == 0 || frame < options.frames)) {
            window->pollEvents();
            if (options.frames != 0 && frame == options.frames / 2) {
                window->requestSize(options.width * 3 / 4, options.height * 3 / 4);
            }
            if (const std::optional<VkExtent2D> size = window->takeResize()) {
                ++resizes;
                if (!graph.events().emit(events::WindowResized{size->width, size->height})) {
                    exitCode = failWith(Error{ErrorCode::CapacityExceeded, "event queue full"});
                    break;
                }
            }
            const auto now = std::chrono::steady_clock::now();
            const float seconds = std::chrono::duration<float>(now - last).count();
            last = now;
            // Edited shader files: their nodes recompile in this frame's batch.
            if (shaders.fromDirectory() && now - polledAt > std::chrono::milliseconds(250)) {
                polledAt = now;
                if (const std::size_t changed = shaders.poll(graph.events()); changed > 0) {
                    fmt::print("{} shader(s) changed on disk: recompiling what uses them\n",
                               changed);
                }
            }
            if (options.frames != 0) {
                fly.orbit(frame, options.frames);
            } else {
                fly.input(window->handle(), seconds);
            }
            if (Result<void> ran = (*runtime)->frame(); !ran) {
                exitCode = failWith(ran.error());
                break;
            }
            frameMs.push_back(static_cast<double>(seconds) * 1e3);
            ++frame;
            ++titleFrames;
            if (now - titleAt > std::chrono::milliseconds(500)) {
                // Frame time on the CPU's clock, the ray march's from its timestamps.
                const std::uint64_t gpuNs = (*runtime)->gpuNanoseconds(march) - titleGpuNs;
                const std::uint64_t timed = (*runtime)->timedFrames() - titleTimed;
                const double gpuMs =
                    timed == 0 ? 0.0
                               : static_cast<double>(gpuNs) / static_cast<double>(timed) / 1e6;
                const VkExtent2D size = window->framebufferSize();
                const double rays = gpuMs > 0.0 ? static_cast<double>(size.width) * size.height /
                                                      (gpuMs * 1e-3) / 1e9
                                                : 0.0;
                std::array<char, 160> title{};
                fmt::format_to_n(
                    title.data(), title.size() - 1,
                    "VIXEN {} {} {}  {:.2f} ms/frame  ray march {:.3f} ms  {:.2f} G rays/s",
                    options.scene, voxel::structureName(*structure), options.pipeline,
                    std::chrono::duration<double, std::milli>(now - titleAt).count() /
                        static_cast<double>(titleFrames),
                    gpuMs, rays);
                glfwSetWindowTitle(window->handle(), title.data());
                titleAt = now;
                titleFrames = 0;
                titleGpuNs = (*runtime)->gpuNanoseconds(march);
                titleTimed = (*runtime)->timedFrames();
            }
        }
        if (Result<void> idle = (*runtime)->waitIdle(); !idle && exitCode == 0) {
            exitCode = failWith(idle.error());
        }
        if (exitCode == 0) {
            const auto& presenter =
                static_cast<const nodes::GpuPresentNode&>(graph.node(present.id));
            const double gpuMs = (*runtime)->timedFrames() == 0
                                     ? 0.0
                                     : static_cast<double>((*runtime)->gpuNanoseconds(march)) /
                                           static_cast<double>((*runtime)->timedFrames()) / 1e6;
            fmt::print(
                "frames: {}, median {:.3f} ms (CPU clock); ray march {:.3f} ms mean (GPU "
                "timestamps); {} resize(s), {} swapchain recreation(s), {} frame(s) not shown\n",
                frame, median(frameMs), gpuMs, resizes, presenter.recreations(),
                presenter.skippedFrames());
            fmt::print("{}", describeStartup(*scene, caches.pipelineState(), *compiled,
                                             frameMs.empty() ? 0.0 : frameMs.front() * 1e-3));
        }
        graph.cleanup();
    }
    return (*context)->exitCodeAfterValidation("vixen view", exitCode);
}

}  // namespace vixen::app
