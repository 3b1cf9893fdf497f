#pragma once

#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <type_traits>
#include <vector>

#include "vixen/core/error.hpp"

namespace vixen::gpu {

class Device;

/// The Vulkan object kinds a DeferredDestroyer knows how to destroy.
enum class VulkanObjectKind : std::uint8_t {
    Buffer,
    Image,
    ImageView,
    Sampler,
    Pipeline,
    PipelineLayout,
    DescriptorPool,
    DescriptorSetLayout,
    Framebuffer,
    RenderPass,
    CommandPool,
    Semaphore,
    Fence,
    DeviceMemory,
    QueryPool,
    ShaderModule,
    /// An object whose destructor releases what it owns (DeferredDestroyer::enqueueObject).
    OwningObject,
};

[[nodiscard]] std::string_view toString(VulkanObjectKind kind) noexcept;

/// A non-dispatchable Vulkan handle as the 64-bit value the destroyer stores.
template <class Handle>
[[nodiscard]] std::uint64_t rawHandle(Handle handle) noexcept {
    if constexpr (std::is_pointer_v<Handle>) {
        return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(handle));
    } else {
        return static_cast<std::uint64_t>(handle);
    }
}

struct DeferredDestroyerStats {
    std::size_t pending = 0;      ///< queued, not yet destroyed
    std::size_t peakPending = 0;  ///< most ever queued at once
    std::uint64_t destroyed = 0;  ///< destroyed in total (collect, flush, destructor)
    std::uint64_t refusals = 0;   ///< enqueues refused because the ring was full
};

/// Destroys Vulkan objects once the GPU is done with them: each object is queued with the
/// timeline value after which no submitted work uses it, and `collect(completed)` destroys
/// those whose value has been reached. Raw handles go in as they are; an object that owns
/// several (an image with its view and memory, a descriptor pool, a pipeline) goes in whole
/// and its destructor runs then. The ring is reserved up front (construction, `reserve`), so
/// enqueueing a handle and collecting never touch the heap. The device must outlive the
/// destroyer, and so must whatever a queued object's destructor reaches (its allocator).
class DeferredDestroyer {
public:
    DeferredDestroyer(const Device& device, std::size_t capacity);
    DeferredDestroyer(DeferredDestroyer&& other) noexcept;
    DeferredDestroyer& operator=(DeferredDestroyer&& other) noexcept;
    DeferredDestroyer(const DeferredDestroyer&) = delete;
    DeferredDestroyer& operator=(const DeferredDestroyer&) = delete;
    /// Flushes: destroys everything still queued (the caller must have waited for the GPU).
    ~DeferredDestroyer();

    /// Queues `handle` for destruction once the timeline reaches `retireValue`; from then on
    /// the destroyer owns it. A null handle is accepted and ignored. When the ring is full
    /// the result is CapacityExceeded, nothing is queued and the caller still owns the handle.
    [[nodiscard]] Result<void> enqueue(VulkanObjectKind kind, std::uint64_t handle,
                                       std::uint64_t retireValue);

    /// Queues `object` (an owner of GPU objects, moved in) to be destroyed once the timeline
    /// reaches `retireValue`. It moves to the heap, which allocates: retire at compile, not
    /// in a frame. When the ring is full the result is CapacityExceeded and `object` is
    /// left as it was.
    template <class T>
    requires(!std::is_lvalue_reference_v<T> && std::is_nothrow_move_constructible_v<T>)
        [[nodiscard]] Result<void> enqueueObject(T&& object, std::uint64_t retireValue) {
        if (count_ == entries_.size()) {
            return refuse(VulkanObjectKind::OwningObject, 0, retireValue);
        }
        push(Entry{0, retireValue, VulkanObjectKind::OwningObject,
                   std::make_unique<Owned<T>>(std::move(object))});
        return {};
    }

    /// Grows the ring to hold at least `capacity` entries, keeping what is queued (a setup or
    /// compile-time call: it allocates).
    void reserve(std::size_t capacity);

    /// Destroys, in queue order, every entry whose retire value is <= `completedValue`,
    /// keeping the others in order. Returns how many it destroyed.
    std::size_t collect(std::uint64_t completedValue) noexcept;

    /// Destroys everything queued (shutdown, after vkDeviceWaitIdle). Returns how many.
    std::size_t flush() noexcept;

    [[nodiscard]] std::size_t pending() const noexcept { return count_; }
    [[nodiscard]] std::size_t capacity() const noexcept { return entries_.size(); }
    [[nodiscard]] DeferredDestroyerStats stats() const noexcept;

private:
    struct OwnedBase {
        virtual ~OwnedBase() = default;
    };
    template <class T>
    struct Owned final : OwnedBase {
        explicit Owned(T&& value) noexcept : object(std::move(value)) {}
        T object;
    };
    struct Entry {
        std::uint64_t handle = 0;
        std::uint64_t retireValue = 0;
        VulkanObjectKind kind = VulkanObjectKind::Buffer;
        std::unique_ptr<OwnedBase> object;  ///< for OwningObject
    };

    [[nodiscard]] Result<void> refuse(VulkanObjectKind kind, std::uint64_t handle,
                                      std::uint64_t retireValue);
    void push(Entry entry) noexcept;
    void destroy(Entry& entry) const noexcept;
    [[nodiscard]] std::size_t slot(std::size_t index) const noexcept;

    VkDevice device_ = VK_NULL_HANDLE;
    std::vector<Entry> entries_;
    std::size_t head_ = 0;
    std::size_t count_ = 0;
    std::size_t peakPending_ = 0;
    std::uint64_t destroyed_ = 0;
    std::uint64_t refusals_ = 0;
};

}  // namespace vixen::gpu
