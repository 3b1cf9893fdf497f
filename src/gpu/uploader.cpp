#include "vixen/gpu/uploader.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <numeric>
#include <utility>

#include "vixen/gpu/buffer.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {
namespace {

void recordBarrier(VkCommandBuffer commandBuffer, const VkMemoryBarrier2* memory,
                   const VkImageMemoryBarrier2* image) noexcept {
    VkDependencyInfo dependency{};
    dependency.sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO;
    dependency.memoryBarrierCount = memory != nullptr ? 1U : 0U;
    dependency.pMemoryBarriers = memory;
    dependency.imageMemoryBarrierCount = image != nullptr ? 1U : 0U;
    dependency.pImageMemoryBarriers = image;
    vkCmdPipelineBarrier2(commandBuffer, &dependency);
}

[[nodiscard]] VkImageMemoryBarrier2 layoutBarrier(const ImageUpload& target) noexcept {
    VkImageMemoryBarrier2 barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER_2;
    barrier.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.image = target.image;
    barrier.subresourceRange = VkImageSubresourceRange{
        .aspectMask = target.aspect,
        .baseMipLevel = 0,
        .levelCount = 1,
        .baseArrayLayer = 0,
        .layerCount = 1,
    };
    return barrier;
}

}  // namespace

Uploader::Uploader(TimelineSemaphore timeline, StagingPool pool) noexcept
    : timeline_(std::move(timeline)), pool_(std::move(pool)) {}

Result<Uploader> Uploader::create(const Device& device, DeviceMemoryAllocator& allocator,
                                  const UploaderOptions& options) {
    if (options.stagingBytes == 0) {
        return fail(ErrorCode::InvalidArgument, "an uploader needs a staging pool above 0 bytes");
    }
    if (options.batchesInFlight == 0) {
        return fail(ErrorCode::InvalidArgument, "an uploader needs at least one batch in flight");
    }
    if (options.maxRegionsPerCopy == 0) {
        return fail(ErrorCode::InvalidArgument,
                    "an uploader needs at least one region per copy command");
    }
    if (options.flushThreshold > options.stagingBytes) {
        return fail(ErrorCode::InvalidArgument,
                    "uploader flush threshold of {} bytes is above its staging pool of {} bytes; "
                    "a batch can never stage that much",
                    options.flushThreshold, options.stagingBytes);
    }
    auto timeline = TimelineSemaphore::create(device, 0);
    if (!timeline) {
        return std::unexpected(std::move(timeline.error()));
    }
    auto pool =
        StagingPool::create(device, allocator,
                            StagingPoolOptions{.capacity = options.stagingBytes,
                                               .maxBatchesInFlight = options.batchesInFlight,
                                               .memory = options.stagingMemory});
    if (!pool) {
        return std::unexpected(std::move(pool.error()));
    }
    Uploader uploader(std::move(*timeline), std::move(*pool));
    uploader.device_ = device.handle();
    uploader.queue_ = device.queue();
    uploader.timeout_ = options.timeout;
    uploader.flushThreshold_ =
        options.flushThreshold != 0
            ? options.flushThreshold
            : std::max<VkDeviceSize>(1, options.stagingBytes / options.batchesInFlight);
    uploader.imageCopyAlignment_ =
        std::max<VkDeviceSize>(1, device.physical().limits.optimalBufferCopyOffsetAlignment);
    uploader.regions_.resize(options.maxRegionsPerCopy);
    uploader.commandBuffers_.resize(options.batchesInFlight, VK_NULL_HANDLE);

    VkCommandPoolCreateInfo poolInfo{};
    poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    // Each batch's buffer is reset alone (implicitly, by vkBeginCommandBuffer).
    poolInfo.flags =
        VK_COMMAND_POOL_CREATE_TRANSIENT_BIT | VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    poolInfo.queueFamilyIndex = device.queueFamily();
    VIXEN_TRY_VK_CREATE(
        vkCreateCommandPool(uploader.device_, &poolInfo, nullptr, &uploader.commandPool_),
        "creating the uploader's command pool");

    VkCommandBufferAllocateInfo allocInfo{};
    allocInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    allocInfo.commandPool = uploader.commandPool_;
    allocInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    allocInfo.commandBufferCount = options.batchesInFlight;
    VIXEN_TRY_VK_CREATE(
        vkAllocateCommandBuffers(uploader.device_, &allocInfo, uploader.commandBuffers_.data()),
        "allocating the uploader's command buffers");
    return uploader;
}

