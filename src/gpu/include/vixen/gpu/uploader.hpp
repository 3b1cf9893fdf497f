#pragma once

#include <vulkan/vulkan.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/gpu/staging_pool.hpp"
#include "vixen/gpu/timeline.hpp"

namespace vixen::gpu {

class Buffer;
class Device;
class DeviceMemoryAllocator;

struct UploaderOptions {
    /// Bytes of the staging pool, taken at creation.
    VkDeviceSize stagingBytes = VkDeviceSize{16} << 20;
    /// Batches submitted and not yet finished at most; one command buffer each.
    std::uint32_t batchesInFlight = 3;
    /// The open batch is submitted by itself once it has staged this many bytes, so the GPU
    /// copies one batch while the host fills the next; 0 = stagingBytes / batchesInFlight.
    VkDeviceSize flushThreshold = 0;
    /// Copies to one destination buffer gathered into one vkCmdCopyBuffer at most.
    std::uint32_t maxRegionsPerCopy = 64;
    /// How long any one wait (for a command buffer or for staging space) may block.
    std::chrono::nanoseconds timeout = std::chrono::seconds{10};
};

/// Where an image upload goes: mip 0, layer 0 of a 2D image, rows tightly packed.
struct ImageUpload {
    VkImage image = VK_NULL_HANDLE;
    VkImageAspectFlags aspect = VK_IMAGE_ASPECT_COLOR_BIT;
    VkExtent2D extent{};
    std::uint32_t texelBytes = 0;  ///< bytes of one texel of the image's format
    /// The layout the image is in now; UNDEFINED discards its contents.
    VkImageLayout oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    /// The layout the image is left in for the work after the upload.
    VkImageLayout newLayout = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
};

struct UploaderStats {
    std::uint64_t uploads = 0;  ///< upload / uploadImage calls that succeeded
    std::uint64_t bytesUploaded = 0;
    std::uint64_t chunks = 0;        ///< staging ranges the uploads were split into
    std::uint64_t copyCommands = 0;  ///< vkCmdCopyBuffer / vkCmdCopyBufferToImage recorded
    std::uint64_t submits = 0;       ///< vkQueueSubmit2 calls (one per batch)
    std::uint64_t autoFlushes = 0;   ///< submits made by upload itself (threshold, full pool)
    std::uint64_t slotWaits = 0;     ///< times a batch waited for its command buffer
    StagingPoolStats staging;        ///< waits there = times uploads waited for staging space
};

/// Batched uploads from host memory to buffers and images through a StagingPool. An upload
/// copies the bytes into staging at once (the caller's span may be reused on return) and
/// records the copy into the open batch, one command buffer; `flush` submits the batch with
/// one vkQueueSubmit2 on the device's queue, signalling the uploader's timeline semaphore
/// with the batch's value (1, 2, 3, ...). Batches finish in order, so waiting for a value
/// means every upload before it has landed.
///
/// Visibility: every batch starts with a barrier after all earlier work on the queue (so an
/// upload may overwrite what earlier work used) and ends with a release barrier making the
/// copies visible to all later commands on the same queue, so work submitted to the
/// device's queue after `flush` needs no further synchronisation. Work on another queue (or
/// the host) waits for the returned timeline value first. Copies inside one batch are not
/// ordered among themselves: two uploads to the same bytes need a `flush` between them.
///
/// Large uploads are split into chunks as staging space allows; when the pool is full the
/// open batch is submitted and the upload waits for the oldest batch (counted). A batch is
/// also submitted by itself at `flushThreshold` staged bytes. Everything (staging buffer,
/// command pool and buffers, region scratch) is made at creation: upload, uploadImage and
/// flush never allocate. Not thread-safe. The device and the allocator must outlive it.
class Uploader {
public:
    /// Errors: InvalidArgument for a zero staging size, batch count or region count, or a
    /// flush threshold above the staging size; the pool's, the timeline's and Vulkan's
    /// errors otherwise, with nothing left behind.
    static Result<Uploader> create(const Device& device, DeviceMemoryAllocator& allocator,
                                   const UploaderOptions& options = {});

    Uploader(Uploader&& other) noexcept;
    Uploader& operator=(Uploader&& other) noexcept;
    Uploader(const Uploader&) = delete;
    Uploader& operator=(const Uploader&) = delete;
    /// Waits for every submitted batch, then destroys everything. An open batch that was
    /// never flushed is dropped: its uploads do not happen.
    ~Uploader();

