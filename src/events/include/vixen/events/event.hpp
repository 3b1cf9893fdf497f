#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <string_view>
#include <type_traits>

namespace vixen::events {

/// What an event is about, as a bitmask: a category subscription matches any common bit.
using EventCategory = std::uint32_t;

/// The standard categories, one bit each. Bits from `kUser` upwards belong to applications.
namespace category {
inline constexpr EventCategory kNone = 0;
inline constexpr EventCategory kWindow = 1U << 0;
inline constexpr EventCategory kSwapchain = 1U << 1;
inline constexpr EventCategory kFramebuffer = 1U << 2;
inline constexpr EventCategory kRenderPass = 1U << 3;
inline constexpr EventCategory kResource = 1U << 4;
inline constexpr EventCategory kPipeline = 1U << 5;
inline constexpr EventCategory kShader = 1U << 6;
inline constexpr EventCategory kGraph = 1U << 7;
inline constexpr EventCategory kInput = 1U << 8;
inline constexpr EventCategory kDevice = 1U << 9;
inline constexpr EventCategory kUser = 1U << 16;
inline constexpr EventCategory kAll = ~0U;
}  // namespace category

/// Events are copied by value into queues pre-sized for this much per event, so emitting never
/// allocates.
inline constexpr std::size_t kMaxEventSize = 56;
inline constexpr std::size_t kMaxEventAlign = 16;

/// An event type: a trivially copyable struct with `static constexpr EventCategory kCategory`.
/// Its size and alignment are checked (with a readable message) wherever it is used.
template <class E>
concept Event = std::is_class_v<E> && std::is_trivially_copyable_v<E> &&
    std::is_trivially_destructible_v<E> && requires {
    { E::kCategory } -> std::convertible_to<EventCategory>;
};

/// The events a composite event stands for: `using Implies = EventList<A, B, C>;`.
template <class... Events>
struct EventList {};

/// One event that stands for a cascade: it declares `using Implies = EventList<...>` and an
/// `explicit operator A() const` for every implied `A`. Dispatching it calls each subscriber
/// owner once, through its most specific subscription (see EventBus).
template <class E>
concept CompositeEvent = Event<E> && requires {
    typename E::Implies;
};

/// The qualified name of `E` ("vixen::graph::WindowResized"), for messages and logs.
template <class E>
[[nodiscard]] constexpr std::string_view eventTypeName() noexcept {
    constexpr std::string_view kMarker = "E = ";
    const std::string_view full = __PRETTY_FUNCTION__;
    const std::size_t start = full.find(kMarker) + kMarker.size();
    return full.substr(start, full.find_first_of(";]", start) - start);
}

namespace detail {

/// Builds the implied event `to` from the composite at `from` (on the dispatcher's stack).
using ConvertFn = void (*)(const void* from, void* to) noexcept;

struct ImpliedEvent {
    const std::uint32_t* typeId;  // the implied type's id, assigned during static initialisation
    EventCategory category;
    ConvertFn convert;
};

/// What the bus needs to know about a type it may never have seen subscribed.
struct EventTypeInfo {
    std::string_view name;
    EventCategory category;
    std::span<const ImpliedEvent> implied;
};

/// Hands out the next dense id and records `info` under it; lock-free.
std::uint32_t registerEventType(const EventTypeInfo& info) noexcept;
/// How many ids are handed out; ids below it whose info is published are found by findEventType.
[[nodiscard]] std::uint32_t registeredEventTypes() noexcept;
[[nodiscard]] const EventTypeInfo* findEventType(std::uint32_t id) noexcept;

template <class>
inline constexpr bool kAlwaysFalse = false;

template <class Composite, class Implied>
void convertEvent(const void* from, void* to) noexcept {
    ::new (to) Implied(static_cast<Implied>(*std::launder(static_cast<const Composite*>(from))));
}

template <class E>
struct EventType;

template <class E, class List>
struct ImpliedEvents {
    static_assert(kAlwaysFalse<List>,
                  "a composite event's Implies must be vixen::events::EventList");
};

template <class E, class... As>
struct ImpliedEvents<E, EventList<As...>> {
    static_assert((Event<As> && ...), "every type in Implies must satisfy vixen::events::Event");
    static_assert((!CompositeEvent<As> && ...),
                  "implied events must be plain events: list the whole cascade in one Implies");
    static_assert((!std::is_same_v<E, As> && ...), "a composite event cannot imply itself");
    static_assert((std::is_constructible_v<As, const E&> && ...),
                  "a composite event needs `explicit operator A() const` for every implied A");
    static constexpr std::array<ImpliedEvent, sizeof...(As)> kList{
        ImpliedEvent{&EventType<As>::id, As::kCategory, &convertEvent<E, As>}...};
};

template <class E>
constexpr std::span<const ImpliedEvent> impliedEventsOf() noexcept {
    if constexpr (CompositeEvent<E>) {
        return ImpliedEvents<E, typename E::Implies>::kList;
    } else {
        return {};
    }
}

template <class E>
struct EventType {
    static_assert(sizeof(E) <= kMaxEventSize,
                  "event type is larger than vixen::events::kMaxEventSize (56 bytes): events are "
                  "copied by value into pre-sized queues, so refer to bulk data instead of "
                  "embedding it");
    static_assert(alignof(E) <= kMaxEventAlign,
                  "event type needs more than vixen::events::kMaxEventAlign (16 bytes) alignment");

    static constexpr EventTypeInfo kInfo{eventTypeName<E>(), E::kCategory, impliedEventsOf<E>()};
    // Initialised during static initialisation, so reading it on the hot path is a plain load.
    inline static const std::uint32_t id = registerEventType(kInfo);
};

}  // namespace detail

/// The dense id of `E`, the same for every bus in the process.
template <Event E>
[[nodiscard]] inline std::uint32_t eventTypeId() noexcept {
    return detail::EventType<E>::id;
}

}  // namespace vixen::events