Uploader::Uploader(Uploader&& other) noexcept
    : device_(std::exchange(other.device_, VK_NULL_HANDLE)),
      queue_(std::exchange(other.queue_, VK_NULL_HANDLE)),
      timeline_(std::move(other.timeline_)),
      pool_(std::move(other.pool_)),
      commandPool_(std::exchange(other.commandPool_, VK_NULL_HANDLE)),
      commandBuffers_(std::move(other.commandBuffers_)),
      regions_(std::move(other.regions_)),
      regionCount_(std::exchange(other.regionCount_, 0U)),
      runDst_(std::exchange(other.runDst_, VK_NULL_HANDLE)),
      flushThreshold_(std::exchange(other.flushThreshold_, 0)),
      imageCopyAlignment_(std::exchange(other.imageCopyAlignment_, 1)),
      timeout_(other.timeout_),
      submitted_(std::exchange(other.submitted_, 0U)),
      open_(std::exchange(other.open_, false)),
      stats_(std::exchange(other.stats_, UploaderStats{})) {
    other.commandBuffers_.clear();
    other.regions_.clear();
}

Uploader& Uploader::operator=(Uploader&& other) noexcept {
    if (this != &other) {
        destroy();
        device_ = std::exchange(other.device_, VK_NULL_HANDLE);
        queue_ = std::exchange(other.queue_, VK_NULL_HANDLE);
        timeline_ = std::move(other.timeline_);
        pool_ = std::move(other.pool_);
        commandPool_ = std::exchange(other.commandPool_, VK_NULL_HANDLE);
        commandBuffers_ = std::move(other.commandBuffers_);
        regions_ = std::move(other.regions_);
        regionCount_ = std::exchange(other.regionCount_, 0U);
        runDst_ = std::exchange(other.runDst_, VK_NULL_HANDLE);
        flushThreshold_ = std::exchange(other.flushThreshold_, 0);
        imageCopyAlignment_ = std::exchange(other.imageCopyAlignment_, 1);
        timeout_ = other.timeout_;
        submitted_ = std::exchange(other.submitted_, 0U);
        open_ = std::exchange(other.open_, false);
        stats_ = std::exchange(other.stats_, UploaderStats{});
        other.commandBuffers_.clear();
        other.regions_.clear();
    }
    return *this;
}

Uploader::~Uploader() {
    destroy();
}

void Uploader::destroy() noexcept {
    if (device_ == VK_NULL_HANDLE) {
        return;
    }
    if (submitted_ > 0 && timeline_.handle() != VK_NULL_HANDLE) {
        // Nothing to do with a failure here (device lost): everything goes regardless.
        static_cast<void>(timeline_.wait(submitted_, std::chrono::nanoseconds::max()));
    }
    if (commandPool_ != VK_NULL_HANDLE) {
        vkDestroyCommandPool(device_, commandPool_, nullptr);  // frees the command buffers
        commandPool_ = VK_NULL_HANDLE;
    }
    commandBuffers_.clear();
    regionCount_ = 0;
    submitted_ = 0;
    open_ = false;
    device_ = VK_NULL_HANDLE;
    {
        // The staging buffer goes now that the GPU is done with it.
        const StagingPool released = std::move(pool_);
    }
}

VkCommandBuffer Uploader::current() const noexcept {
    return commandBuffers_[static_cast<std::size_t>(submitted_ % commandBuffers_.size())];
}

