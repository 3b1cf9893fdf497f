#pragma once

#include <vulkan/vulkan.h>

#include <string_view>

#include "vixen/core/error.hpp"
#include "vixen/gpu/creation_gate.hpp"

namespace vixen::gpu {

/// "VK_ERROR_OUT_OF_DEVICE_MEMORY" for a result code.
[[nodiscard]] std::string_view toString(VkResult result) noexcept;

/// An Error for a failed Vulkan call, naming the call and what it was for; out-of-memory
/// becomes OverBudget and device loss DeviceLost so callers can branch on them.
[[nodiscard]] Error vulkanError(VkResult result, std::string_view call, std::string_view what);

/// `VIXEN_TRY_VK(vkCreateFoo(...), "what it was for")` inside a function returning Result.
#define VIXEN_TRY_VK(call, what)                                                            \
    do {                                                                                    \
        if (const VkResult vixenResult_ = (call); vixenResult_ != VK_SUCCESS) {             \
            return std::unexpected(::vixen::gpu::vulkanError(vixenResult_, #call, (what))); \
        }                                                                                   \
    } while (false)

/// `VIXEN_TRY_VK_CREATE(vkCreateFoo(...), "what")` for every call that creates a Vulkan
/// object or allocates memory: it passes the CreationGate first, which counts it and may
/// fail it (fault injection) before Vulkan is called.
#define VIXEN_TRY_VK_CREATE(call, what)                                                     \
    do {                                                                                    \
        VkResult vixenResult_ = ::vixen::gpu::CreationGate::pass();                         \
        if (vixenResult_ == VK_SUCCESS) {                                                   \
            vixenResult_ = (call);                                                          \
        }                                                                                   \
        if (vixenResult_ != VK_SUCCESS) {                                                   \
            return std::unexpected(::vixen::gpu::vulkanError(vixenResult_, #call, (what))); \
        }                                                                                   \
    } while (false)

}  // namespace vixen::gpu
