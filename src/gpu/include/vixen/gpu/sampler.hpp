#pragma once

#include <vulkan/vulkan.h>

#include <string_view>

#include "vixen/core/error.hpp"

namespace vixen::gpu {

class Device;

/// What a sampler does. Equal descriptions make equal samplers, so runtimes share one
/// VkSampler per description (devices may allow only 4000 of them).
struct SamplerDesc {
    VkFilter filter = VK_FILTER_LINEAR;  ///< magnification and minification
    VkSamplerMipmapMode mipmapMode = VK_SAMPLER_MIPMAP_MODE_LINEAR;
    VkSamplerAddressMode addressMode = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;  ///< u, v and w
    float maxAnisotropy = 1.0F;  ///< above 1 turns anisotropic filtering on, where supported
    float maxLod = VK_LOD_CLAMP_NONE;
    VkBorderColor borderColor = VK_BORDER_COLOR_FLOAT_TRANSPARENT_BLACK;

    friend bool operator==(const SamplerDesc&, const SamplerDesc&) = default;
};

/// An owned VkSampler. The device must outlive it.
class Sampler {
public:
    Sampler() = default;
    /// Errors name `name`. Anisotropy above the device's limit is clamped to it, and turned
    /// off where the device lacks samplerAnisotropy.
    static Result<Sampler> create(const Device& device, const SamplerDesc& desc,
                                  std::string_view name);

    Sampler(Sampler&& other) noexcept;
    Sampler& operator=(Sampler&& other) noexcept;
    Sampler(const Sampler&) = delete;
    Sampler& operator=(const Sampler&) = delete;
    ~Sampler();

    [[nodiscard]] VkSampler handle() const noexcept { return sampler_; }
    [[nodiscard]] const SamplerDesc& desc() const noexcept { return desc_; }

private:
    VkDevice device_ = VK_NULL_HANDLE;
    VkSampler sampler_ = VK_NULL_HANDLE;
    SamplerDesc desc_;
};

}  // namespace vixen::gpu