Result<void> Uploader::openBatch() {
    if (open_) {
        return {};
    }
    if (device_ == VK_NULL_HANDLE) {
        return fail(ErrorCode::InvalidState, "upload through a moved-from uploader");
    }
    const std::uint64_t value = submitted_ + 1;
    const std::uint64_t batches = commandBuffers_.size();
    if (value > batches) {
        // The command buffer's previous batch; every batch before it is done as well.
        const std::uint64_t previous = value - batches;
        auto completed = timeline_.currentValue();
        if (!completed) {
            return std::unexpected(std::move(completed.error()));
        }
        if (*completed < previous) {
            ++stats_.slotWaits;
            if (auto waited = timeline_.wait(previous, timeout_); !waited) {
                return std::unexpected(std::move(waited.error()));
            }
        }
        pool_.recycle(std::max(*completed, previous));
    }

    const VkCommandBuffer commandBuffer = current();
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    VIXEN_TRY_VK(vkBeginCommandBuffer(commandBuffer, &begin), "beginning an upload batch");

    // The copies may overwrite what earlier work on the queue read or wrote.
    VkMemoryBarrier2 acquire{};
    acquire.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER_2;
    acquire.srcStageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    acquire.srcAccessMask = VK_ACCESS_2_MEMORY_WRITE_BIT;
    acquire.dstStageMask = VK_PIPELINE_STAGE_2_COPY_BIT;
    acquire.dstAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT;
    recordBarrier(commandBuffer, &acquire, nullptr);

    open_ = true;
    regionCount_ = 0;
    runDst_ = VK_NULL_HANDLE;
    return {};
}

Result<void> Uploader::flushAtThreshold() {
    if (!open_ || pool_.openBytes() < flushThreshold_) {
        return {};
    }
    auto submitted = submitOpen();
    if (!submitted) {
        return std::unexpected(std::move(submitted.error()));
    }
    ++stats_.autoFlushes;
    return {};
}

Result<StagingRange> Uploader::acquireStaging(VkDeviceSize minSize, VkDeviceSize maxSize,
                                              VkDeviceSize alignment) {
    // A staged write leaves its batch open past the threshold (its bytes were not written
    // yet); it goes now, before anything else is staged.
    if (auto flushed = flushAtThreshold(); !flushed) {
        return std::unexpected(std::move(flushed.error()));
    }
    if (auto opened = openBatch(); !opened) {
        return std::unexpected(std::move(opened.error()));
    }
    for (;;) {
        // Up to what the batch may still stage before it is submitted, so the GPU copies
        // one batch while the host fills the next.
        const VkDeviceSize room = flushThreshold_ > pool_.openBytes()
                                      ? flushThreshold_ - pool_.openBytes()
                                      : VkDeviceSize{0};
        const VkDeviceSize limit = std::max(minSize, std::min(maxSize, room));
        if (auto range = pool_.tryAcquire(minSize, limit, alignment)) {
            return *range;
        }
        if (pool_.inFlightBatches() == 0) {
            // Only the open batch holds staging: submit it so its space can come back.
            auto submitted = submitOpen();
            if (!submitted) {
                return std::unexpected(std::move(submitted.error()));
            }
            ++stats_.autoFlushes;
            if (auto opened = openBatch(); !opened) {
                return std::unexpected(std::move(opened.error()));
            }
            continue;
        }
        if (auto freed = pool_.waitOldest(timeline_, timeout_); !freed) {
            return std::unexpected(abandonOpen(std::move(freed.error())));
        }
    }
}

