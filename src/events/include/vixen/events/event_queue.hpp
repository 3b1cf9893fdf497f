#pragma once

#include <atomic>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>

#include "vixen/core/align.hpp"
#include "vixen/events/event.hpp"

// The two queues behind EventBus. Both are sized once by `reset()` and never allocate after.
namespace vixen::events::detail {

static_assert(__STDCPP_DEFAULT_NEW_ALIGNMENT__ >= kMaxEventAlign, "payloads sit in new[] memory");

/// Owner-thread FIFO: plain loads and stores, no locked instruction. A fixed-stride entry
/// array holds each event's type and where its payload went in a byte ring, so a 24-byte event
/// takes 32 bytes and the reader never has to chase variable record sizes.
class EventRing {
public:
    void reset(std::size_t capacity) {  // a power of two
        entries_ = std::make_unique<Entry[]>(capacity);
        entryMask_ = capacity - 1;
        // A payload takes at most kMaxEventSize bytes, padding included, so a free entry always
        // has room for its payload. The slack past the end saves wrapping a payload in two.
        const std::size_t bytes = std::bit_ceil(capacity * kMaxEventSize);
        assert(bytes <= std::numeric_limits<std::uint32_t>::max() && "entries hold 32-bit offsets");
        payloads_ = std::make_unique<std::byte[]>(bytes + kMaxEventSize);
        payloadMask_ = bytes - 1;
        head_ = 0;
        tail_ = 0;
        payloadTail_ = 0;
    }

    template <Event E>
    [[nodiscard]] bool push(const E& event) noexcept {
        if (tail_ - head_ > entryMask_) {
            return false;
        }
        std::size_t offset = payloadTail_;
        if constexpr (alignof(E) > 8) {
            offset = core::alignUp(offset, alignof(E));
        }
        offset &= payloadMask_;
        ::new (static_cast<void*>(payloads_.get() + offset)) E(event);
        entries_[tail_ & entryMask_] = Entry{eventTypeId<E>(), static_cast<std::uint32_t>(offset)};
        payloadTail_ = offset + (sizeof(E) + 7) / 8 * 8;
        ++tail_;
        return true;
    }

    [[nodiscard]] std::uint64_t head() const noexcept { return head_; }
    [[nodiscard]] std::uint64_t tail() const noexcept { return tail_; }
    [[nodiscard]] std::size_t size() const noexcept {
        return static_cast<std::size_t>(tail_ - head_);
    }

    /// Calls `deliver(typeId, payload)` for each event queued when it starts, oldest first.
    /// `deliver` may push (those wait for the next call) but not reset(). The head moves past an
    /// event only once it is delivered, so that such a push cannot overwrite it.
    template <class Deliver>
    [[gnu::always_inline]] void consume(Deliver&& deliver) noexcept {
        for (std::uint64_t index = head_, end = tail_; index != end;) {
            const Entry entry = entries_[index & entryMask_];
            deliver(entry.typeId, payloads_.get() + entry.payloadOffset);
            head_ = ++index;
        }
    }

private:
    struct Entry {
        std::uint32_t typeId;
        std::uint32_t payloadOffset;
    };

    std::unique_ptr<Entry[]> entries_;
    std::unique_ptr<std::byte[]> payloads_;
    std::size_t entryMask_ = 0;
    std::size_t payloadMask_ = 0;
    std::uint64_t head_ = 0;
    std::uint64_t tail_ = 0;
    std::size_t payloadTail_ = 0;  // where the next payload goes, masked at the next push
};

/// Bounded multi-producer, single-consumer ring of fixed-size slots (Vyukov's per-slot sequence
/// numbers): producers claim a slot with one CAS; the consumer needs none.
class MpscEventQueue {
public:
    // No producer may be running while the queue is reset.
    void reset(std::size_t capacity) {
        slots_ = std::make_unique<Slot[]>(capacity);
        for (std::size_t i = 0; i < capacity; ++i) {
            slots_[i].sequence.store(i, std::memory_order_relaxed);
        }
        mask_ = capacity - 1;
        enqueue_.store(0, std::memory_order_relaxed);
        dequeue_ = 0;
    }

    template <Event E>
    [[nodiscard]] bool push(const E& event) noexcept {
        std::uint64_t position = enqueue_.load(std::memory_order_relaxed);
        for (;;) {
            Slot& slot = slots_[position & mask_];
            const std::uint64_t sequence = slot.sequence.load(std::memory_order_acquire);
            const auto lag = static_cast<std::int64_t>(sequence - position);
            if (lag == 0) {
                if (enqueue_.compare_exchange_weak(position, position + 1,
                                                   std::memory_order_relaxed)) {
                    ::new (static_cast<void*>(slot.payload)) E(event);
                    slot.typeId = eventTypeId<E>();
                    slot.sequence.store(position + 1, std::memory_order_release);
                    return true;
                }
            } else if (lag < 0) {  // the slot still holds an event from the previous lap: full
                dropped_.fetch_add(1, std::memory_order_relaxed);
                return false;
            } else {
                position = enqueue_.load(std::memory_order_relaxed);
            }
        }
    }

    /// Calls `deliver(typeId, payload)` in place for up to `limit` published events, oldest
    /// first; returns how many.
    template <class Deliver>
    std::size_t consume(std::size_t limit, Deliver&& deliver) {
        std::size_t count = 0;
        for (; count < limit; ++count) {
            Slot& slot = slots_[dequeue_ & mask_];
            if (slot.sequence.load(std::memory_order_acquire) != dequeue_ + 1) {
                break;
            }
            deliver(slot.typeId, static_cast<const std::byte*>(slot.payload));
            slot.sequence.store(dequeue_ + mask_ + 1, std::memory_order_release);
            ++dequeue_;
        }
        return count;
    }

    [[nodiscard]] std::size_t capacity() const noexcept { return mask_ + 1; }
    /// No slot claimed that consume() has not taken: one relaxed load, for the consumer. A push
    /// that happened before the call is seen; one racing with it may be missed, as it may be by
    /// consume() too.
    [[nodiscard]] bool looksEmpty() const noexcept {
        return enqueue_.load(std::memory_order_relaxed) == dequeue_;
    }
    /// Claimed but not yet consumed; may count events still being written.
    [[nodiscard]] std::size_t approxSize() const noexcept {
        return static_cast<std::size_t>(enqueue_.load(std::memory_order_relaxed) - dequeue_);
    }
    /// Pushes refused because the queue was full, since the process started.
    [[nodiscard]] std::uint64_t dropped() const noexcept {
        return dropped_.load(std::memory_order_relaxed);
    }

private:
    struct Slot {
        alignas(kMaxEventAlign) std::byte payload[kMaxEventSize];
        std::uint32_t typeId = 0;
        std::atomic<std::uint64_t> sequence{0};
    };

    // Producers contend for the first line; the second is read-mostly (dropped_ changes only on
    // overflow, and the consumer reads it every dispatch); the consumer owns the third.
    alignas(64) std::atomic<std::uint64_t> enqueue_{0};
    alignas(64) std::unique_ptr<Slot[]> slots_;
    std::size_t mask_ = 0;
    std::atomic<std::uint64_t> dropped_{0};
    alignas(64) std::uint64_t dequeue_ = 0;
};

}  // namespace vixen::events::detail
