#include "vixen/cache/cache_key.hpp"

#include <fmt/format.h>

#include <cassert>
#include <new>

namespace vixen::cache {

std::string CacheKey::hex() const {
    return fmt::format("{:016x}{:016x}", high, low);
}

KeyBuilder::KeyBuilder() : state_(XXH3_createState()) {
    if (state_ == nullptr) {
        throw std::bad_alloc();
    }
    XXH3_128bits_reset(state_);
}

KeyBuilder::~KeyBuilder() {
    XXH3_freeState(state_);
}

KeyBuilder& KeyBuilder::add(std::span<const std::byte> bytes) {
    const std::uint64_t length = bytes.size();
    XXH3_128bits_update(state_, &length, sizeof length);
    XXH3_128bits_update(state_, bytes.data(), bytes.size());
    return *this;
}

KeyBuilder& KeyBuilder::add(std::string_view text) {
    return add(std::as_bytes(std::span(text.data(), text.size())));
}

CacheKey KeyBuilder::key() const {
    const XXH128_hash_t hash = XXH3_128bits_digest(state_);
    return {hash.high64, hash.low64};
}

}  // namespace vixen::cache