void Uploader::addRegion(VkBuffer dst, VkDeviceSize srcOffset, VkDeviceSize dstOffset,
                         VkDeviceSize size) noexcept {
    if (dst == runDst_ && regionCount_ > 0) {
        VkBufferCopy& last = regions_[regionCount_ - 1];
        if (last.srcOffset + last.size == srcOffset && last.dstOffset + last.size == dstOffset) {
            last.size += size;
            return;
        }
    }
    if (dst != runDst_ || regionCount_ == regions_.size()) {
        emitRegions();
        runDst_ = dst;
    }
    regions_[regionCount_++] = VkBufferCopy{
        .srcOffset = srcOffset,
        .dstOffset = dstOffset,
        .size = size,
    };
}

void Uploader::emitRegions() noexcept {
    if (regionCount_ == 0) {
        return;
    }
    vkCmdCopyBuffer(current(), pool_.buffer(), runDst_, regionCount_, regions_.data());
    ++stats_.copyCommands;
    regionCount_ = 0;
}

Result<VkBuffer> Uploader::checkedRange(const Buffer& dst, VkDeviceSize offset, VkDeviceSize size,
                                        const char* what) {
    if (!dst.valid()) {
        return fail(ErrorCode::InvalidArgument, "{} of {} bytes to an empty buffer", what, size);
    }
    if (offset > dst.size() || size > dst.size() - offset) {
        return fail(ErrorCode::InvalidArgument,
                    "{} of {} bytes at offset {} runs past the end of the {}-byte buffer", what,
                    size, offset, dst.size());
    }
    return dst.handle();
}

Result<void> Uploader::upload(const Buffer& dst, VkDeviceSize dstOffset,
                              std::span<const std::byte> data) {
    auto handle = checkedRange(dst, dstOffset, data.size(), "upload");
    if (!handle) {
        return std::unexpected(std::move(handle.error()));
    }
    return upload(*handle, dstOffset, data);
}

Result<void> Uploader::upload(VkBuffer dst, VkDeviceSize dstOffset,
                              std::span<const std::byte> data) {
    if (data.empty()) {
        return fail(ErrorCode::InvalidArgument,
                    "upload of 0 bytes to offset {}: there is nothing to copy", dstOffset);
    }
    if (dst == VK_NULL_HANDLE) {
        return fail(ErrorCode::InvalidArgument,
                    "upload of {} bytes to a null buffer (VK_NULL_HANDLE)", data.size());
    }
    const VkDeviceSize minChunk = std::max<VkDeviceSize>(1, pool_.capacity() / kMinChunkDivisor);
    std::span<const std::byte> remaining = data;
    VkDeviceSize offset = dstOffset;
    while (!remaining.empty()) {
        const VkDeviceSize size = remaining.size();
        auto range = acquireStaging(std::min(size, minChunk), size, kBufferCopyAlignment);
        if (!range) {
            return std::unexpected(std::move(range.error()));
        }
        const std::size_t bytes = range->bytes.size();
        std::memcpy(range->bytes.data(), remaining.data(), bytes);
        addRegion(dst, range->offset, offset, bytes);
        ++stats_.chunks;
        remaining = remaining.subspan(bytes);
        offset += bytes;
        if (auto flushed = flushAtThreshold(); !flushed) {
            return flushed;
        }
    }
    ++stats_.uploads;
    stats_.bytesUploaded += data.size();
    return {};
}

