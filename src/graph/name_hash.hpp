#pragma once

// A flat open-addressing index from node name to node index, so declaring a node costs
// no allocation beyond amortised growth and no per-entry heap node. Each entry keeps 32
// bits of the name's hash beside the index, so a probe rarely has to look at a name.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace vixen::graph {

inline constexpr std::uint32_t kNameNotFound = UINT32_MAX;

namespace detail {

using NameEntry = std::uint64_t;  // hash tag << 32 | (node index + 1); 0 = empty

inline std::uint64_t loadWord(const char* bytes, std::size_t count) {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes, count);
    return word;
}

// Node names are short: mix them eight bytes at a time, inline, instead of calling the
// library's byte-wise hash. The last word overlaps the one before rather than looping
// over a tail; a short name is read as two overlapping halves (or three single bytes).
inline std::uint64_t nameHash(std::string_view name) {
    constexpr std::uint64_t kMultiplier = 0x9E3779B97F4A7C15ULL;
    const char* bytes = name.data();
    const std::size_t size = name.size();
    std::uint64_t hash = size * kMultiplier;
    const auto mix = [&hash](std::uint64_t word) {
        hash = (hash ^ word) * kMultiplier;
        hash ^= hash >> 32;
    };
    if (size >= 8) {
        for (std::size_t at = 0; at + 8 < size; at += 8) {
            mix(loadWord(bytes + at, 8));
        }
        mix(loadWord(bytes + size - 8, 8));
    } else if (size >= 4) {
        mix(loadWord(bytes, 4) | (loadWord(bytes + size - 4, 4) << 32));
    } else if (size > 0) {
        mix(loadWord(bytes, 1) | (loadWord(bytes + size / 2, 1) << 8) |
            (loadWord(bytes + size - 1, 1) << 16));
    }
    hash ^= hash >> 29;
    hash *= 0xBF58476D1CE4E5B9ULL;
    return hash ^ (hash >> 32);
}
inline std::uint32_t entryIndex(NameEntry entry) {
    return static_cast<std::uint32_t>(entry) - 1;
}
inline std::uint32_t entryTag(NameEntry entry) {
    return static_cast<std::uint32_t>(entry >> 32);
}
inline std::uint32_t hashTag(std::uint64_t hash) {
    return static_cast<std::uint32_t>(hash >> 32);
}

// The slot comes from the tag too, so the table can grow without reading any name.
inline std::size_t tagSlot(std::uint32_t tag, std::size_t mask) {
    return tag & mask;
}

inline void growNameIndex(std::vector<NameEntry>& table, std::size_t size) {
    std::vector<NameEntry> old = std::move(table);
    table.assign(size, 0);
    const std::size_t mask = table.size() - 1;
    for (const NameEntry entry : old) {
        if (entry != 0) {
            std::size_t slot = tagSlot(entryTag(entry), mask);  // no name needed to regrow
            while (table[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            table[slot] = entry;
        }
    }
}

inline std::size_t homeSlot(std::uint64_t hash, std::size_t mask) {
    return tagSlot(hashTag(hash), mask);
}

}  // namespace detail

/// Sizes the index for `count` names up front, so inserting them never regrows it.
inline void reserveNames(std::vector<detail::NameEntry>& table, std::size_t count) {
    const std::size_t size = std::max<std::size_t>(64, std::bit_ceil((count + 1) * 2));
    if (size > table.size()) {
        detail::growNameIndex(table, size);
    }
}

/// Inserts `index` under `name`; false (and nothing inserted) when the name is taken.
template <class NameOf>
bool insertName(std::vector<detail::NameEntry>& table, std::string_view name, std::uint32_t index,
                std::size_t count, NameOf&& nameOf) {
    if ((count + 1) * 2 > table.size()) {
        detail::growNameIndex(table, table.empty() ? 64 : table.size() * 2);
    }
    const std::uint64_t hash = detail::nameHash(name);
    const std::uint32_t tag = detail::hashTag(hash);
    const std::size_t mask = table.size() - 1;
    std::size_t slot = detail::homeSlot(hash, mask);
    while (table[slot] != 0) {
        if (detail::entryTag(table[slot]) == tag &&
            nameOf(detail::entryIndex(table[slot])) == name) {
            return false;
        }
        slot = (slot + 1) & mask;
    }
    table[slot] = (std::uint64_t{tag} << 32) | (std::uint64_t{index} + 1);
    return true;
}

template <class NameOf>
std::uint32_t findName(const std::vector<detail::NameEntry>& table, std::string_view name,
                       NameOf&& nameOf) {
    if (table.empty()) {
        return kNameNotFound;
    }
    const std::uint64_t hash = detail::nameHash(name);
    const std::uint32_t tag = detail::hashTag(hash);
    const std::size_t mask = table.size() - 1;
    for (std::size_t slot = detail::homeSlot(hash, mask); table[slot] != 0;
         slot = (slot + 1) & mask) {
        if (detail::entryTag(table[slot]) == tag &&
            nameOf(detail::entryIndex(table[slot])) == name) {
            return detail::entryIndex(table[slot]);
        }
    }
    return kNameNotFound;
}

/// Removes the entry of `index`, shifting later entries of the probe run back.
inline void eraseName(std::vector<detail::NameEntry>& table, std::string_view name,
                      std::uint32_t index) {
    if (table.empty()) {
        return;
    }
    const std::size_t mask = table.size() - 1;
    std::size_t slot = detail::homeSlot(detail::nameHash(name), mask);
    while (table[slot] != 0 && detail::entryIndex(table[slot]) != index) {
        slot = (slot + 1) & mask;
    }
    if (table[slot] == 0) {
        return;
    }
    table[slot] = 0;
    for (std::size_t next = (slot + 1) & mask; table[next] != 0; next = (next + 1) & mask) {
        const std::size_t home = detail::tagSlot(detail::entryTag(table[next]), mask);
        // Move the entry back if its home lies cyclically outside (slot, next].
        const bool movable =
            slot <= next ? (home <= slot || home > next) : (home <= slot && home > next);
        if (movable) {
            table[slot] = table[next];
            table[next] = 0;
            slot = next;
        }
    }
}

}  // namespace vixen::graph
