#pragma once

// A typed cache: getOrCreate(key, create) returns the value made for `key`, creating it once
// however many threads ask at the same time (the others wait for it). Backed by a
// PersistentCache and a codec, a value missing from memory is looked for on disk before it
// is created, and what is created is kept for the next run. A value that does not decode is
// reported and created again. Used at setup and compile, never in a frame.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "vixen/cache/cache_key.hpp"
#include "vixen/cache/persistent_cache.hpp"
#include "vixen/core/error.hpp"

namespace vixen::cache {

struct TypedCacheStats {
    std::uint64_t hits = 0;    ///< found in memory
    std::uint64_t loads = 0;   ///< found on disk
    std::uint64_t misses = 0;  ///< created
    double createSeconds = 0.0;
    double loadSeconds = 0.0;
};

template <class Value>
class TypedCache {
public:
    struct Codec {
        std::function<std::vector<std::byte>(const Value&)> encode;
        std::function<Result<Value>(std::span<const std::byte>)> decode;
    };

    TypedCache() = default;
    /// Persists through `persistent` (which must outlive this cache) with `codec`.
    TypedCache(PersistentCache& persistent, Codec codec)
        : persistent_(&persistent), codec_(std::move(codec)) {}

    /// The value for `key`: from memory, from disk, or from `create` (a callable returning
    /// Result<Value>). A failed creation is returned to every caller waiting for it and not
    /// kept, so a later call tries again.
    template <class Create>
    Result<std::shared_ptr<const Value>> getOrCreate(const CacheKey& key, Create&& create) {
        std::shared_ptr<Slot> slot;
        {
            std::unique_lock lock(mutex_);
            auto [found, inserted] = slots_.try_emplace(key);
            if (!inserted) {
                slot = found->second;
                ready_.wait(lock, [&] { return slot->done; });
                if (slot->value) {
                    ++stats_.hits;
                    return slot->value;
                }
                return std::unexpected(slot->error);
            }
            slot = found->second = std::make_shared<Slot>();
        }
        Result<std::shared_ptr<const Value>> made = load(key);
        if (!made || !*made) {
            made = createAndKeep(key, std::forward<Create>(create));
        }
        const std::lock_guard lock(mutex_);
        slot->done = true;
        if (made) {
            slot->value = *made;
        } else {
            slot->error = made.error();
            slots_.erase(key);
        }
        ready_.notify_all();
        return made;
    }

    [[nodiscard]] TypedCacheStats stats() const {
        const std::lock_guard lock(mutex_);
        return stats_;
    }

    /// Forgets the value of `key` held in memory (those who hold it keep it).
    void erase(const CacheKey& key) {
        const std::lock_guard lock(mutex_);
        if (const auto found = slots_.find(key); found != slots_.end() && found->second->done) {
            slots_.erase(found);
        }
    }

private:
    struct Slot {
        bool done = false;
        std::shared_ptr<const Value> value;
        Error error;
    };
    using Clock = std::chrono::steady_clock;

    static double secondsSince(Clock::time_point start) {
        return std::chrono::duration<double>(Clock::now() - start).count();
    }

    /// The value from disk, or null when there is none (or it did not decode).
    Result<std::shared_ptr<const Value>> load(const CacheKey& key) {
        if (persistent_ == nullptr) {
            return nullptr;
        }
        const auto start = Clock::now();
        auto bytes = persistent_->find(key);
        if (!bytes) {
            return nullptr;
        }
        auto value = codec_.decode(*bytes);
        if (!value) {
            reportUndecodable(key, value.error());
            return nullptr;
        }
        const std::lock_guard lock(mutex_);
        ++stats_.loads;
        stats_.loadSeconds += secondsSince(start);
        return std::make_shared<const Value>(std::move(*value));
    }

    template <class Create>
    Result<std::shared_ptr<const Value>> createAndKeep(const CacheKey& key, Create&& create) {
        const auto start = Clock::now();
        Result<Value> created = create();
        if (!created) {
            return std::unexpected(std::move(created.error()));
        }
        const double seconds = secondsSince(start);
        auto value = std::make_shared<const Value>(std::move(*created));
        if (persistent_ != nullptr) {
            persistent_->insert(key, codec_.encode(*value),
                                static_cast<std::uint64_t>(seconds * 1e6));
        }
        const std::lock_guard lock(mutex_);
        ++stats_.misses;
        stats_.createSeconds += seconds;
        return value;
    }

    void reportUndecodable(const CacheKey& key, const Error& error) {
        persistent_->reportProblem(fmt::format(
            "entry {} does not decode ({}); it will be created again", key.hex(), error.message));
    }

    PersistentCache* persistent_ = nullptr;
    Codec codec_;
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::unordered_map<CacheKey, std::shared_ptr<Slot>, CacheKeyHash> slots_;
    TypedCacheStats stats_;
};

}  // namespace vixen::cache
