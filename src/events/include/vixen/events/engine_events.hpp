#pragma once

#include <cstdint>

#include "vixen/events/event.hpp"

// The engine's own events. Resizing is the composite case: one WindowResized stands for
// the swapchain, framebuffer and render-pass invalidations it implies, so a node that
// listens to several of them is invalidated once.
namespace vixen::events {

struct SwapchainInvalidated {
    static constexpr EventCategory kCategory = category::kSwapchain;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
};

struct FramebufferInvalidated {
    static constexpr EventCategory kCategory = category::kFramebuffer;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
};

struct RenderPassInvalidated {
    static constexpr EventCategory kCategory = category::kRenderPass;
};

struct WindowResized {
    static constexpr EventCategory kCategory = category::kWindow;
    using Implies = EventList<SwapchainInvalidated, FramebufferInvalidated, RenderPassInvalidated>;

    std::uint32_t width = 0;
    std::uint32_t height = 0;

    explicit operator SwapchainInvalidated() const { return {width, height}; }
    explicit operator FramebufferInvalidated() const { return {width, height}; }
    explicit operator RenderPassInvalidated() const { return {}; }
};

/// A shader's source (its file or a file it includes) changed on disk; `shader` is
/// nodes::ShaderLibrary::idOf(its name). Nodes built from that shader recompile.
struct ShaderChanged {
    static constexpr EventCategory kCategory = category::kShader;
    std::uint64_t shader = 0;
};

}  // namespace vixen::events
