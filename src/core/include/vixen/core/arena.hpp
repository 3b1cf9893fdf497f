#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <type_traits>
#include <vector>

#include "vixen/core/align.hpp"

namespace vixen::core {

/// A bump allocator over chunks it owns. Setup and compile code may let it grow
/// (`allocate`); execute code uses `allocateNoGrow`, which never touches the heap and
/// returns null (counted) once the reserved space is used up. `reset` rewinds it for the
/// next frame, keeping the memory. Objects placed in it are not destroyed by it.
class Arena {
public:
    static constexpr std::size_t kDefaultChunkBytes = 64 * 1024;

    explicit Arena(std::size_t chunkBytes = kDefaultChunkBytes) noexcept
        : chunkBytes_(chunkBytes) {}
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;
    Arena(Arena&&) noexcept = default;
    Arena& operator=(Arena&&) noexcept = default;
    ~Arena() = default;

    /// Bump-allocates, adding a chunk when the current ones are full.
    [[nodiscard]] void* allocate(std::size_t bytes, std::size_t alignment) {
        if (current_ < chunks_.size()) {
            if (void* memory = bumpFrom(chunks_[current_], bytes, alignment)) {
                return memory;
            }
        }
        return allocateSlow(bytes, alignment);
    }
    /// Bump-allocates from the chunks already there; null when they are full.
    [[nodiscard]] void* allocateNoGrow(std::size_t bytes, std::size_t alignment) noexcept;

    template <class T>
    requires std::is_trivially_destructible_v<T>
    [[nodiscard]] std::span<T> allocateArrayNoGrow(std::size_t count) noexcept {
        void* memory = allocateNoGrow(count * sizeof(T), alignof(T));
        if (memory == nullptr) {
            return {};
        }
        return {::new (memory) T[count](), count};
    }

    /// Makes sure `bytes` more can be allocated without growing (one contiguous chunk).
    void reserve(std::size_t bytes);
    /// Rewinds to the start; the chunks stay for reuse.
    void reset() noexcept;

    [[nodiscard]] std::size_t bytesUsed() const noexcept;
    [[nodiscard]] std::size_t capacity() const noexcept;
    [[nodiscard]] std::uint64_t failedAllocations() const noexcept { return failed_; }

private:
    struct Chunk {
        std::unique_ptr<std::byte[]> memory;
        std::size_t size = 0;
        std::size_t used = 0;
    };

    static void* bumpFrom(Chunk& chunk, std::size_t bytes, std::size_t alignment) noexcept {
        const auto base = reinterpret_cast<std::uintptr_t>(chunk.memory.get());
        const std::uintptr_t aligned = alignUp<std::uintptr_t>(base + chunk.used, alignment);
        const std::size_t end = aligned - base + bytes;
        if (end > chunk.size) {
            return nullptr;
        }
        chunk.used = end;
        return reinterpret_cast<void*>(aligned);
    }
    void* allocateSlow(std::size_t bytes, std::size_t alignment);
    void addChunk(std::size_t atLeast);

    std::size_t chunkBytes_;
    std::vector<Chunk> chunks_;
    std::size_t current_ = 0;
    std::uint64_t failed_ = 0;
};

}  // namespace vixen::core
