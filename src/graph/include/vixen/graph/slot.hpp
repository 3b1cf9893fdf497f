#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "vixen/graph/type_info.hpp"
#include "vixen/graph/types.hpp"

namespace vixen::graph {

/// A string usable as a template argument, so a slot's name is part of its type.
template <std::size_t N>
struct FixedString {
    char chars[N]{};
    constexpr FixedString(const char (&text)[N]) { std::copy_n(text, N, chars); }  // NOLINT
    [[nodiscard]] constexpr std::string_view view() const { return {chars, N - 1}; }
};

/// The most earlier frames a history slot may keep (its ring holds one more: this frame's).
inline constexpr std::uint32_t kMaxHistoryDepth = 8;

/// Everything a slot declares besides its name and type.
struct SlotOptions {
    Access access = Access::Read;
    StageKind stage = StageKind::Any;
    SlotRole role = SlotRole::Dependency;
    bool nullable = false;  ///< an input that may stay unconnected
    bool array = false;     ///< an input that takes any number of connections
    /// An output whose resource outlives recompiles, structural ones included, while its
    /// description is unchanged (the backend keeps it; the producer is told it was kept).
    bool persistent = false;
    /// Frame history. On an output: the resource is a ring of `history + 1` made at compile,
    /// one written per frame, and the node reads the `history` frames before this one with
    /// `History(slot, framesAgo)`. On an input: the node reads that many earlier frames of
    /// its producer's output, which must keep at least as many (checked at graph compile).
    std::uint8_t history = 0;
};

inline constexpr SlotOptions kWriteOutput{.access = Access::Write};

enum class SlotDirection : std::uint8_t { Input, Output };

/// The runtime view of one slot, derived from the compile-time declaration.
struct SlotDesc {
    std::string_view name;
    const TypeInfo* type;
    SlotDirection direction;
    SlotOptions options;
    std::uint32_t index;  ///< position among the node's inputs or outputs
};

/// An input slot: `static constexpr Input<"source", Image> source{};` in a node config.
template <FixedString Name, ResourceType T, SlotOptions Options = SlotOptions{}>
struct Input {
    using ValueType = T;
    static constexpr std::string_view kName = Name.view();
    static constexpr SlotDirection kDirection = SlotDirection::Input;
    static constexpr SlotOptions kOptions = Options;
    static_assert(!(Options.array && Options.nullable),
                  "an array input is already allowed to be empty; drop 'nullable'");
    static_assert(!Options.persistent, "persistence belongs to the output that owns a resource");
    static_assert(Options.history <= kMaxHistoryDepth,
                  "a slot keeps at most kMaxHistoryDepth frames");
    static_assert(Options.history == 0 || !Options.array,
                  "history is read from one producer: an array input cannot declare it");
};

/// An output slot: the node writes one resource of type T that the graph owns.
template <FixedString Name, ResourceType T, SlotOptions Options = kWriteOutput>
struct Output {
    using ValueType = T;
    static constexpr std::string_view kName = Name.view();
    static constexpr SlotDirection kDirection = SlotDirection::Output;
    static constexpr SlotOptions kOptions = Options;
    static_assert(Options.access != Access::Read, "an output slot writes its resource");
    static_assert(!Options.array && !Options.nullable,
                  "an output holds exactly one resource (which may itself be a container)");
    static_assert(Options.role == SlotRole::Dependency, "roles describe inputs only");
    static_assert(Options.history <= kMaxHistoryDepth,
                  "a slot keeps at most kMaxHistoryDepth frames");
    static_assert(Options.history == 0 || !Options.persistent,
                  "a history ring is remade with its producer; it cannot also be persistent");
};

template <class S>
concept Slot = requires {
    typename S::ValueType;
    S::kName;
    S::kDirection;
    S::kOptions;
};

/// The ordered list of a config's slots: `static constexpr SlotList slots{source, result};`.
/// Slot indices come from the order here; nothing is numbered by hand.
template <Slot... Slots>
struct SlotList {
    constexpr explicit SlotList(Slots...) {}
};

namespace detail {

template <class List>
struct SlotListTraits;

template <class... Slots>
struct SlotListTraits<SlotList<Slots...>> {
    static constexpr std::size_t kInputCount =
        ((Slots::kDirection == SlotDirection::Input ? 1 : 0) + ... + 0);
    static constexpr std::size_t kOutputCount = sizeof...(Slots) - kInputCount;

