#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "vixen/core/error.hpp"
#include "vixen/events/event.hpp"
#include "vixen/events/event_queue.hpp"
#include "vixen/events/event_view.hpp"

namespace vixen::events {

/// Who subscribes: one node or system. Each owner is called at most once per event.
struct SubscriberId {
    std::uint32_t value = 0;  ///< 0 is no subscriber
    friend bool operator==(SubscriberId, SubscriberId) = default;
};

struct SubscriptionHandle {
    std::uint32_t value = 0;  ///< 0 is no subscription
    friend bool operator==(SubscriptionHandle, SubscriptionHandle) = default;
};

/// What one dispatch() did.
struct DispatchReport {
    std::size_t delivered = 0;       ///< events delivered, however many handlers each reached
    std::size_t handlerCalls = 0;    ///< handler invocations
    std::size_t dropped = 0;         ///< emits refused (queue full) since the previous dispatch()
    std::size_t deferred = 0;        ///< left queued by the round limit, for the next dispatch()
    std::size_t capacity = 0;        ///< events each queue holds (see EventBus::reserve)
    std::size_t peakQueueDepth = 0;  ///< most events handled in one round: what capacity must hold
};

namespace detail {
inline thread_local char threadTag = 0;
// The address of a thread_local tells threads apart with one register read, no call.
[[nodiscard]] inline const void* currentThreadTag() noexcept {
    return &threadTag;
}
}  // namespace detail

/// Typed events, stored by value in queues sized at setup; nothing allocates per event.
///
/// Delivery: `emit()` queues and `dispatch()` delivers at a frame boundary on the owner thread
/// (the creating thread, or the last to call bindToCurrentThread()); `publish()` delivers at
/// once. Any thread may emit: the owner thread into a plain ring, others into a lock-free
/// bounded queue. A full queue drops the event, and says so: emit() returns false,
/// dispatch() reports the count and takeOverflowError() turns it into an Error.
///
/// Matching: per event, each subscriber owner is called once, through its most specific
/// subscription: to the event's own type, else (for a composite) to the first implied type in
/// `Implies` order, which receives `static_cast<A>(event)`, else to a category mask matching
/// the event's or an implied type's category. Ties go to the earliest subscription. The lists
/// are built once after subscriptions change, by reserve() or the next dispatch()/publish()
/// (which then allocates: call reserve() after subscribing).
///
/// Subscribing and unsubscribing are setup actions (they allocate) and may not happen inside a
/// handler (asserted). Handlers must not throw; they may emit() and publish().
class EventBus {
public:
    static constexpr std::size_t kDefaultEventsPerFrame = 64;  ///< until reserve() says better
    /// Handlers are stored inline: a lambda capturing `this` and a few pointers fits.
    static constexpr std::size_t kMaxHandlerSize = 48;
    /// dispatch() delivers events emitted by handlers in the same call, one generation per round;
    /// a cascade still going after this many rounds is left for the next dispatch().
    static constexpr std::uint32_t kMaxDispatchRounds = 8;

    explicit EventBus(std::size_t eventsPerFrame = kDefaultEventsPerFrame);
    EventBus(const EventBus&) = delete;
    EventBus& operator=(const EventBus&) = delete;

    /// Sizes each queue for at least `eventsPerFrame` events (rounded up to a power of two; queues
    /// never shrink) and builds the dispatch lists. Setup only; growing needs idle() queues and
    /// no other thread emitting.
    void reserve(std::size_t eventsPerFrame);
    /// True when nothing is queued and no dispatch is running.
    [[nodiscard]] bool idle() const noexcept;
    [[nodiscard]] std::size_t capacity() const noexcept { return remote_.capacity(); }

    void bindToCurrentThread() noexcept;
    [[nodiscard]] bool isOwnerThread() const noexcept {
        return detail::currentThreadTag() == ownerThread_;
    }

    [[nodiscard]] SubscriberId newSubscriber() noexcept { return SubscriberId{nextSubscriber_++}; }

