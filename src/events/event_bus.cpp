#include "vixen/events/event_bus.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>

namespace vixen::events {
namespace {

// Subscription ranks for one event type: lower is more specific. Implied type i ranks i + 1.
constexpr std::uint32_t kExactRank = 0;
constexpr std::uint32_t kCategoryRank = ~0U - 1;
constexpr std::uint32_t kNoMatch = ~0U;

std::size_t queueCapacity(std::size_t eventsPerFrame) {
    return std::bit_ceil(std::max<std::size_t>(eventsPerFrame, 1));
}

}  // namespace

EventBus::EventBus(std::size_t eventsPerFrame) : ownerThread_(detail::currentThreadTag()) {
    reserve(eventsPerFrame);
}

void EventBus::reserve(std::size_t eventsPerFrame) {
    const std::size_t capacity = queueCapacity(eventsPerFrame);
    if (capacity > remote_.capacity()) {
        assert(idle() && "growing the queues is a setup action: dispatch the queued events first");
        local_.reset(capacity);
        remote_.reset(capacity);
    }
    rebuildLists();
}

bool EventBus::idle() const noexcept {
    return depth_ == 0 && local_.size() == 0 && remote_.approxSize() == 0;
}

void EventBus::bindToCurrentThread() noexcept {
    assert(depth_ == 0 && "cannot change the owner thread while delivering");
    ownerThread_ = detail::currentThreadTag();
}

SubscriptionHandle EventBus::addSubscription(SubscriberId owner, std::uint32_t typeId,
                                             EventCategory mask, InvokeFn invoke,
                                             const void* handler, std::size_t size) {
    assert(depth_ == 0 && "subscribe from setup code, not from inside a handler");
    assert(owner.value != 0 && owner.value < nextSubscriber_ && "owner comes from newSubscriber()");
    assert((typeId == kCategorySubscription ||
            std::none_of(
                subscriptions_.begin(), subscriptions_.end(),
                [&](const Subscription& s) { return s.owner == owner && s.typeId == typeId; })) &&
           "this owner already subscribed to that event type, and is called once per event");
    Subscription& added = subscriptions_.emplace_back();
    added.handle = nextHandle_++;
    added.owner = owner;
    added.typeId = typeId;
    added.mask = mask;
    added.invoke = invoke;
    std::memcpy(added.handler, handler, size);
    listsDirty_ = true;
    return SubscriptionHandle{added.handle};
}

bool EventBus::unsubscribe(SubscriptionHandle handle) {
    assert(depth_ == 0 && "unsubscribe from setup code, not from inside a handler");
    const auto removed = std::erase_if(
        subscriptions_, [&](const Subscription& s) { return s.handle == handle.value; });
    listsDirty_ = listsDirty_ || removed != 0;
    return removed != 0;
}

std::size_t EventBus::unsubscribeAll(SubscriberId owner) {
    assert(depth_ == 0 && "unsubscribe from setup code, not from inside a handler");
    const auto removed =
        std::erase_if(subscriptions_, [&](const Subscription& s) { return s.owner == owner; });
    listsDirty_ = listsDirty_ || removed != 0;
    return removed;
}

// The implied event is built on the stack, for this one handler.
void EventBus::invokeConverted(void* conversion, const void* payload, std::uint32_t) noexcept {
    const auto& to = *static_cast<const Conversion*>(conversion);
    alignas(kMaxEventAlign) std::byte converted[kMaxEventSize];
    to.convert(payload, converted);
    to.invoke(to.handler, converted, to.typeId);
}

// Round 1's owner-thread events are delivered (`handled` of them, `calls` handler calls): its
// other threads' events, then the rounds of what the handlers emitted, then the report.
DispatchReport EventBus::finishDispatch(std::size_t handled, std::size_t calls) noexcept {
    const TargetSpan* const spans = spans_.data();
    const std::uint32_t listed = listedTypes_;
    // Locals rather than the report's fields, so the loop keeps them in registers.
    std::size_t delivered = 0;
    std::size_t peak = 0;
    ++depth_;
    // A round covers what was queued when it began; what its handlers emit waits a round.
    for (std::uint32_t round = 0;;) {
        handled += remote_.consume(remote_.capacity(),
                                   [&](std::uint32_t typeId, const std::byte* payload) {
                                       calls += deliver(spans, listed, typeId, payload);
                                   });
        delivered += handled;
        peak = std::max(peak, handled);
        if (local_.size() == 0 || ++round >= kMaxDispatchRounds) {
            break;
        }
        handled = local_.size();
        calls += deliverLocalRound();
    }
    --depth_;
    const std::uint64_t dropped = droppedLocal_ + remote_.dropped();
    const auto droppedSince = static_cast<std::size_t>(dropped - droppedAtDispatch_);
    droppedAtDispatch_ = dropped;
    return DispatchReport{.delivered = delivered,
                          .handlerCalls = calls,
                          .dropped = droppedSince,
                          .deferred = local_.size(),  // only a cascade cut by the round limit
                          .capacity = capacity(),
                          .peakQueueDepth = peak};
}

Result<void> EventBus::takeOverflowError() {
    const std::uint64_t local = droppedLocal_ - localDropsChecked_;
    const std::uint64_t remote = remote_.dropped() - remoteDropsChecked_;
    localDropsChecked_ += local;
    remoteDropsChecked_ += remote;
    if (local + remote == 0) {
        return {};
    }
    return fail(ErrorCode::CapacityExceeded,
                "event queue overflow: {} events dropped since the last check ({} emitted on the "
                "owner thread, {} from other threads), capacity {} per queue (raise the "
                "events-per-frame estimate)",
                local + remote, local, remote, capacity());
}

std::size_t EventBus::deliverNow(std::uint32_t typeId, const void* payload) noexcept {
    assert(isOwnerThread() && "publish() runs on the bus's owner thread");
    if (listsDirty_) [[unlikely]] {  // never while delivering: subscribing is forbidden then
        rebuildLists();
    }
    ++depth_;
    const std::size_t calls = deliver(spans_.data(), listedTypes_, typeId, payload);
    --depth_;
    return calls;
}

// A type registered after the lists were built. Types register during static initialisation,
// so only code loaded later (dlopen) lands here: matched on the fly, without the heap.
std::size_t EventBus::deliverUnlisted(std::uint32_t typeId, const void* payload) noexcept {
    const detail::EventTypeInfo* info = detail::findEventType(typeId);
    if (info == nullptr) {
        return 0;
    }
    std::size_t calls = 0;
    forEachTarget(typeId, *info, [&](Subscription& s, const detail::ImpliedEvent* implied) {
        if (implied == nullptr) {
            s.invoke(s.handler, payload, typeId);
        } else {
            Conversion conversion{s.invoke, s.handler, implied->convert, *implied->typeId};
            invokeConverted(&conversion, payload, typeId);
        }
        ++calls;
    });
    return calls;
}

// Calls `sink(subscription, implied)` for the most specific subscription of each owner, in
// subscription order; `implied` is the implied event it receives, or nullptr for the event itself.
// Quadratic only in the subscriptions that match, and run only when the lists are built.
template <class Sink>
void EventBus::forEachTarget(std::uint32_t typeId, const detail::EventTypeInfo& info, Sink&& sink) {
    EventCategory categories = info.category;
    for (const detail::ImpliedEvent& implied : info.implied) {
        categories |= implied.category;
    }
    const auto rank = [&](const Subscription& s) {
        if (s.typeId == kCategorySubscription) {
            return (s.mask & categories) != 0 ? kCategoryRank : kNoMatch;
        }
        if (s.typeId == typeId) {
            return kExactRank;
        }
        for (std::uint32_t i = 0; i < info.implied.size(); ++i) {
            if (*info.implied[i].typeId == s.typeId) {
                return i + 1;
            }
        }
        return kNoMatch;
    };
    for (Subscription& candidate : subscriptions_) {
        const std::uint32_t candidateRank = rank(candidate);
        if (candidateRank == kNoMatch) {
            continue;
        }
        const bool best =
            std::none_of(subscriptions_.begin(), subscriptions_.end(), [&](const Subscription& s) {
                if (&s == &candidate || s.owner != candidate.owner) {
                    return false;
                }
                const std::uint32_t otherRank = rank(s);
                return otherRank < candidateRank || (otherRank == candidateRank && &s < &candidate);
            });
        if (best) {
            const bool direct = candidateRank == kExactRank || candidateRank == kCategoryRank;
            sink(candidate, direct ? nullptr : &info.implied[candidateRank - 1]);
        }
    }
}

void EventBus::rebuildLists() {
    const std::uint32_t types = detail::registeredEventTypes();
    std::vector<std::size_t> firsts;  // indices until targets_ stops growing
    targets_.clear();
    conversions_.clear();
    for (std::uint32_t id = 0; id < types; ++id) {
        const detail::EventTypeInfo* info = detail::findEventType(id);
        if (info == nullptr) {  // still being registered by another thread: unlisted for now
            break;
        }
        firsts.push_back(targets_.size());
        forEachTarget(id, *info, [&](Subscription& s, const detail::ImpliedEvent* implied) {
            if (implied == nullptr) {
                targets_.push_back(Target{s.invoke, s.handler});
            } else {
                Conversion& conversion = conversions_.emplace_back(
                    Conversion{s.invoke, s.handler, implied->convert, *implied->typeId});
                targets_.push_back(Target{&invokeConverted, &conversion});
            }
        });
    }
    firsts.push_back(targets_.size());
    listedTypes_ = static_cast<std::uint32_t>(firsts.size() - 1);
    spans_.resize(listedTypes_);
    for (std::uint32_t id = 0; id < listedTypes_; ++id) {
        spans_[id] = TargetSpan{targets_.data() + firsts[id], firsts[id + 1] - firsts[id]};
    }
    listsDirty_ = false;
}

}  // namespace vixen::events
