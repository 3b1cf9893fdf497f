#pragma once

// What a cache entry is found by: a 128-bit content hash (XXH3) of everything its value
// depends on. KeyBuilder feeds the parts in order, each with its length, so ("ab", "c") and
// ("a", "bc") give different keys.

#include <xxhash.h>

#include <bit>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace vixen::cache {

struct CacheKey {
    std::uint64_t high = 0;
    std::uint64_t low = 0;

    friend bool operator==(const CacheKey&, const CacheKey&) = default;
    friend auto operator<=>(const CacheKey&, const CacheKey&) = default;

    /// 32 hexadecimal digits, high word first (a file name for a per-entry cache).
    [[nodiscard]] std::string hex() const;
};

struct CacheKeyHash {
    std::size_t operator()(const CacheKey& key) const noexcept {
        return static_cast<std::size_t>(key.low ^ std::rotl(key.high, 17));
    }
};

class KeyBuilder {
public:
    KeyBuilder();
    ~KeyBuilder();
    KeyBuilder(const KeyBuilder&) = delete;
    KeyBuilder& operator=(const KeyBuilder&) = delete;

    KeyBuilder& add(std::span<const std::byte> bytes);
    KeyBuilder& add(std::string_view text);
    KeyBuilder& add(const char* text) { return add(std::string_view(text)); }
    template <class Number>
    requires std::is_arithmetic_v<Number> || std::is_enum_v<Number> KeyBuilder& add(Number value) {
        return add(std::as_bytes(std::span<const Number, 1>(&value, 1)));
    }

    [[nodiscard]] CacheKey key() const;

private:
    XXH3_state_t* state_;
};

}  // namespace vixen::cache
