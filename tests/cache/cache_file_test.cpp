// The cache file format: what is written reads back, and any damage is caught before a
// value is believed: every byte flipped, every truncation, another version, another device.
#include "vixen/cache/cache_file.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "cache_test_support.hpp"

namespace vixen::cache {
namespace {

using testing::bytesOf;
using testing::keyOf;
using testing::readFile;
using testing::ScratchDirectory;
using testing::writeFile;

CacheIdentity device(std::uint8_t seed) {
    CacheIdentity identity;
    identity.kind = 1;
    identity.vendorId = 0x10DE;
    identity.deviceId = 0x2330;
    identity.driverVersion = 580;
    for (std::size_t i = 0; i < identity.pipelineCacheUuid.size(); ++i) {
        identity.pipelineCacheUuid[i] = static_cast<std::uint8_t>(seed + i);
    }
    return identity;
}

/// Every value of `file` read back: the bytes of entry i, or an empty vector where it failed.
std::vector<std::vector<std::byte>> readAll(const CacheFileReader& file) {
    std::vector<std::vector<std::byte>> values;
    for (std::size_t i = 0; i < file.entries().size(); ++i) {
        auto value = file.read(i);
        values.push_back(value ? std::move(*value) : std::vector<std::byte>{});
    }
    return values;
}

TEST(CacheKeyTest, PartsAreHashedWithTheirLengths) {
    EXPECT_NE(KeyBuilder().add("ab").add("c").key(), KeyBuilder().add("a").add("bc").key());
    EXPECT_EQ(KeyBuilder().add("x").add(std::uint32_t{7}).key(),
              KeyBuilder().add("x").add(std::uint32_t{7}).key());
    EXPECT_NE(KeyBuilder().add(std::uint32_t{7}).key(), KeyBuilder().add(std::uint64_t{7}).key());
    EXPECT_EQ(keyOf("scene").hex().size(), 32U);
}

TEST(CacheFileTest, WhatIsWrittenReadsBackSmallAndCompressed) {
    const ScratchDirectory scratch;
    const auto path = scratch.path() / "test.vxc";
    const auto small = bytesOf("a small value");
    std::vector<std::byte> large(100000);
    for (std::size_t i = 0; i < large.size(); ++i) {
        large[i] = static_cast<std::byte>((i * 7) % 13);
    }
    const std::vector<CacheEntryToWrite> entries{{keyOf("small"), small, 12, {}, nullptr},
                                                 {keyOf("large"), large, 3400, {}, nullptr},
                                                 {keyOf("empty"), {}, 0, {}, nullptr}};
    ASSERT_TRUE(writeCacheFile(path, "test", device(1), {5, 6, 7}, entries));
    auto file = CacheFileReader::open(path, "test", device(1));
    ASSERT_TRUE(file) << file.error().message;
    ASSERT_EQ(file->entries().size(), 3U);
    EXPECT_EQ(file->stats().hits, 5U);
    EXPECT_EQ(file->stats().misses, 6U);
    EXPECT_EQ(file->stats().savedMicros, 7U);
    EXPECT_EQ(file->entries()[0].key, keyOf("small"));
    EXPECT_FALSE(file->entries()[0].compressed);
    EXPECT_TRUE(file->entries()[1].compressed);
    EXPECT_LT(file->entries()[1].storedBytes, large.size() / 4);
    EXPECT_EQ(file->entries()[1].createMicros, 3400U);
    const auto values = readAll(*file);
    EXPECT_EQ(values[0], small);
    EXPECT_EQ(values[1], large);
    EXPECT_TRUE(values[2].empty());
    EXPECT_EQ(file->name(), "test");
    EXPECT_EQ(file->identity(), device(1));
    // No temporary is left beside it.
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(scratch.path()),
                            std::filesystem::directory_iterator()),
              1);
}

class DamagedCacheFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::vector<std::byte> large(6000);
        for (std::size_t i = 0; i < large.size(); ++i) {
            large[i] = static_cast<std::byte>(i % 251 < 200 ? 0 : i);
        }
        const auto small = bytesOf("sixteen bytes!!!");
        const std::vector<CacheEntryToWrite> entries{{keyOf("one"), small, 1, {}, nullptr},
                                                     {keyOf("two"), large, 2, {}, nullptr}};
        ASSERT_TRUE(writeCacheFile(path(), "test", device(1), {}, entries));
        original_ = readFile(path());
        expected_ = {small, large};
    }
    [[nodiscard]] std::filesystem::path path() const { return scratch_.path() / "test.vxc"; }

    /// Opening and reading `bytes` as the file either fails or gives exactly the values
    /// written (a flip in an unused byte may go unnoticed only if nothing read changes).
    void expectDamageCaughtOrHarmless(const std::vector<char>& bytes, const std::string& what) {
        writeFile(path(), bytes);
        auto file = CacheFileReader::open(path(), "test", device(1));
        if (!file) {
            EXPECT_NE(file.error().message.find(path().string()), std::string::npos)
                << what << ": " << file.error().message;
            EXPECT_EQ(file.error().code, ErrorCode::ParseError) << what;
            return;
        }
        ASSERT_EQ(file->entries().size(), expected_.size()) << what;
        for (std::size_t i = 0; i < expected_.size(); ++i) {
            auto value = file->read(i);
            if (value) {
                EXPECT_EQ(*value, expected_[i]) << what << ": entry " << i << " read wrong";
            } else {
                EXPECT_NE(value.error().message.find(path().string()), std::string::npos);
                ++entryFailures_;
            }
        }
        ++opened_;
    }

    ScratchDirectory scratch_;
    std::vector<char> original_;
    std::vector<std::vector<std::byte>> expected_;
    int opened_ = 0;
    int entryFailures_ = 0;
};

