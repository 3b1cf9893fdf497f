// The GPU runtime's memory: staging and the per-frame rings sized at compile, transient
// memory, and the resources of slots (created, released, kept across recompiles).
#include <algorithm>
#include <utility>

#include "vixen/core/align.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/format.hpp"
#include "vixen/nodes/gpu_runtime.hpp"

namespace vixen::nodes {

graph::ResourceEstimate GpuRuntime::setUpEstimate() const {
    graph::ResourceEstimate total;
    for (std::uint32_t id = 0; id < graph_->nodeCapacity(); ++id) {
        if (graph_->contains(graph::NodeId{id})) {
            total += graph_->estimate(graph::NodeId{id});
        }
    }
    return total;
}

Result<void> GpuRuntime::ensureUploader(const graph::ResourceEstimate& total) {
    const VkDeviceSize wanted = total.stagingBytes;
    if (wanted == 0 || (uploader_ && uploader_->staging().capacity() >= wanted)) {
        return {};
    }
    if (uploader_) {
        if (Result<void> done = uploader_->finish(); !done) {
            return done;
        }
        uploader_.reset();
    }
    // Twice the estimate (rounded to 64 KiB): two batches, so the host fills one while the
    // GPU copies the other.
    constexpr VkDeviceSize kGranule = VkDeviceSize{64} << 10;
    const VkDeviceSize bytes = core::alignUp(2 * wanted, kGranule);
    auto uploader = gpu::Uploader::create(*device_, *allocator_,
                                          gpu::UploaderOptions{.stagingBytes = bytes,
                                                               .batchesInFlight = 2,
                                                               .flushThreshold = 0,
                                                               .maxRegionsPerCopy = 64,
                                                               .timeout = options_.frameTimeout});
    if (!uploader) {
        return fail(uploader.error().code, "GPU runtime: staging for {} estimated bytes: {}",
                    wanted, uploader.error().message);
    }
    uploader_.emplace(std::move(*uploader));
    return {};
}

Result<void> GpuRuntime::ensureRings(const graph::ResourceEstimate& total) {
    const auto ensure = [&](std::optional<gpu::StreamRing>& ring, std::uint64_t bytesPerFrame,
                            gpu::RingDirection direction, std::string_view what) -> Result<void> {
        // Every frame in flight holds its ranges until the GPU is done with it; 4 KiB a frame
        // covers alignment, and 64 KiB granules keep small changes from rebuilding it.
        constexpr VkDeviceSize kSlack = VkDeviceSize{4} << 10;
        constexpr VkDeviceSize kGranule = VkDeviceSize{64} << 10;
        const VkDeviceSize wanted =
            bytesPerFrame == 0
                ? 0
                : core::alignUp(pacer_.framesInFlight() * (bytesPerFrame + kSlack), kGranule);
        if (wanted == 0 || (ring && ring->stats().capacity >= wanted)) {
            return {};
        }
        if (ring && framesInFlight()) {
            // Nodes hold ranges of the old ring, which frames in flight fill: a ring grows
            // once those frames are done.
            VIXEN_TRY(pacer_.waitIdle(options_.frameTimeout));
            collectRetired();
        }
        ring.reset();
        auto created = gpu::StreamRing::create(*device_, *allocator_, pacer_.timeline(), wanted,
                                               pacer_.framesInFlight(), direction, what);
        if (!created) {
            return std::unexpected(std::move(created.error()));
        }
        ring.emplace(std::move(*created));
        return {};
    };
    VIXEN_TRY(ensure(uploads_, total.streamBytesPerFrame, gpu::RingDirection::Upload,
                     "GPU runtime upload ring"));
    VIXEN_TRY(ensure(readbacks_, total.readbackBytesPerFrame, gpu::RingDirection::Readback,
                     "GPU runtime readback ring"));
    return {};
}

std::optional<gpu::RingRange> GpuRuntime::takeFromRing(std::optional<gpu::StreamRing>& ring,
                                                       VkDeviceSize bytes,
                                                       VkDeviceSize alignment) noexcept {
    if (!ring) {
        return std::nullopt;
    }
    while (ringLock_.test_and_set(std::memory_order_acquire)) {
        ringLock_.wait(true, std::memory_order_relaxed);
    }
    std::optional<gpu::RingRange> range = ring->take(bytes, alignment, options_.frameTimeout);
    ringLock_.clear(std::memory_order_release);
    ringLock_.notify_one();
    return range;
}

Result<void> GpuRuntime::closeRings() {
    const std::uint64_t frame = pacer_.submittedFrame();
    for (std::optional<gpu::StreamRing>* ring : {&uploads_, &readbacks_}) {
        if (*ring) {
            (*ring)->endFrame(frame);
            if (std::optional<Error> error = (*ring)->takeError()) {
                return std::unexpected(std::move(*error));
            }
        }
    }
    return {};
}

// ---- transient memory ------------------------------------------------------------------

Result<gpu::MemoryAllocation> GpuRuntime::allocateTransient(
    graph::NodeId node, const VkMemoryRequirements& requirements, std::string_view what,
    bool& aliased) {
    if (!options_.aliasTransients || aliasingOff_) {
        aliased = false;
        return allocator_->allocate(requirements, 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                                    gpu::AllocationKind::Optimal, what);
    }
    return transients_.allocate(graph_->transientLifetime(node),
                                graph_->report().transientPeakBytes, requirements, what, aliased);
}

void GpuRuntime::freeTransient(const gpu::MemoryAllocation& allocation) noexcept {
    transients_.free(allocation);
}

// ---- resources of slots ------------------------------------------------------------------

Result<void> GpuRuntime::createImage(GpuImage& target, const gpu::ImageDesc& desc,
                                     std::string_view what, graph::NodeId node, bool transient) {
    if (Result<void> supported = gpu::checkImageSupport(*device_, desc, what); !supported) {
        return supported;
    }
    Result<gpu::Image> image = [&] {
        if (!transient) {
            return gpu::Image::create(*device_, *allocator_, desc, what);
        }
        return gpu::Image::createInMemory(
            *device_, desc, what,
            [&](const VkMemoryRequirements& requirements) {
                return allocateTransient(node, requirements, what, target.aliased);
            },
            [&](const gpu::MemoryAllocation& memory) { freeTransient(memory); });
    }();
    if (!image) {
        target.aliased = false;
        return std::unexpected(std::move(image.error()));
    }
    target.image = std::move(*image);
    target.transientMemory = transient;
    // Its memory may have served something else in a frame still in flight.
    target.state = gpu::ResourceState::discarded();
    return {};
}

Result<void> GpuRuntime::createBuffer(GpuBuffer& target, const gpu::BufferDesc& desc,
                                      std::string_view what) {
    auto buffer = gpu::Buffer::create(*device_, *allocator_, desc, what);
    if (!buffer) {
        return std::unexpected(std::move(buffer.error()));
    }
    target.buffer = std::move(*buffer);
    target.state = gpu::ResourceState::discarded();
    return {};
}

namespace {

/// A transient image on its way out: the image goes, then its memory returns to the arena
/// (which, while frames in flight still use it, places nothing new beside it).
class RetiredTransientImage {
public:
    RetiredTransientImage(gpu::Image image, TransientArena& arena) noexcept
        : image_(std::move(image)), memory_(image_.allocation()), arena_(&arena) {
        arena_->retire(memory_);
    }
    RetiredTransientImage(RetiredTransientImage&& other) noexcept
        : image_(std::move(other.image_)),
          memory_(std::exchange(other.memory_, gpu::MemoryAllocation{})),
          arena_(other.arena_) {}
    RetiredTransientImage(const RetiredTransientImage&) = delete;
    RetiredTransientImage& operator=(const RetiredTransientImage&) = delete;
    RetiredTransientImage& operator=(RetiredTransientImage&&) = delete;
    ~RetiredTransientImage() {
        image_.reset();
        if (memory_.valid()) {
            arena_->free(memory_);
        }
    }

private:
    gpu::Image image_;
    gpu::MemoryAllocation memory_;
    TransientArena* arena_;
};

}  // namespace

void GpuRuntime::release(GpuImage& target) noexcept {
    if (target.image.valid() && target.transientMemory) {
        // Placed in the arena or, past it or with aliasing off, the arena's own allocation.
        retire(RetiredTransientImage(std::move(target.image), transients_));
    } else {
        retire(std::move(target.image));
    }
    target.image = gpu::Image{};
    target.transientMemory = false;
    target.aliased = false;
    target.state = gpu::ResourceState{};
}

void GpuRuntime::release(GpuBuffer& target) noexcept {
    retire(std::move(target.buffer));
    target.buffer = gpu::Buffer{};
    target.state = gpu::ResourceState{};
}

void GpuRuntime::releaseParked() noexcept {
    for (ParkedResource& parked : parked_) {
        std::visit(
            [this](auto& resource) {
                if constexpr (!std::is_same_v<std::decay_t<decltype(resource)>, std::monostate>) {
                    release(resource);
                }
            },
            parked.resource);
    }
    parked_.clear();
}

}  // namespace vixen::nodes