    template <class S>
    static constexpr bool kContains = (std::is_same_v<std::remove_cv_t<S>, Slots> || ...);

    // Position of S among the slots of its own direction.
    template <class S>
    static constexpr std::uint32_t indexOf() {
        std::uint32_t index = 0;
        bool found = false;
        ((found = found || std::is_same_v<std::remove_cv_t<S>, Slots>,
          index += (!found && Slots::kDirection == S::kDirection) ? 1 : 0),
         ...);
        return index;
    }

    static constexpr bool namesAreUnique() {
        constexpr std::array<std::string_view, sizeof...(Slots)> names{Slots::kName...};
        for (std::size_t i = 0; i < names.size(); ++i) {
            for (std::size_t j = i + 1; j < names.size(); ++j) {
                if (names[i] == names[j]) {
                    return false;
                }
            }
        }
        return true;
    }

    template <SlotDirection D>
    static constexpr auto descriptors() {
        std::array<SlotDesc, D == SlotDirection::Input ? kInputCount : kOutputCount> result{};
        [[maybe_unused]] std::size_t next = 0;
        (
            [&] {
                if constexpr (Slots::kDirection == D) {
                    result[next] = SlotDesc{Slots::kName, typeInfoOf<typename Slots::ValueType>(),
                                            D, Slots::kOptions, static_cast<std::uint32_t>(next)};
                    ++next;
                }
            }(),
            ...);
        return result;
    }
};

}  // namespace detail

template <class Config>
using ConfigSlots = detail::SlotListTraits<std::remove_cv_t<decltype(Config::slots)>>;

/// True when S is one of Config's slots, in the given direction.
template <class S, class Config>
concept InputOf =
    Slot<S> && ConfigSlots<Config>::template kContains<S>&& S::kDirection == SlotDirection::Input;
template <class S, class Config>
concept OutputOf =
    Slot<S> && ConfigSlots<Config>::template kContains<S>&& S::kDirection == SlotDirection::Output;

/// Static description of a node type: its registered name and slots.
struct NodeTypeInfo {
    std::string_view name;
    std::span<const SlotDesc> inputs;
    std::span<const SlotDesc> outputs;
    bool sideEffects;  ///< kept even when nothing consumes its outputs

    [[nodiscard]] const SlotDesc* findInput(std::string_view slot) const noexcept;
    [[nodiscard]] const SlotDesc* findOutput(std::string_view slot) const noexcept;
};

namespace detail {

template <class Config>
struct NodeTypeInfoHolder {
    using Traits = ConfigSlots<Config>;
    static_assert(Traits::namesAreUnique(), "two slots of this node config share a name");
    static constexpr auto kInputs = Traits::template descriptors<SlotDirection::Input>();
    static constexpr auto kOutputs = Traits::template descriptors<SlotDirection::Output>();
    static constexpr bool kSideEffects = [] {
        if constexpr (requires { Config::kSideEffects; }) {
            return Config::kSideEffects;
        } else {
            return Traits::kOutputCount == 0;
        }
    }();
    static constexpr NodeTypeInfo kInfo{Config::kTypeName, kInputs, kOutputs, kSideEffects};
};

}  // namespace detail

/// The type description of a node config: `static constexpr std::string_view kTypeName`,
/// `static constexpr SlotList slots{...}`, optionally `static constexpr bool kSideEffects`
/// (default: true when the node has no outputs).
template <class Config>
[[nodiscard]] constexpr const NodeTypeInfo* nodeTypeInfoOf() noexcept {
    return &detail::NodeTypeInfoHolder<Config>::kInfo;
}

}  // namespace vixen::graph
