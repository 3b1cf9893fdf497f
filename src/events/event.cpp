#include "vixen/events/event.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "vixen/events/event_view.hpp"

namespace vixen::events {
namespace detail {
namespace {

// Fixed, so that registering (during static initialisation) and looking up are lock-free.
constexpr std::uint32_t kMaxEventTypes = 1024;
std::array<std::atomic<const EventTypeInfo*>, kMaxEventTypes> registry{};
std::atomic<std::uint32_t> typeCount{0};

}  // namespace

std::uint32_t registerEventType(const EventTypeInfo& info) noexcept {
    const std::uint32_t id = typeCount.fetch_add(1, std::memory_order_relaxed);
    if (id >= kMaxEventTypes) {
        fmt::print(stderr, "vixen: more than {} event types; raise kMaxEventTypes in {}\n",
                   kMaxEventTypes, __FILE__);
        std::abort();
    }
    registry[id].store(&info, std::memory_order_release);
    return id;
}

std::uint32_t registeredEventTypes() noexcept {
    return std::min(typeCount.load(std::memory_order_acquire), kMaxEventTypes);
}

const EventTypeInfo* findEventType(std::uint32_t id) noexcept {
    return id < kMaxEventTypes ? registry[id].load(std::memory_order_acquire) : nullptr;
}

}  // namespace detail

EventCategory EventView::category() const noexcept {
    const detail::EventTypeInfo* info = detail::findEventType(typeId_);
    return info != nullptr ? info->category : category::kNone;
}

std::string_view EventView::typeName() const noexcept {
    const detail::EventTypeInfo* info = detail::findEventType(typeId_);
    return info != nullptr ? info->name : std::string_view{"<unregistered event type>"};
}

}  // namespace vixen::events
