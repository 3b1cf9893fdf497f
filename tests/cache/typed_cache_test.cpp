// TypedCache: one creation per key however many threads ask, failures not kept, and values
// persisted through a codec, with a value that does not decode created again.
#include "vixen/cache/typed_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <cstring>
#include <thread>

#include "cache_test_support.hpp"

namespace vixen::cache {
namespace {

using testing::keyOf;
using testing::ScratchDirectory;

TypedCache<std::string>::Codec stringCodec() {
    return {[](const std::string& value) {
                std::vector<std::byte> bytes(value.size());
                std::memcpy(bytes.data(), value.data(), value.size());
                return bytes;
            },
            [](std::span<const std::byte> bytes) -> Result<std::string> {
                if (!bytes.empty() && bytes[0] == std::byte{'!'}) {
                    return fail(ErrorCode::ParseError, "starts with '!'");
                }
                return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
            }};
}

TEST(TypedCacheTest, ConcurrentRequestsForOneKeyCreateItOnce) {
    TypedCache<std::string> cache;
    std::atomic<int> creations{0};
    constexpr int kThreads = 8;
    std::barrier start(kThreads);
    std::vector<std::shared_ptr<const std::string>> results(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            start.arrive_and_wait();
            auto value = cache.getOrCreate(keyOf("shared"), [&]() -> Result<std::string> {
                ++creations;
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                return std::string("made");
            });
            results[static_cast<std::size_t>(t)] = value ? *value : nullptr;
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(creations.load(), 1);
    for (const auto& result : results) {
        ASSERT_NE(result, nullptr);
        EXPECT_EQ(result.get(), results[0].get()) << "one value shared";
    }
    const TypedCacheStats stats = cache.stats();
    EXPECT_EQ(stats.misses, 1U);
    EXPECT_EQ(stats.hits, kThreads - 1U);
    EXPECT_GT(stats.createSeconds, 0.0);
}

TEST(TypedCacheTest, AFailedCreationReachesEveryoneAndIsTriedAgainLater) {
    TypedCache<std::string> cache;
    auto failed = cache.getOrCreate(keyOf("k"), []() -> Result<std::string> {
        return fail(ErrorCode::InvalidArgument, "shader 'x.comp' line 3: bad");
    });
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message, "shader 'x.comp' line 3: bad");
    auto retried = cache.getOrCreate(keyOf("k"), []() -> Result<std::string> { return "ok"; });
    ASSERT_TRUE(retried);
    EXPECT_EQ(**retried, "ok");
    EXPECT_EQ(cache.stats().misses, 1U);
}

TEST(TypedCacheTest, PersistedValuesLoadInTheNextRunInsteadOfBeingCreated) {
    const ScratchDirectory scratch;
    const PersistentCacheOptions options{scratch.path() / "host-v1", "strings",
                                         CacheIdentity::host(1), CacheLayout::OneFile};
    int creations = 0;
    const auto create = [&]() -> Result<std::string> {
        ++creations;
        return std::string("value");
    };
    {
        PersistentCache disk(options);
        TypedCache<std::string> cache(disk, stringCodec());
        ASSERT_TRUE(cache.getOrCreate(keyOf("a"), create));
        ASSERT_TRUE(disk.save());
    }
    PersistentCache disk(options);
    TypedCache<std::string> cache(disk, stringCodec());
    auto loaded = cache.getOrCreate(keyOf("a"), create);
    ASSERT_TRUE(loaded);
    EXPECT_EQ(**loaded, "value");
    EXPECT_EQ(creations, 1);
    EXPECT_EQ(cache.stats().loads, 1U);
    EXPECT_EQ(cache.stats().misses, 0U);
}

TEST(TypedCacheTest, AValueThatDoesNotDecodeIsReportedAndCreatedAgain) {
    const ScratchDirectory scratch;
    const PersistentCacheOptions options{scratch.path() / "host-v1", "strings",
                                         CacheIdentity::host(1), CacheLayout::OneFile};
    {
        PersistentCache disk(options);
        disk.insert(keyOf("a"), testing::bytesOf("!stale layout"), 1);
        ASSERT_TRUE(disk.save());
    }
    PersistentCache disk(options);
    TypedCache<std::string> cache(disk, stringCodec());
    auto value = cache.getOrCreate(keyOf("a"), []() -> Result<std::string> { return "fresh"; });
    ASSERT_TRUE(value);
    EXPECT_EQ(**value, "fresh");
    ASSERT_EQ(disk.problems().size(), 1U);
    EXPECT_NE(disk.problems()[0].find("does not decode (starts with '!')"), std::string::npos);
    ASSERT_TRUE(disk.save());
    PersistentCache next(options);
    EXPECT_EQ(next.find(keyOf("a")), testing::bytesOf("fresh"));
}

}  // namespace
}  // namespace vixen::cache