    /// Calls `handler(const E&)` for each `E`, or for a composite implying `E`.
    template <Event E, class F>
    SubscriptionHandle subscribe(SubscriberId owner, F&& handler) {
        using H = std::decay_t<F>;
        static_assert(std::is_invocable_v<H&, const E&>,
                      "handler must be callable as void(const E&)");
        checkHandler<H>();
        const H stored(std::forward<F>(handler));
        return addSubscription(owner, eventTypeId<E>(), category::kNone, &invokeTyped<E, H>,
                               &stored, sizeof(H));
    }

    /// Calls `handler(const EventView&)` for events whose category shares a bit with `mask`.
    template <class F>
    SubscriptionHandle subscribeCategory(SubscriberId owner, EventCategory mask, F&& handler) {
        using H = std::decay_t<F>;
        static_assert(std::is_invocable_v<H&, const EventView&>,
                      "category handler must be callable as void(const EventView&)");
        checkHandler<H>();
        const H stored(std::forward<F>(handler));
        return addSubscription(owner, kCategorySubscription, mask, &invokeCategory<H>, &stored,
                               sizeof(H));
    }

    /// Returns whether the subscription existed.
    bool unsubscribe(SubscriptionHandle handle);
    /// Returns how many subscriptions `owner` had.
    std::size_t unsubscribeAll(SubscriberId owner);

    /// Queues a copy of `event` for the next dispatch(). False when the queue is full: the event
    /// is dropped and counted.
    template <Event E>
    [[nodiscard]] bool emit(const E& event) noexcept {
        if (isOwnerThread()) [[likely]] {
            if (local_.push(event)) [[likely]] {
                return true;
            }
            ++droppedLocal_;
            return false;
        }
        return remote_.push(event);
    }

    /// Delivers `event` now, on the owner thread; returns the number of handlers called.
    template <Event E>
    std::size_t publish(const E& event) noexcept {
        return deliverNow(eventTypeId<E>(), &event);
    }

    /// Delivers every queued event, FIFO per emitting thread (the owner thread's first), then
    /// what the handlers emitted, up to kMaxDispatchRounds rounds. Owner thread, not re-entrant.
    ///
    /// Inline for the common frame: the owner thread's events, no cascade, nothing from other
    /// threads and no drops. Anything more carries on out of line, in the same order.
    DispatchReport dispatch() noexcept {
        assert(isOwnerThread() && "dispatch() runs on the bus's owner thread");
        assert(depth_ == 0 && "dispatch() is not re-entrant: handlers may emit() or publish()");
        if (listsDirty_) [[unlikely]] {
            rebuildLists();
        }
        // Round 1 starts with the owner thread's events.
        const std::uint64_t end = local_.tail();
        const auto handled = static_cast<std::size_t>(end - local_.head());
        ++depth_;
        const std::size_t calls = deliverLocalRound();
        --depth_;
        if (local_.tail() != end || !remote_.looksEmpty() ||
            droppedLocal_ + remote_.dropped() != droppedAtDispatch_) [[unlikely]] {
            return finishDispatch(handled, calls);
        }
        return DispatchReport{.delivered = handled,
                              .handlerCalls = calls,
                              .dropped = 0,
                              .deferred = 0,
                              .capacity = capacity(),
                              .peakQueueDepth = handled};
    }

    /// A CapacityExceeded error if emits were dropped since the last call, with the counts.
    Result<void> takeOverflowError();

private:
    // Typed handlers need only the payload; category handlers also the type, for an EventView.
    using InvokeFn = void (*)(void* handler, const void* payload, std::uint32_t typeId) noexcept;

    static constexpr std::uint32_t kCategorySubscription = ~0U;

    struct Subscription {
        std::uint32_t handle;
        SubscriberId owner;
        std::uint32_t typeId;  // kCategorySubscription for a category subscription
        EventCategory mask;
        InvokeFn invoke;
        alignas(kMaxEventAlign) std::byte handler[kMaxHandlerSize];
    };

    // One precomputed handler call. An owner that receives an implied event calls
    // invokeConverted with a Conversion as its handler, so the dispatch loop never branches.
    struct Target {
        InvokeFn invoke;
        void* handler;
    };

