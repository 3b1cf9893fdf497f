#pragma once

// A flat open-addressing index from node name to node index, so declaring a node costs
// no allocation beyond amortised growth and no per-entry heap node.

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace vixen::graph {

inline constexpr std::uint32_t kNameNotFound = UINT32_MAX;

namespace detail {

inline std::size_t nameSlot(std::string_view name, std::size_t mask) {
    return std::hash<std::string_view>{}(name)&mask;
}

template <class NameOf>
void growNameIndex(std::vector<std::uint32_t>& table, NameOf&& nameOf) {
    std::vector<std::uint32_t> old = std::move(table);
    table.assign(old.empty() ? 16 : old.size() * 2, 0);
    const std::size_t mask = table.size() - 1;
    for (const std::uint32_t entry : old) {
        if (entry != 0) {
            std::size_t slot = nameSlot(nameOf(entry - 1), mask);
            while (table[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            table[slot] = entry;
        }
    }
}

}  // namespace detail

/// Inserts `index` under `name`; false (and nothing inserted) when the name is taken.
template <class NameOf>
bool insertName(std::vector<std::uint32_t>& table, std::string_view name, std::uint32_t index,
                std::size_t count, NameOf&& nameOf) {
    if ((count + 1) * 2 > table.size()) {
        detail::growNameIndex(table, nameOf);
    }
    const std::size_t mask = table.size() - 1;
    std::size_t slot = detail::nameSlot(name, mask);
    while (table[slot] != 0) {
        if (nameOf(table[slot] - 1) == name) {
            return false;
        }
        slot = (slot + 1) & mask;
    }
    table[slot] = index + 1;
    return true;
}

template <class NameOf>
std::uint32_t findName(const std::vector<std::uint32_t>& table, std::string_view name,
                       NameOf&& nameOf) {
    if (table.empty()) {
        return kNameNotFound;
    }
    const std::size_t mask = table.size() - 1;
    for (std::size_t slot = detail::nameSlot(name, mask); table[slot] != 0;
         slot = (slot + 1) & mask) {
        if (nameOf(table[slot] - 1) == name) {
            return table[slot] - 1;
        }
    }
    return kNameNotFound;
}

/// Removes the entry of `index`, shifting later entries of the probe run back.
template <class NameOf>
void eraseName(std::vector<std::uint32_t>& table, std::string_view name, std::uint32_t index,
               NameOf&& nameOf) {
    if (table.empty()) {
        return;
    }
    const std::size_t mask = table.size() - 1;
    std::size_t slot = detail::nameSlot(name, mask);
    while (table[slot] != 0 && table[slot] != index + 1) {
        slot = (slot + 1) & mask;
    }
    if (table[slot] == 0) {
        return;
    }
    table[slot] = 0;
    for (std::size_t next = (slot + 1) & mask; table[next] != 0; next = (next + 1) & mask) {
        const std::size_t home = detail::nameSlot(nameOf(table[next] - 1), mask);
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
