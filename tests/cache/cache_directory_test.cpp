// Where caches live, and what `vixen cache info` / `clear` see and touch.
#include "vixen/cache/cache_directory.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "cache_test_support.hpp"
#include "vixen/cache/persistent_cache.hpp"

namespace vixen::cache {
namespace {

using testing::bytesOf;
using testing::ScratchDirectory;

/// Sets an environment variable for one scope, restoring it after.
class ScopedEnvironment {
public:
    ScopedEnvironment(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) {
            old_ = old;
        }
        if (value != nullptr) {
            ::setenv(name, value, 1);
        } else {
            ::unsetenv(name);
        }
    }
    ~ScopedEnvironment() {
        if (old_) {
            ::setenv(name_, old_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }
    ScopedEnvironment(const ScopedEnvironment&) = delete;
    ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

TEST(CacheDirectoryTest, TheRootComesFromTheOptionThenTheEnvironment) {
    const ScopedEnvironment vixen("VIXEN_CACHE_DIR", "/tmp/from-vixen");
    const ScopedEnvironment xdg("XDG_CACHE_HOME", "/tmp/xdg");
    const ScopedEnvironment home("HOME", "/tmp/home");
    EXPECT_EQ(*resolveCacheRoot("/tmp/option"), "/tmp/option");
    EXPECT_EQ(*resolveCacheRoot({}), "/tmp/from-vixen");
    {
        const ScopedEnvironment unset("VIXEN_CACHE_DIR", nullptr);
        EXPECT_EQ(*resolveCacheRoot({}), "/tmp/xdg/vixen");
        const ScopedEnvironment noXdg("XDG_CACHE_HOME", nullptr);
        EXPECT_EQ(*resolveCacheRoot({}), "/tmp/home/.cache/vixen");
        const ScopedEnvironment noHome("HOME", nullptr);
        auto none = resolveCacheRoot({});
        ASSERT_FALSE(none);
        EXPECT_NE(none.error().message.find("--cache-dir"), std::string::npos);
    }
}

TEST(CacheDirectoryTest, InfoListsEachCacheAndClearRemovesOnlyCaches) {
    const ScratchDirectory scratch;
    const CacheIdentity host = CacheIdentity::host(3);
    {
        PersistentCache one(
            {scratch.path() / host.directoryName(), "spirv", host, CacheLayout::OneFile});
        one.insert(KeyBuilder().add("a").key(), bytesOf("aaa"), 10);
        one.insert(KeyBuilder().add("b").key(), bytesOf("bbb"), 10);
        ASSERT_TRUE(one.save());
        PersistentCache perEntry(
            {scratch.path() / host.directoryName(), "scenes", host, CacheLayout::FilePerEntry});
        perEntry.insert(KeyBuilder().add("s").key(), bytesOf("scene"), 10);
        ASSERT_TRUE(perEntry.save());
    }
    testing::writeFile(scratch.path() / "not-ours.txt", {'k'});
    const auto caches = listCaches(scratch.path());
    ASSERT_EQ(caches.size(), 2U);
    EXPECT_EQ(caches[0].name, "scenes");
    EXPECT_EQ(caches[0].entries, 1U);
    EXPECT_EQ(caches[0].stats.misses, 1U);
    EXPECT_EQ(caches[1].name, "spirv");
    EXPECT_EQ(caches[1].identity, "host-v3");
    EXPECT_EQ(caches[1].entries, 2U);
    EXPECT_GT(caches[1].bytes, 0U);
    EXPECT_TRUE(caches[1].problems.empty());

    auto removed = clearCaches(scratch.path());
    ASSERT_TRUE(removed);
    EXPECT_GT(*removed, 3U);
    EXPECT_TRUE(listCaches(scratch.path()).empty());
    EXPECT_TRUE(std::filesystem::exists(scratch.path() / "not-ours.txt"));
    EXPECT_TRUE(clearCaches(scratch.path() / "never-made"));
}

}  // namespace
}  // namespace vixen::cache
