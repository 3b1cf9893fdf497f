#pragma once

#include <vulkan/vulkan.h>

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <type_traits>
#include <utility>
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
    /// The staging buffer's memory (see StagingPoolOptions::memory).
    MemoryUsage stagingMemory = MemoryUsage::Upload;
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

/// A staged write (Uploader::stage): the producer writes `bytes`, which lie in the mapped
/// staging memory, and the copy to the destination is already recorded.
struct StagedWrite {
    /// Exactly the size asked for, starting on 16 bytes. Write-only in spirit: staging may
    /// be write-combined memory, where reads are slow.
    std::span<std::byte> bytes;
    /// The timeline value of the batch that copies it: once `flush` has returned a value at
    /// least this large, `wait(batch)` means the bytes have landed.
    std::uint64_t batch = 0;
};

/// What `stageChunks` calls for each chunk: `fill(chunk, chunkOffset)` writes the bytes
/// `[chunkOffset, chunkOffset + chunk.size())` of the write into `chunk`. It returns void,
/// or Result<void> to stop the write with an error.
template <class Fill>
concept StagedFill = std::invocable<Fill&, std::span<std::byte>, VkDeviceSize> &&
    (std::is_void_v<std::invoke_result_t<Fill&, std::span<std::byte>, VkDeviceSize>> ||
     std::same_as<std::invoke_result_t<Fill&, std::span<std::byte>, VkDeviceSize>, Result<void>>);

struct UploaderStats {
    std::uint64_t uploads = 0;  ///< upload / uploadImage / stage / stageChunks calls that succeeded
    std::uint64_t stagedWrites = 0;  ///< of which stage / stageChunks calls (no host copy)
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
/// Zero-copy writes: `stage` and `stageChunks` hand the producer the staging memory itself,
/// so the bytes are written once (into staging) instead of into the producer's memory and
/// then copied; the copies are recorded and batched like an upload's.
///
/// Large uploads are split into chunks as staging space allows; when the pool is full the
/// open batch is submitted and the upload waits for the oldest batch (counted). A batch is
/// also submitted by itself at `flushThreshold` staged bytes. Everything (staging buffer,
/// command pool and buffers, region scratch) is made at creation: upload, uploadImage,
/// stage, stageChunks and flush never allocate. Not thread-safe. The device and the
/// allocator must outlive it.
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

    /// Zero-copy write of `size` bytes to `dst` at `dstOffset` (a buffer with TRANSFER_DST
    /// usage): returns a span of exactly `size` bytes of staging memory and records the copy
    /// from it into the open batch at once. Write every byte of the span before the next
    /// call on this uploader (any call may submit the batch, and the GPU reads what the
    /// span holds at submission); the span may be split among threads, which must be done
    /// by then. The same waits as `upload` when the pool is full; a batch that reached
    /// `flushThreshold` is submitted by the next call. Errors: InvalidArgument for a zero
    /// size, a null buffer, or a size above the staging pool's capacity (use stageChunks);
    /// InvalidState on a moved-from uploader; a timed-out wait or a failed Vulkan call, as
    /// for `upload`.
    [[nodiscard]] Result<StagedWrite> stage(VkBuffer dst, VkDeviceSize dstOffset,
                                            VkDeviceSize size);
    /// As above, and the range must lie inside `dst` (InvalidArgument naming both).
    [[nodiscard]] Result<StagedWrite> stage(const Buffer& dst, VkDeviceSize dstOffset,
                                            VkDeviceSize size);

    /// Zero-copy write of any size: `size` bytes to `dst` at `dstOffset`, produced chunk by
    /// chunk straight into staging. For each chunk, in order, `fill(chunk, chunkOffset)`
    /// writes the write's bytes [chunkOffset, chunkOffset + chunk.size()) into `chunk`; then
    /// its copy is recorded. Chunks are as large as staging space allows (at least a quarter
    /// of the pool, or what is left), always a multiple of `granularity` bytes (a row, an
    /// element: a multiple of it never straddles two chunks), and start on 16 bytes. Full
    /// batches are submitted in between, so the GPU copies one chunk while `fill` writes the
    /// next. `fill` must not call the uploader; it may split its chunk among threads and
    /// join them before it returns. When `fill` returns an error the write stops there: the
    /// chunks before are copied, that chunk is not, and the error comes back with its code,
    /// saying how far the write got. Errors otherwise: InvalidArgument for a zero size, a
    /// null buffer, a zero granularity or one above the pool's capacity, a size that is not
    /// a multiple of the granularity; those of `upload`.
    template <StagedFill Fill>
    [[nodiscard]] Result<void> stageChunks(VkBuffer dst, VkDeviceSize dstOffset, VkDeviceSize size,
                                           Fill&& fill, VkDeviceSize granularity = 1);
    /// As above, and the range must lie inside `dst` (InvalidArgument naming both).
    template <StagedFill Fill>
    [[nodiscard]] Result<void> stageChunks(const Buffer& dst, VkDeviceSize dstOffset,
                                           VkDeviceSize size, Fill&& fill,
                                           VkDeviceSize granularity = 1);

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
    /// Staging offsets of buffer copies start on 16 bytes, so the host copies stay aligned.
    static constexpr VkDeviceSize kBufferCopyAlignment = 16;
    /// An upload larger than this share of the pool may be split even when the pool has
    /// room for a smaller piece only; smaller ones are staged whole.
    static constexpr VkDeviceSize kMinChunkDivisor = 4;