Result<void> Uploader::uploadImage(const ImageUpload& target, std::span<const std::byte> texels) {
    if (target.image == VK_NULL_HANDLE) {
        return fail(ErrorCode::InvalidArgument,
                    "image upload of {} bytes to a null image (VK_NULL_HANDLE)", texels.size());
    }
    if (target.extent.width == 0 || target.extent.height == 0 || target.texelBytes == 0) {
        return fail(ErrorCode::InvalidArgument,
                    "image upload of a {}x{} extent with {}-byte texels: nothing to copy",
                    target.extent.width, target.extent.height, target.texelBytes);
    }
    if (target.newLayout == VK_IMAGE_LAYOUT_UNDEFINED ||
        target.newLayout == VK_IMAGE_LAYOUT_PREINITIALIZED) {
        return fail(ErrorCode::InvalidArgument,
                    "image upload cannot leave the image in layout {} (UNDEFINED or "
                    "PREINITIALIZED); pick the layout its next user reads it in",
                    static_cast<int>(target.newLayout));
    }
    const VkDeviceSize rowBytes = VkDeviceSize{target.extent.width} * target.texelBytes;
    const VkDeviceSize totalBytes = rowBytes * target.extent.height;
    if (texels.size() != totalBytes) {
        return fail(ErrorCode::InvalidArgument,
                    "image upload of {} bytes, but a {}x{} image of {}-byte texels holds {}",
                    texels.size(), target.extent.width, target.extent.height, target.texelBytes,
                    totalBytes);
    }
    if (rowBytes > pool_.capacity()) {
        return fail(ErrorCode::InvalidArgument,
                    "image row of {} bytes ({} texels of {} bytes) is larger than the staging pool "
                    "({} bytes)",
                    rowBytes, target.extent.width, target.texelBytes, pool_.capacity());
    }
    // The copy's buffer offset must be a multiple of the texel size (and of 4 for
    // depth/stencil); the device's optimal alignment keeps it fast.
    const VkDeviceSize alignment =
        std::lcm(std::lcm(VkDeviceSize{target.texelBytes}, VkDeviceSize{4}), imageCopyAlignment_);

    const VkImageMemoryBarrier2 base = layoutBarrier(target);
    std::uint32_t row = 0;
    while (row < target.extent.height) {
        const VkDeviceSize remainingBytes = rowBytes * (target.extent.height - row);
        auto range = acquireStaging(rowBytes, remainingBytes, alignment);
        if (!range) {
            return std::unexpected(std::move(range.error()));
        }
        const auto rows = static_cast<std::uint32_t>(range->bytes.size() / rowBytes);
        const VkDeviceSize bytes = rowBytes * rows;
        pool_.trimLast(range->bytes.size() - bytes);
        std::memcpy(range->bytes.data(), texels.data() + rowBytes * row, bytes);

        const VkCommandBuffer commandBuffer = current();
        if (row == 0) {
            VkImageMemoryBarrier2 toTransfer = base;
            toTransfer.srcStageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
            toTransfer.srcAccessMask = VK_ACCESS_2_MEMORY_WRITE_BIT;
            toTransfer.dstStageMask = VK_PIPELINE_STAGE_2_COPY_BIT;
            toTransfer.dstAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT;
            toTransfer.oldLayout = target.oldLayout;
            toTransfer.newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
            recordBarrier(commandBuffer, nullptr, &toTransfer);
        }
        const VkBufferImageCopy region{
            .bufferOffset = range->offset,
            .bufferRowLength = 0,  // tightly packed
            .bufferImageHeight = 0,
            .imageSubresource =
                VkImageSubresourceLayers{
                    .aspectMask = target.aspect,
                    .mipLevel = 0,
                    .baseArrayLayer = 0,
                    .layerCount = 1,
                },
            .imageOffset = VkOffset3D{0, static_cast<std::int32_t>(row), 0},
            .imageExtent = VkExtent3D{target.extent.width, rows, 1},
        };
        vkCmdCopyBufferToImage(commandBuffer, pool_.buffer(), target.image,
                               VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);
        ++stats_.copyCommands;
        ++stats_.chunks;
        row += rows;
        if (row == target.extent.height) {
            VkImageMemoryBarrier2 toUse = base;
            toUse.srcStageMask = VK_PIPELINE_STAGE_2_COPY_BIT;
            toUse.srcAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT;
            toUse.dstStageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
            toUse.dstAccessMask = VK_ACCESS_2_MEMORY_READ_BIT | VK_ACCESS_2_MEMORY_WRITE_BIT;
            toUse.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
            toUse.newLayout = target.newLayout;
            recordBarrier(commandBuffer, nullptr, &toUse);
        }
        if (auto flushed = flushAtThreshold(); !flushed) {
            return flushed;
        }
    }
    ++stats_.uploads;
    stats_.bytesUploaded += totalBytes;
    return {};
}