TEST_F(DamagedCacheFileTest, EveryFlippedByteIsCaught) {
    for (std::size_t at = 0; at < original_.size(); ++at) {
        std::vector<char> damaged = original_;
        damaged[at] = static_cast<char>(damaged[at] ^ 0x20);
        expectDamageCaughtOrHarmless(damaged, "byte " + std::to_string(at) + " flipped");
        if (HasFatalFailure()) {
            return;
        }
    }
    // Flips in the entries' bytes open fine and fail at the entry; nothing reads wrong.
    EXPECT_GT(entryFailures_, 0);
    EXPECT_EQ(opened_, entryFailures_) << "every flip is caught somewhere";
}

TEST_F(DamagedCacheFileTest, EveryTruncationIsCaught) {
    for (std::size_t length = 0; length < original_.size(); ++length) {
        const std::vector<char> truncated(original_.begin(),
                                          original_.begin() + static_cast<std::ptrdiff_t>(length));
        writeFile(path(), truncated);
        auto file = CacheFileReader::open(path(), "test", device(1));
        ASSERT_FALSE(file) << "truncated to " << length << " bytes";
        EXPECT_EQ(file.error().code, ErrorCode::ParseError);
        EXPECT_NE(file.error().message.find(path().string()), std::string::npos);
    }
    std::vector<char> longer = original_;
    longer.push_back('x');
    writeFile(path(), longer);
    EXPECT_FALSE(CacheFileReader::open(path(), "test", device(1))) << "a byte appended";
}

TEST_F(DamagedCacheFileTest, AnotherVersionDeviceOrCacheIsRefusedByName) {
    auto foreign = CacheFileReader::open(path(), "test", device(9));
    ASSERT_FALSE(foreign);
    EXPECT_NE(foreign.error().message.find("was written for device-0102"), std::string::npos)
        << foreign.error().message;
    auto other = CacheFileReader::open(path(), "other", device(1));
    ASSERT_FALSE(other);
    EXPECT_NE(other.error().message.find("another cache than 'other'"), std::string::npos);

    std::vector<char> future = original_;
    future[8] = 2;  // format version 2
    writeFile(path(), future);
    auto versioned = CacheFileReader::open(path(), "test", device(1));
    ASSERT_FALSE(versioned);
    EXPECT_NE(versioned.error().message.find("format version 2; this build reads version 1"),
              std::string::npos)
        << versioned.error().message;

    writeFile(path(), std::vector<char>(200, 'z'));
    auto garbage = CacheFileReader::open(path(), "test", device(1));
    ASSERT_FALSE(garbage);
    EXPECT_NE(garbage.error().message.find("not a VIXEN cache file"), std::string::npos);
}

TEST_F(DamagedCacheFileTest, AMissingOrUnreadableFileSaysSo) {
    EXPECT_EQ(CacheFileReader::open(scratch_.path() / "none.vxc", "test", device(1)).error().code,
              ErrorCode::NotFound);
    std::filesystem::create_directory(scratch_.path() / "dir.vxc");
    auto unreadable = CacheFileReader::open(scratch_.path() / "dir.vxc", "test", device(1));
    ASSERT_FALSE(unreadable);
    EXPECT_NE(unreadable.error().message.find("dir.vxc"), std::string::npos);
}

TEST(CacheFileTest, AFailedWriteLeavesTheOldFileAndNoTemporary) {
    const ScratchDirectory scratch;
    const auto path = scratch.path() / "test.vxc";
    const auto value = bytesOf("old");
    const CacheEntryToWrite entry{keyOf("k"), value, 0, {}, nullptr};
    ASSERT_TRUE(writeCacheFile(path, "test", device(1), {}, {&entry, 1}));
    // A directory in the way of the rename: the write fails at the last step.
    const auto blocked = scratch.path() / "blocked.vxc";
    std::filesystem::create_directories(blocked / "inside");
    auto failed = writeCacheFile(blocked, "test", device(1), {}, {&entry, 1});
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, ErrorCode::IoError);
    EXPECT_NE(failed.error().message.find("blocked.vxc"), std::string::npos);
    // Unwritable directory: creation fails.
    auto nowhere =
        writeCacheFile(scratch.path() / "missing" / "x.vxc", "test", device(1), {}, {&entry, 1});
    ASSERT_FALSE(nowhere);
    EXPECT_NE(nowhere.error().message.find("cannot be created"), std::string::npos);
    for (const auto& item : std::filesystem::directory_iterator(scratch.path())) {
        EXPECT_EQ(item.path().string().find(".tmp."), std::string::npos) << item.path();
    }
    auto file = CacheFileReader::open(path, "test", device(1));
    ASSERT_TRUE(file);
    EXPECT_EQ(*file->read(0), value);
}

TEST(CacheFileTest, AFrameThatLiesAboutItsSizeIsRefused) {
    const auto raw = std::vector<std::byte>(10000, std::byte{3});
    const auto stored = compress(raw);
    ASSERT_FALSE(stored.empty());
    EXPECT_TRUE(decompress(stored, raw.size()));
    EXPECT_FALSE(decompress(stored, raw.size() + 1));
    EXPECT_FALSE(decompress(std::span(stored).first(stored.size() / 2), raw.size()));
}

}  // namespace
}  // namespace vixen::cache
