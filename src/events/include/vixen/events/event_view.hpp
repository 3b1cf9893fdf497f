#pragma once

#include <cstdint>
#include <new>
#include <string_view>

#include "vixen/events/event.hpp"

namespace vixen::events {

/// A type-erased event, as category subscribers receive it. Valid during the handler call only.
class EventView {
public:
    EventView(std::uint32_t typeId, const void* payload) noexcept
        : payload_(payload), typeId_(typeId) {}

    [[nodiscard]] std::uint32_t typeId() const noexcept { return typeId_; }
    // Looked up by type, so that queued events need not carry it.
    [[nodiscard]] EventCategory category() const noexcept;
    [[nodiscard]] std::string_view typeName() const noexcept;

    /// The event as an `E`, or nullptr when it is of another type.
    template <Event E>
    [[nodiscard]] const E* as() const noexcept {
        return typeId_ == eventTypeId<E>() ? std::launder(static_cast<const E*>(payload_))
                                           : nullptr;
    }

private:
    const void* payload_;
    std::uint32_t typeId_;
};

}  // namespace vixen::events