Result<std::uint64_t> Uploader::submitOpen() {
    assert(open_);
    emitRegions();
    const VkCommandBuffer commandBuffer = current();

    // Release: the copies are visible to every later command on this queue, and to the
    // host once it has waited for the batch's value.
    VkMemoryBarrier2 release{};
    release.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER_2;
    release.srcStageMask = VK_PIPELINE_STAGE_2_COPY_BIT;
    release.srcAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT;
    release.dstStageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT | VK_PIPELINE_STAGE_2_HOST_BIT;
    release.dstAccessMask =
        VK_ACCESS_2_MEMORY_READ_BIT | VK_ACCESS_2_MEMORY_WRITE_BIT | VK_ACCESS_2_HOST_READ_BIT;
    recordBarrier(commandBuffer, &release, nullptr);

    if (const VkResult ended = vkEndCommandBuffer(commandBuffer); ended != VK_SUCCESS) {
        return std::unexpected(
            abandonOpen(vulkanError(ended, "vkEndCommandBuffer", "ending an upload batch")));
    }

    const std::uint64_t value = submitted_ + 1;
    VkCommandBufferSubmitInfo commandInfo{};
    commandInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO;
    commandInfo.commandBuffer = commandBuffer;
    VkSemaphoreSubmitInfo signal{};
    signal.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO;
    signal.semaphore = timeline_.handle();
    signal.value = value;
    signal.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    VkSubmitInfo2 submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2;
    submit.commandBufferInfoCount = 1;
    submit.pCommandBufferInfos = &commandInfo;
    submit.signalSemaphoreInfoCount = 1;
    submit.pSignalSemaphoreInfos = &signal;
    if (const VkResult submitted = vkQueueSubmit2(queue_, 1, &submit, VK_NULL_HANDLE);
        submitted != VK_SUCCESS) {
        return std::unexpected(
            abandonOpen(vulkanError(submitted, "vkQueueSubmit2", "submitting an upload batch")));
    }
    // openBatch waited for the command buffer's previous batch and recycled it, so at most
    // batchesInFlight - 1 batches hold staging and this one fits in the pool's ring.
    [[maybe_unused]] auto closed = pool_.closeBatch(value);
    assert(closed && "the staging pool's batch ring is as long as the uploader's");
    submitted_ = value;
    open_ = false;
    ++stats_.submits;
    return value;
}

Error Uploader::abandonOpen(Error error) noexcept {
    if (open_) {
        // The command buffer is recording or executable; a reset makes it initial again.
        static_cast<void>(vkResetCommandBuffer(current(), 0));
        pool_.discardOpen();
        regionCount_ = 0;
        runDst_ = VK_NULL_HANDLE;
        open_ = false;
    }
    return error;
}

Result<std::uint64_t> Uploader::flush() {
    if (!open_) {
        return submitted_;
    }
    return submitOpen();
}

Result<void> Uploader::wait(std::uint64_t value, std::chrono::nanoseconds timeout) {
    if (value > submitted_) {
        return fail(ErrorCode::InvalidArgument,
                    "waiting for upload batch {}, but only {} were submitted; flush first", value,
                    submitted_);
    }
    if (value == 0) {
        return {};
    }
    return timeline_.wait(value, timeout);
}

Result<void> Uploader::finish(std::chrono::nanoseconds timeout) {
    auto value = flush();
    if (!value) {
        return std::unexpected(std::move(value.error()));
    }
    return wait(*value, timeout);
}

Result<std::uint64_t> Uploader::completedValue() const {
    return timeline_.currentValue();
}

UploaderStats Uploader::stats() const noexcept {
    UploaderStats stats = stats_;
    stats.staging = pool_.stats();
    return stats;
}

}  // namespace vixen::gpu
