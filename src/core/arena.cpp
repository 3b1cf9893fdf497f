#include "vixen/core/arena.hpp"

#include <algorithm>
#include <cstdint>

namespace vixen::core {

void* Arena::allocateNoGrow(std::size_t bytes, std::size_t alignment) noexcept {
    for (; current_ < chunks_.size(); ++current_) {
        if (void* memory = bumpFrom(chunks_[current_], bytes, alignment)) {
            return memory;
        }
    }
    if (!chunks_.empty()) {
        current_ = chunks_.size() - 1;
    }
    ++failed_;
    return nullptr;
}

void* Arena::allocateSlow(std::size_t bytes, std::size_t alignment) {
    const std::uint64_t failedBefore = failed_;
    if (void* memory = allocateNoGrow(bytes, alignment)) {
        return memory;
    }
    failed_ = failedBefore;  // growing is this call's job, not a failure
    addChunk(bytes + alignment);
    return bumpFrom(chunks_[current_], bytes, alignment);
}

void Arena::reserve(std::size_t bytes) {
    if (bytes == 0) {
        return;
    }
    for (std::size_t i = current_; i < chunks_.size(); ++i) {
        if (chunks_[i].size - chunks_[i].used >= bytes) {
            return;
        }
    }
    addChunk(bytes);
}

void Arena::addChunk(std::size_t atLeast) {
    const std::size_t size = std::max(chunkBytes_, atLeast);
    chunks_.push_back(Chunk{std::make_unique_for_overwrite<std::byte[]>(size), size, 0});
    current_ = chunks_.size() - 1;
}

void Arena::reset() noexcept {
    for (Chunk& chunk : chunks_) {
        chunk.used = 0;
    }
    current_ = 0;
}

std::size_t Arena::bytesUsed() const noexcept {
    std::size_t used = 0;
    for (const Chunk& chunk : chunks_) {
        used += chunk.used;
    }
    return used;
}

std::size_t Arena::capacity() const noexcept {
    std::size_t size = 0;
    for (const Chunk& chunk : chunks_) {
        size += chunk.size;
    }
    return size;
}

}  // namespace vixen::core
