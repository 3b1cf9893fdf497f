// Uploader's staged writes: producers write straight into staging, no extra copy.
#include <fmt/format.h>

#include <algorithm>

#include "vixen/gpu/buffer.hpp"
#include "vixen/gpu/uploader.hpp"

namespace vixen::gpu {

Result<StagedWrite> Uploader::stage(const Buffer& dst, VkDeviceSize dstOffset, VkDeviceSize size) {
    auto handle = checkedRange(dst, dstOffset, size, "staged write");
    if (!handle) {
        return std::unexpected(std::move(handle.error()));
    }
    return stage(*handle, dstOffset, size);
}

Result<StagedWrite> Uploader::stage(VkBuffer dst, VkDeviceSize dstOffset, VkDeviceSize size) {
    if (auto checked = checkStaged(dst, dstOffset, size); !checked) {
        return std::unexpected(std::move(checked.error()));
    }
    if (size > pool_.capacity()) {
        return fail(ErrorCode::InvalidArgument,
                    "staged write of {} bytes is larger than the staging pool ({} bytes): write "
                    "it in chunks with stageChunks, or make UploaderOptions::stagingBytes larger",
                    size, pool_.capacity());
    }
    auto range = acquireStaging(size, size, kBufferCopyAlignment);
    if (!range) {
        return std::unexpected(std::move(range.error()));
    }
    // Recorded now, copied at submission: by then the producer has written the bytes.
    addRegion(dst, range->offset, dstOffset, size);
    ++stats_.chunks;
    countStaged(size);
    return StagedWrite{.bytes = range->bytes, .batch = submitted_ + 1};
}

Result<void> Uploader::checkStaged(VkBuffer dst, VkDeviceSize dstOffset, VkDeviceSize size) const {
    if (device_ == VK_NULL_HANDLE) {
        return fail(ErrorCode::InvalidState, "staged write through a moved-from uploader");
    }
    if (size == 0) {
        return fail(ErrorCode::InvalidArgument,
                    "staged write of 0 bytes to offset {}: there is nothing to copy", dstOffset);
    }
    if (dst == VK_NULL_HANDLE) {
        return fail(ErrorCode::InvalidArgument,
                    "staged write of {} bytes to a null buffer (VK_NULL_HANDLE)", size);
    }
    return {};
}

Result<void> Uploader::checkChunks(VkBuffer dst, VkDeviceSize dstOffset, VkDeviceSize size,
                                   VkDeviceSize granularity) const {
    if (auto checked = checkStaged(dst, dstOffset, size); !checked) {
        return checked;
    }
    if (granularity == 0 || granularity > pool_.capacity()) {
        return fail(ErrorCode::InvalidArgument,
                    "staged write in chunks of a multiple of {} bytes: the granularity must be "
                    "between 1 and the staging pool's {} bytes",
                    granularity, pool_.capacity());
    }
    if (size % granularity != 0) {
        return fail(ErrorCode::InvalidArgument,
                    "staged write of {} bytes in chunks of a multiple of {} bytes: the size is "
                    "not a multiple of the granularity ({} bytes over)",
                    size, granularity, size % granularity);
    }
    return {};
}

Result<StagingRange> Uploader::beginChunk(VkDeviceSize remaining, VkDeviceSize granularity) {
    const VkDeviceSize quarter = pool_.capacity() / kMinChunkDivisor;
    const VkDeviceSize minChunk = std::max(granularity, quarter - quarter % granularity);
    auto range = acquireStaging(std::min(remaining, minChunk), remaining, kBufferCopyAlignment);
    if (!range) {
        return range;
    }
    const VkDeviceSize size = range->bytes.size();
    const VkDeviceSize unused = size % granularity;
    pool_.trimLast(unused);
    range->bytes = range->bytes.first(static_cast<std::size_t>(size - unused));
    return range;
}

Result<void> Uploader::endChunk(VkBuffer dst, VkDeviceSize dstOffset, const StagingRange& chunk) {
    addRegion(dst, chunk.offset, dstOffset, chunk.bytes.size());
    ++stats_.chunks;
    return flushAtThreshold();
}

Error Uploader::dropChunk(const StagingRange& chunk, VkDeviceSize chunkOffset, VkDeviceSize size,
                          Error error) {
    // The chunk is the range acquired last and holds no copy yet: it goes back unread.
    pool_.trimLast(chunk.bytes.size());
    error.message = fmt::format(
        "staged write of {} bytes stopped at byte {} (the bytes before it are copied, the "
        "rest are not): {}",
        size, chunkOffset, error.message);
    return error;
}

void Uploader::countStaged(VkDeviceSize size) noexcept {
    ++stats_.uploads;
    ++stats_.stagedWrites;
    stats_.bytesUploaded += size;
}

}  // namespace vixen::gpu
