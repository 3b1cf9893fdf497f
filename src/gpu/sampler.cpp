#include "vixen/gpu/sampler.hpp"

#include <algorithm>
#include <utility>

#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {

Result<Sampler> Sampler::create(const Device& device, const SamplerDesc& desc,
                                std::string_view name) {
    const bool anisotropic = desc.maxAnisotropy > 1.0F && device.enabled().samplerAnisotropy;
    VkSamplerCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO;
    info.magFilter = desc.filter;
    info.minFilter = desc.filter;
    info.mipmapMode = desc.mipmapMode;
    info.addressModeU = desc.addressMode;
    info.addressModeV = desc.addressMode;
    info.addressModeW = desc.addressMode;
    info.anisotropyEnable = anisotropic ? VK_TRUE : VK_FALSE;
    info.maxAnisotropy =
        anisotropic ? std::min(desc.maxAnisotropy, device.physical().limits.maxSamplerAnisotropy)
                    : 1.0F;
    info.maxLod = desc.maxLod;
    info.borderColor = desc.borderColor;
    Sampler result;
    result.device_ = device.handle();
    result.desc_ = desc;
    VIXEN_TRY_VK_CREATE(vkCreateSampler(result.device_, &info, nullptr, &result.sampler_), name);
    return result;
}

Sampler::Sampler(Sampler&& other) noexcept
    : device_(other.device_),
      sampler_(std::exchange(other.sampler_, VK_NULL_HANDLE)),
      desc_(other.desc_) {}

Sampler& Sampler::operator=(Sampler&& other) noexcept {
    if (this != &other) {
        if (sampler_ != VK_NULL_HANDLE) {
            vkDestroySampler(device_, sampler_, nullptr);
        }
        device_ = other.device_;
        sampler_ = std::exchange(other.sampler_, VK_NULL_HANDLE);
        desc_ = other.desc_;
    }
    return *this;
}

Sampler::~Sampler() {
    if (sampler_ != VK_NULL_HANDLE) {
        vkDestroySampler(device_, sampler_, nullptr);
    }
}

}  // namespace vixen::gpu