    struct Conversion {
        InvokeFn invoke;
        void* handler;
        detail::ConvertFn convert;
        std::uint32_t typeId;
    };

    struct TargetSpan {
        const Target* begin = nullptr;
        std::size_t count = 0;  // a count, not an end: the dispatch loop tests it for one
    };

    template <class H>
    static constexpr void checkHandler() {
        static_assert(sizeof(H) <= kMaxHandlerSize,
                      "handler is larger than EventBus::kMaxHandlerSize (48 bytes): capture a "
                      "pointer to your state instead of the state");
        static_assert(alignof(H) <= kMaxEventAlign, "handler is over-aligned");
        static_assert(std::is_trivially_copyable_v<H> && std::is_trivially_destructible_v<H>,
                      "handler must be trivially copyable (capture pointers or references, not "
                      "owning objects): it is stored inline and relocated by copying bytes");
    }

    template <Event E, class H>
    static void invokeTyped(void* handler, const void* payload, std::uint32_t) noexcept {
        (*std::launder(static_cast<H*>(handler)))(*std::launder(static_cast<const E*>(payload)));
    }

    template <class H>
    static void invokeCategory(void* handler, const void* payload, std::uint32_t typeId) noexcept {
        (*std::launder(static_cast<H*>(handler)))(EventView(typeId, payload));
    }

    SubscriptionHandle addSubscription(SubscriberId owner, std::uint32_t typeId, EventCategory mask,
                                       InvokeFn invoke, const void* handler, std::size_t size);
    std::size_t deliverNow(std::uint32_t typeId, const void* payload) noexcept;

    // One bounds check, then one indirect call per owner.
    [[gnu::always_inline]] std::size_t deliver(const TargetSpan* spans, std::uint32_t listed,
                                               std::uint32_t typeId, const void* payload) noexcept {
        if (typeId >= listed) [[unlikely]] {
            return deliverUnlisted(typeId, payload);
        }
        const TargetSpan span = spans[typeId];
        // One owner is the common case: a straight call keeps the loop's values in registers.
        if (span.count == 1) [[likely]] {
            span.begin->invoke(span.begin->handler, payload, typeId);
            return 1;
        }
        for (const Target *target = span.begin, *end = span.begin + span.count; target != end;
             ++target) {
            target->invoke(target->handler, payload, typeId);
        }
        return span.count;
    }

    // Delivers the owner-thread events queued now (one round); returns the handler calls.
    [[gnu::always_inline]] std::size_t deliverLocalRound() noexcept {
        std::size_t calls = 0;
        local_.consume([&](std::uint32_t typeId, const std::byte* payload) {
            calls += deliver(spans_.data(), listedTypes_, typeId, payload);
        });
        return calls;
    }

    DispatchReport finishDispatch(std::size_t handled, std::size_t calls) noexcept;
    static void invokeConverted(void* conversion, const void* payload, std::uint32_t) noexcept;
    std::size_t deliverUnlisted(std::uint32_t typeId, const void* payload) noexcept;
    template <class Sink>
    void forEachTarget(std::uint32_t typeId, const detail::EventTypeInfo& info, Sink&& sink);
    void rebuildLists();

    // Owner-thread state.
    const void* ownerThread_;
    detail::EventRing local_;
    std::uint64_t droppedLocal_ = 0;
    std::uint32_t depth_ = 0;        // nesting of dispatch()/publish() delivery
    std::uint32_t listedTypes_ = 0;  // spans_.size(), kept apart to save the hot loop a division
    std::vector<TargetSpan> spans_;
    std::vector<Target> targets_;
    std::deque<Conversion> conversions_;  // a deque: targets point into it while it grows
    std::vector<Subscription> subscriptions_;
    bool listsDirty_ = true;
    std::uint32_t nextSubscriber_ = 1;
    std::uint32_t nextHandle_ = 1;
    std::uint64_t droppedAtDispatch_ = 0;
    std::uint64_t localDropsChecked_ = 0;
    std::uint64_t remoteDropsChecked_ = 0;

    detail::MpscEventQueue remote_;
};

}  // namespace vixen::events