    /// Copies `data` to `dst` at `dstOffset` (a buffer with TRANSFER_DST usage). Errors:
    /// InvalidArgument for empty data or a null buffer, InvalidState on a moved-from
    /// uploader; a wait that timed out, or a failed Vulkan call, after which the open batch
    /// is dropped with its uploads (chunks of a large upload submitted before may have
    /// landed).
    [[nodiscard]] Result<void> upload(VkBuffer dst, VkDeviceSize dstOffset,
                                      std::span<const std::byte> data);
    /// As above, and the range must lie inside `dst` (InvalidArgument naming both).
    [[nodiscard]] Result<void> upload(const Buffer& dst, VkDeviceSize dstOffset,
                                      std::span<const std::byte> data);
    /// Copies `texels` (extent.height rows of extent.width * texelBytes bytes) into the
    /// image, moving it from oldLayout to TRANSFER_DST_OPTIMAL and then to newLayout. A
    /// large image is split by rows; one row must fit in the staging pool. Errors:
    /// InvalidArgument for a null image, a zero extent or texel size, a texel count that
    /// does not match the extent, a row larger than the pool.
    [[nodiscard]] Result<void> uploadImage(const ImageUpload& target,
                                           std::span<const std::byte> texels);

    /// Submits the open batch, if any. Returns the timeline value after which every upload
    /// made so far is done (0 when nothing was ever submitted).
    [[nodiscard]] Result<std::uint64_t> flush();
    /// Blocks until the timeline reaches `value` (InvalidState on timeout).
    [[nodiscard]] Result<void> wait(
        std::uint64_t value, std::chrono::nanoseconds timeout = std::chrono::nanoseconds::max());
    /// Flushes, then waits for everything submitted.
    [[nodiscard]] Result<void> finish(
        std::chrono::nanoseconds timeout = std::chrono::nanoseconds::max());
    /// The value of the last batch the GPU finished.
    [[nodiscard]] Result<std::uint64_t> completedValue() const;
    /// The value of the last batch submitted (0 before the first).
    [[nodiscard]] std::uint64_t submittedValue() const noexcept { return submitted_; }
    /// Whether a batch holds uploads that have not been submitted.
    [[nodiscard]] bool batchOpen() const noexcept { return open_; }

    [[nodiscard]] const TimelineSemaphore& timeline() const noexcept { return timeline_; }
    [[nodiscard]] const StagingPool& staging() const noexcept { return pool_; }
    [[nodiscard]] std::uint32_t batchesInFlight() const noexcept {
        return static_cast<std::uint32_t>(commandBuffers_.size());
    }
    [[nodiscard]] VkDeviceSize flushThreshold() const noexcept { return flushThreshold_; }
    [[nodiscard]] UploaderStats stats() const noexcept;

private:
    Uploader(TimelineSemaphore timeline, StagingPool pool) noexcept;
    void destroy() noexcept;

    /// Opens a batch if none is open: waits for its command buffer, begins it.
    [[nodiscard]] Result<void> openBatch();
    /// Staging for the next chunk: at least `minSize` bytes, at most `maxSize` and what
    /// the open batch may take before flushThreshold; submits and waits as needed, and
    /// opens a batch.
    [[nodiscard]] Result<StagingRange> stage(VkDeviceSize minSize, VkDeviceSize maxSize,
                                             VkDeviceSize alignment);
    /// Adds a buffer copy to the pending run, merging it with the last one when contiguous.
    void addRegion(VkBuffer dst, VkDeviceSize srcOffset, VkDeviceSize dstOffset,
                   VkDeviceSize size) noexcept;
    /// Records the pending run of buffer copies as one vkCmdCopyBuffer.
    void emitRegions() noexcept;
    [[nodiscard]] Result<std::uint64_t> submitOpen();
    /// Ends and drops the open batch after an error; returns the error.
    [[nodiscard]] Error abandonOpen(Error error) noexcept;
    [[nodiscard]] VkCommandBuffer current() const noexcept;

    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    TimelineSemaphore timeline_;
    StagingPool pool_;
    VkCommandPool commandPool_ = VK_NULL_HANDLE;
    std::vector<VkCommandBuffer> commandBuffers_;  ///< one per batch in flight
    std::vector<VkBufferCopy> regions_;            ///< pending run, reserved at creation
    std::uint32_t regionCount_ = 0;
    VkBuffer runDst_ = VK_NULL_HANDLE;
    VkDeviceSize flushThreshold_ = 0;
    VkDeviceSize imageCopyAlignment_ = 1;  ///< optimalBufferCopyOffsetAlignment
    std::chrono::nanoseconds timeout_{};
    std::uint64_t submitted_ = 0;
    bool open_ = false;
    UploaderStats stats_{};
};

}  // namespace vixen::gpu
