// Replaces every form of the global operator new/delete so the allocation tracker
// sees each heap allocation. Linked as an object library into executables only.
#include "vixen/core/detail/alloc_hooks.hpp"

#include <cstdlib>
#include <new>

namespace {

using vixen::core::detail::recordAllocation;
using vixen::core::detail::recordFree;

[[maybe_unused]] const bool kInstalled = [] {
    vixen::core::detail::markAllocationHooksInstalled();
    return true;
}();

void* allocateOrNull(std::size_t size) noexcept {
    void* pointer = std::malloc(size == 0 ? 1 : size);
    if (pointer != nullptr) {
        recordAllocation(size);
    }
    return pointer;
}

void* allocateAlignedOrNull(std::size_t size, std::align_val_t alignment) noexcept {
    const auto align = static_cast<std::size_t>(alignment);
    void* pointer = nullptr;
    if (posix_memalign(&pointer, align < sizeof(void*) ? sizeof(void*) : align,
                       size == 0 ? 1 : size) != 0) {
        return nullptr;
    }
    recordAllocation(size);
    return pointer;
}

void* allocateOrThrow(std::size_t size) {
    for (;;) {
        if (void* pointer = allocateOrNull(size)) {
            return pointer;
        }
        std::new_handler handler = std::get_new_handler();
        if (handler == nullptr) {
            throw std::bad_alloc();
        }
        handler();
    }
}

void* allocateAlignedOrThrow(std::size_t size, std::align_val_t alignment) {
    for (;;) {
        if (void* pointer = allocateAlignedOrNull(size, alignment)) {
            return pointer;
        }
        std::new_handler handler = std::get_new_handler();
        if (handler == nullptr) {
            throw std::bad_alloc();
        }
        handler();
    }
}

void release(void* pointer) noexcept {
    if (pointer != nullptr) {
        recordFree();
        std::free(pointer);
    }
}

}  // namespace

void* operator new(std::size_t size) {
    return allocateOrThrow(size);
}
void* operator new[](std::size_t size) {
    return allocateOrThrow(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return allocateOrNull(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return allocateOrNull(size);
}
void* operator new(std::size_t size, std::align_val_t alignment) {
    return allocateAlignedOrThrow(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
    return allocateAlignedOrThrow(size, alignment);
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
    return allocateAlignedOrNull(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
    return allocateAlignedOrNull(size, alignment);
}

void operator delete(void* pointer) noexcept {
    release(pointer);
}
void operator delete[](void* pointer) noexcept {
    release(pointer);
}
void operator delete(void* pointer, std::size_t) noexcept {
    release(pointer);
}
void operator delete[](void* pointer, std::size_t) noexcept {
    release(pointer);
}
void operator delete(void* pointer, const std::nothrow_t&) noexcept {
    release(pointer);
}
void operator delete[](void* pointer, const std::nothrow_t&) noexcept {
    release(pointer);
}
void operator delete(void* pointer, std::align_val_t) noexcept {
    release(pointer);
}
void operator delete[](void* pointer, std::align_val_t) noexcept {
    release(pointer);
}
void operator delete(void* pointer, std::size_t, std::align_val_t) noexcept {
    release(pointer);
}
void operator delete[](void* pointer, std::size_t, std::align_val_t) noexcept {
    release(pointer);
}
void operator delete(void* pointer, std::align_val_t, const std::nothrow_t&) noexcept {
    release(pointer);
}
void operator delete[](void* pointer, std::align_val_t, const std::nothrow_t&) noexcept {
    release(pointer);
}
