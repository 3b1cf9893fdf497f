#include "vixen/gpu/deferred_destroyer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>

#include "vixen/gpu/device.hpp"

namespace vixen::gpu {
namespace {

template <class Handle>
Handle fromRaw(std::uint64_t raw) noexcept {
    if constexpr (std::is_pointer_v<Handle>) {
        return reinterpret_cast<Handle>(static_cast<std::uintptr_t>(raw));
    } else {
        return static_cast<Handle>(raw);
    }
}

}  // namespace

std::string_view toString(VulkanObjectKind kind) noexcept {
    switch (kind) {
        case VulkanObjectKind::Buffer:
            return "buffer";
        case VulkanObjectKind::Image:
            return "image";
        case VulkanObjectKind::ImageView:
            return "image view";
        case VulkanObjectKind::Sampler:
            return "sampler";
        case VulkanObjectKind::Pipeline:
            return "pipeline";
        case VulkanObjectKind::PipelineLayout:
            return "pipeline layout";
        case VulkanObjectKind::DescriptorPool:
            return "descriptor pool";
        case VulkanObjectKind::DescriptorSetLayout:
            return "descriptor set layout";
        case VulkanObjectKind::Framebuffer:
            return "framebuffer";
        case VulkanObjectKind::RenderPass:
            return "render pass";
        case VulkanObjectKind::CommandPool:
            return "command pool";
        case VulkanObjectKind::Semaphore:
            return "semaphore";
        case VulkanObjectKind::Fence:
            return "fence";
        case VulkanObjectKind::DeviceMemory:
            return "device memory";
        case VulkanObjectKind::QueryPool:
            return "query pool";
        case VulkanObjectKind::ShaderModule:
            return "shader module";
        case VulkanObjectKind::OwningObject:
            return "owning object";
    }
    return "unknown object";
}

DeferredDestroyer::DeferredDestroyer(const Device& device, std::size_t capacity)
    : device_(device.handle()), entries_(capacity) {}

DeferredDestroyer::DeferredDestroyer(DeferredDestroyer&& other) noexcept
    : device_(std::exchange(other.device_, VK_NULL_HANDLE)),
      entries_(std::move(other.entries_)),
      head_(std::exchange(other.head_, 0)),
      count_(std::exchange(other.count_, 0)),
      peakPending_(other.peakPending_),
      destroyed_(other.destroyed_),
      refusals_(other.refusals_) {
    other.entries_.clear();
}

DeferredDestroyer& DeferredDestroyer::operator=(DeferredDestroyer&& other) noexcept {
    if (this != &other) {
        flush();
        device_ = std::exchange(other.device_, VK_NULL_HANDLE);
        entries_ = std::move(other.entries_);
        other.entries_.clear();
        head_ = std::exchange(other.head_, 0);
        count_ = std::exchange(other.count_, 0);
        peakPending_ = other.peakPending_;
        destroyed_ = other.destroyed_;
        refusals_ = other.refusals_;
    }
    return *this;
}

DeferredDestroyer::~DeferredDestroyer() {
    flush();
}

std::size_t DeferredDestroyer::slot(std::size_t index) const noexcept {
    return (head_ + index) % entries_.size();
}

Result<void> DeferredDestroyer::enqueue(VulkanObjectKind kind, std::uint64_t handle,
                                        std::uint64_t retireValue) {
    if (handle == 0) {
        return {};
    }
    if (count_ == entries_.size()) {
        return refuse(kind, handle, retireValue);
    }
    push(Entry{handle, retireValue, kind, nullptr});
    return {};
}

Result<void> DeferredDestroyer::refuse(VulkanObjectKind kind, std::uint64_t handle,
                                       std::uint64_t retireValue) {
    ++refusals_;
    const std::string what = handle == 0 ? fmt::format("the {}", toString(kind))
                                         : fmt::format("the {} 0x{:x}", toString(kind), handle);
    return fail(ErrorCode::CapacityExceeded,
                "deferred destruction ring is full ({} of {} entries pending): {} (retire value "
                "{}) was not queued and the caller still owns it; collect() more often or raise "
                "the capacity",
                count_, entries_.size(), what, retireValue);
}

void DeferredDestroyer::push(Entry entry) noexcept {
    entries_[slot(count_)] = std::move(entry);
    ++count_;
    peakPending_ = std::max(peakPending_, count_);
}

void DeferredDestroyer::reserve(std::size_t capacity) {
    if (capacity <= entries_.size()) {
        return;
    }
    std::vector<Entry> grown(capacity);
    for (std::size_t i = 0; i < count_; ++i) {
        grown[i] = std::move(entries_[slot(i)]);
    }
    entries_ = std::move(grown);
    head_ = 0;
}

std::size_t DeferredDestroyer::collect(std::uint64_t completedValue) noexcept {
    std::size_t kept = 0;
    std::size_t destroyedNow = 0;
    for (std::size_t i = 0; i < count_; ++i) {
        Entry& entry = entries_[slot(i)];
        if (entry.retireValue <= completedValue) {
            destroy(entry);
            ++destroyedNow;
        } else {
            if (kept != i) {
                entries_[slot(kept)] = std::move(entry);
            }
            ++kept;
        }
    }
    count_ = kept;
    if (count_ == 0) {
        head_ = 0;
    }
    destroyed_ += destroyedNow;
    return destroyedNow;
}

std::size_t DeferredDestroyer::flush() noexcept {
    const std::size_t destroyedNow = count_;
    for (std::size_t i = 0; i < count_; ++i) {
        destroy(entries_[slot(i)]);
    }
    count_ = 0;
    head_ = 0;
    destroyed_ += destroyedNow;
    return destroyedNow;
}

DeferredDestroyerStats DeferredDestroyer::stats() const noexcept {
    return DeferredDestroyerStats{count_, peakPending_, destroyed_, refusals_};
}

void DeferredDestroyer::destroy(Entry& entry) const noexcept {
    const std::uint64_t raw = entry.handle;
    switch (entry.kind) {
        case VulkanObjectKind::OwningObject:
            entry.object.reset();
            break;
        case VulkanObjectKind::Buffer:
            vkDestroyBuffer(device_, fromRaw<VkBuffer>(raw), nullptr);
            break;
        case VulkanObjectKind::Image:
            vkDestroyImage(device_, fromRaw<VkImage>(raw), nullptr);
            break;
        case VulkanObjectKind::ImageView:
            vkDestroyImageView(device_, fromRaw<VkImageView>(raw), nullptr);
            break;
        case VulkanObjectKind::Sampler:
            vkDestroySampler(device_, fromRaw<VkSampler>(raw), nullptr);
            break;
        case VulkanObjectKind::Pipeline:
            vkDestroyPipeline(device_, fromRaw<VkPipeline>(raw), nullptr);
            break;
        case VulkanObjectKind::PipelineLayout:
            vkDestroyPipelineLayout(device_, fromRaw<VkPipelineLayout>(raw), nullptr);
            break;
        case VulkanObjectKind::DescriptorPool:
            vkDestroyDescriptorPool(device_, fromRaw<VkDescriptorPool>(raw), nullptr);
            break;
        case VulkanObjectKind::DescriptorSetLayout:
            vkDestroyDescriptorSetLayout(device_, fromRaw<VkDescriptorSetLayout>(raw), nullptr);
            break;
        case VulkanObjectKind::Framebuffer:
            vkDestroyFramebuffer(device_, fromRaw<VkFramebuffer>(raw), nullptr);
            break;
        case VulkanObjectKind::RenderPass:
            vkDestroyRenderPass(device_, fromRaw<VkRenderPass>(raw), nullptr);
            break;
        case VulkanObjectKind::CommandPool:
            vkDestroyCommandPool(device_, fromRaw<VkCommandPool>(raw), nullptr);
            break;
        case VulkanObjectKind::Semaphore:
            vkDestroySemaphore(device_, fromRaw<VkSemaphore>(raw), nullptr);
            break;
        case VulkanObjectKind::Fence:
            vkDestroyFence(device_, fromRaw<VkFence>(raw), nullptr);
            break;
        case VulkanObjectKind::DeviceMemory:
            vkFreeMemory(device_, fromRaw<VkDeviceMemory>(raw), nullptr);
            break;
        case VulkanObjectKind::QueryPool:
            vkDestroyQueryPool(device_, fromRaw<VkQueryPool>(raw), nullptr);
            break;
        case VulkanObjectKind::ShaderModule:
            vkDestroyShaderModule(device_, fromRaw<VkShaderModule>(raw), nullptr);
            break;
    }
}

}  // namespace vixen::gpu