    void destroy() noexcept;

    /// Opens a batch if none is open: waits for its command buffer, begins it.
    [[nodiscard]] Result<void> openBatch();
    /// Staging for the next chunk: at least `minSize` bytes, at most `maxSize` and what
    /// the open batch may take before flushThreshold; submits a batch that reached the
    /// threshold first, submits and waits as needed, and opens a batch.
    [[nodiscard]] Result<StagingRange> acquireStaging(VkDeviceSize minSize, VkDeviceSize maxSize,
                                                      VkDeviceSize alignment);
    /// Submits the open batch once it has staged flushThreshold bytes.
    [[nodiscard]] Result<void> flushAtThreshold();
    /// `dst`'s handle when [offset, offset + size) lies inside it; `what` names the call.
    [[nodiscard]] static Result<VkBuffer> checkedRange(const Buffer& dst, VkDeviceSize offset,
                                                       VkDeviceSize size, const char* what);
    /// The argument checks stage and stageChunks share.
    [[nodiscard]] Result<void> checkStaged(VkBuffer dst, VkDeviceSize dstOffset,
                                           VkDeviceSize size) const;
    /// stageChunks' argument checks.
    [[nodiscard]] Result<void> checkChunks(VkBuffer dst, VkDeviceSize dstOffset, VkDeviceSize size,
                                           VkDeviceSize granularity) const;
    /// Staging for stageChunks' next chunk, a multiple of `granularity` bytes.
    [[nodiscard]] Result<StagingRange> beginChunk(VkDeviceSize remaining, VkDeviceSize granularity);
    /// Records the copy of a filled chunk; submits the batch at flushThreshold.
    [[nodiscard]] Result<void> endChunk(VkBuffer dst, VkDeviceSize dstOffset,
                                        const StagingRange& chunk);
    /// Gives back a chunk `fill` failed on; returns its error, saying how far the write got.
    [[nodiscard]] Error dropChunk(const StagingRange& chunk, VkDeviceSize chunkOffset,
                                  VkDeviceSize size, Error error);
    /// Counts a staged write that succeeded.
    void countStaged(VkDeviceSize size) noexcept;
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

template <StagedFill Fill>
Result<void> Uploader::stageChunks(VkBuffer dst, VkDeviceSize dstOffset, VkDeviceSize size,
                                   Fill&& fill, VkDeviceSize granularity) {
    if (auto checked = checkChunks(dst, dstOffset, size, granularity); !checked) {
        return checked;
    }
    VkDeviceSize done = 0;
    while (done < size) {
        auto chunk = beginChunk(size - done, granularity);
        if (!chunk) {
            return std::unexpected(std::move(chunk.error()));
        }
        using Returned = std::invoke_result_t<Fill&, std::span<std::byte>, VkDeviceSize>;
        if constexpr (std::is_void_v<Returned>) {
            std::invoke(fill, chunk->bytes, done);
        } else {
            Result<void> filled = std::invoke(fill, chunk->bytes, done);
            if (!filled) {
                return std::unexpected(dropChunk(*chunk, done, size, std::move(filled.error())));
            }
        }
        if (auto ended = endChunk(dst, dstOffset + done, *chunk); !ended) {
            return ended;
        }
        done += chunk->bytes.size();
    }
    countStaged(size);
    return {};
}

template <StagedFill Fill>
Result<void> Uploader::stageChunks(const Buffer& dst, VkDeviceSize dstOffset, VkDeviceSize size,
                                   Fill&& fill, VkDeviceSize granularity) {
    auto handle = checkedRange(dst, dstOffset, size, "staged write");
    if (!handle) {
        return std::unexpected(std::move(handle.error()));
    }
    return stageChunks(*handle, dstOffset, size, std::forward<Fill>(fill), granularity);
}

}  // namespace vixen::gpu
