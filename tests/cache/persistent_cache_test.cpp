// Persistent caches across runs (each PersistentCache here is one run): values come back,
// runs sharing a directory merge, anything damaged is reported once, dropped and created
// again, a full disk loses nothing old, and a writer killed while saving leaves the old
// cache or the new one, never a broken one.
#include "vixen/cache/persistent_cache.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "cache_test_support.hpp"

namespace vixen::cache {
namespace {

using testing::bytesOf;
using testing::keyOf;
using testing::readFile;
using testing::ScratchDirectory;
using testing::writeFile;

PersistentCacheOptions optionsFor(const ScratchDirectory& scratch,
                                  CacheLayout layout = CacheLayout::OneFile) {
    return {scratch.path() / CacheIdentity::host(1).directoryName(), "things",
            CacheIdentity::host(1), layout};
}

class PersistentCacheTest : public ::testing::TestWithParam<CacheLayout> {
protected:
    ScratchDirectory scratch_;
};

TEST_P(PersistentCacheTest, ValuesComeBackInTheNextRunWithTheirCounters) {
    {
        PersistentCache run(optionsFor(scratch_, GetParam()));
        EXPECT_FALSE(run.find(keyOf("a")));
        run.insert(keyOf("a"), bytesOf("alpha"), 1500);
        run.insert(keyOf("b"), std::vector<std::byte>(50000, std::byte{1}), 250000);
        ASSERT_TRUE(run.save());
        EXPECT_EQ(run.stats().entries, 2U);
        EXPECT_TRUE(run.problems().empty());
    }
    PersistentCache next(optionsFor(scratch_, GetParam()));
    EXPECT_EQ(next.stats().entries, 2U);
    EXPECT_EQ(next.stats().allRuns.misses, 2U);
    EXPECT_EQ(next.find(keyOf("a")), bytesOf("alpha"));
    EXPECT_EQ(next.find(keyOf("b")), std::vector<std::byte>(50000, std::byte{1}));
    EXPECT_FALSE(next.find(keyOf("c")));
    EXPECT_EQ(next.stats().loads, 2U);
    EXPECT_EQ(next.stats().savedMicros, 251500U);
    ASSERT_TRUE(next.save());
    EXPECT_EQ(next.stats().allRuns.hits, 2U);
    EXPECT_EQ(next.stats().allRuns.savedMicros, 251500U);
    EXPECT_TRUE(next.problems().empty());
}

TEST_P(PersistentCacheTest, RunsSharingADirectoryKeepEachOthersEntries) {
    PersistentCache first(optionsFor(scratch_, GetParam()));
    PersistentCache second(optionsFor(scratch_, GetParam()));
    first.insert(keyOf("first"), bytesOf("1"), 1);
    second.insert(keyOf("second"), bytesOf("2"), 1);
    ASSERT_TRUE(first.save());
    ASSERT_TRUE(second.save());
    PersistentCache third(optionsFor(scratch_, GetParam()));
    EXPECT_EQ(third.find(keyOf("first")), bytesOf("1"));
    EXPECT_EQ(third.find(keyOf("second")), bytesOf("2"));
    EXPECT_EQ(third.stats().allRuns.misses, 2U);
}

TEST_P(PersistentCacheTest, ADamagedEntryIsReportedOnceDroppedAndCreatedAgain) {
    {
        PersistentCache run(optionsFor(scratch_, GetParam()));
        run.insert(keyOf("a"), bytesOf("alpha value"), 1);
        run.insert(keyOf("b"), bytesOf("bravo value"), 1);
        ASSERT_TRUE(run.save());
    }
    // Damage the bytes of entry "a" wherever its file keeps them.
    const auto options = optionsFor(scratch_, GetParam());
    const auto file = GetParam() == CacheLayout::OneFile
                          ? options.directory / "things.vxc"
                          : options.directory / "things" / (keyOf("a").hex() + ".vxc");
    std::vector<char> bytes = readFile(file);
    const std::string needle = "alpha value";
    const auto at = std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end());
    ASSERT_NE(at, bytes.end());
    *at = 'A';
    writeFile(file, bytes);

    PersistentCache run(options);
    EXPECT_FALSE(run.find(keyOf("a")));
    EXPECT_FALSE(run.find(keyOf("a")));
    EXPECT_EQ(run.find(keyOf("b")), bytesOf("bravo value"));
    ASSERT_EQ(run.problems().size(), 1U) << "reported once";
    EXPECT_NE(run.problems()[0].find(file.string()), std::string::npos) << run.problems()[0];
    run.insert(keyOf("a"), bytesOf("alpha value"), 1);
    ASSERT_TRUE(run.save());
    PersistentCache after(options);
    EXPECT_EQ(after.find(keyOf("a")), bytesOf("alpha value"));
    EXPECT_EQ(after.find(keyOf("b")), bytesOf("bravo value"));
    EXPECT_TRUE(after.problems().empty());
}

INSTANTIATE_TEST_SUITE_P(Layouts, PersistentCacheTest,
                         ::testing::Values(CacheLayout::OneFile, CacheLayout::FilePerEntry),
                         [](const auto& layout) {
                             return layout.param == CacheLayout::OneFile ? "OneFile"
                                                                         : "FilePerEntry";
                         });

TEST(PersistentCacheFaultTest, AForeignOrBrokenFileIsReportedAndReplaced) {
    const ScratchDirectory scratch;
    const auto options = optionsFor(scratch);
    std::filesystem::create_directories(options.directory);
    writeFile(options.directory / "things.vxc", std::vector<char>(300, 'q'));
    PersistentCache run(options);
    ASSERT_EQ(run.problems().size(), 1U);
    EXPECT_NE(run.problems()[0].find("not a VIXEN cache file"), std::string::npos);
    EXPECT_EQ(run.stats().entries, 0U);
    run.insert(keyOf("a"), bytesOf("x"), 1);
    ASSERT_TRUE(run.save());
    EXPECT_EQ(PersistentCache(options).find(keyOf("a")), bytesOf("x"));

    // Another device's file copied into this identity's directory is refused by name.
    auto foreign = options;
    foreign.identity = CacheIdentity::host(2);
    foreign.directory = scratch.path() / "elsewhere";
    PersistentCache other(foreign);
    other.insert(keyOf("a"), bytesOf("y"), 1);
    ASSERT_TRUE(other.save());
    std::filesystem::copy_file(foreign.directory / "things.vxc", options.directory / "things.vxc",
                               std::filesystem::copy_options::overwrite_existing);
    PersistentCache refused(options);
    EXPECT_FALSE(refused.find(keyOf("a")));
    ASSERT_EQ(refused.problems().size(), 1U);
    EXPECT_NE(refused.problems()[0].find("was written for host-v2"), std::string::npos)
        << refused.problems()[0];
}

TEST(PersistentCacheFaultTest, AnUnusableDirectoryKeepsNothingAndSaysWhy) {
    const ScratchDirectory scratch;
    writeFile(scratch.path() / "file", {'x'});
    PersistentCacheOptions options{scratch.path() / "file" / "below", "things",
                                   CacheIdentity::host(1), CacheLayout::OneFile};
    PersistentCache run(options);
    ASSERT_EQ(run.problems().size(), 1U);
    EXPECT_NE(run.problems()[0].find("cannot be created"), std::string::npos);
    run.insert(keyOf("a"), bytesOf("x"), 1);
    EXPECT_EQ(run.find(keyOf("a")), bytesOf("x")) << "still served this run";
    EXPECT_FALSE(run.save());
}

/// Runs `body` in a child process and returns its exit status.
template <class Body>
int inChild(Body body) {
    const pid_t child = ::fork();
    if (child == 0) {
        ::_exit(body());
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

TEST(PersistentCacheFaultTest, AFullDiskFailsTheSaveAndKeepsTheOldCache) {
    const ScratchDirectory scratch;
    const auto options = optionsFor(scratch);
    {
        PersistentCache run(options);
        run.insert(keyOf("old"), bytesOf("kept"), 1);
        ASSERT_TRUE(run.save());
    }
    // A file size limit makes every write past 4 KiB fail as a full disk would.
    const int status = inChild([&] {
        ::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{4096, 4096};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        PersistentCache run(options);
        std::vector<std::byte> big(1 << 20);
        std::mt19937 random(1);
        for (auto& b : big) {
            b = static_cast<std::byte>(random());  // incompressible
        }
        run.insert(keyOf("new"), std::move(big), 1);
        auto saved = run.save();
        return !saved && saved.error().code == ErrorCode::IoError ? 0 : 1;
    });
    EXPECT_EQ(status, 0) << "the save reports the failed write";
    PersistentCache after(options);
    EXPECT_TRUE(after.problems().empty());
    EXPECT_EQ(after.find(keyOf("old")), bytesOf("kept"));
    EXPECT_FALSE(after.find(keyOf("new")));
    for (const auto& item : std::filesystem::directory_iterator(options.directory)) {
        EXPECT_EQ(item.path().string().find(".tmp."), std::string::npos) << item.path();
    }
}

TEST(PersistentCacheFaultTest, TwoProcessesSavingOneCacheLoseNothingOfEachOther) {
    const ScratchDirectory scratch;
    const auto options = optionsFor(scratch);
    constexpr int kKeys = 25;
    std::vector<pid_t> writers;
    for (int writer = 0; writer < 2; ++writer) {
        const pid_t child = ::fork();
        if (child == 0) {
            // Each run inserts one key of its own and saves, as separate processes would.
            for (int k = 0; k < kKeys; ++k) {
                PersistentCache run(options);
                const std::string name =
                    "writer" + std::to_string(writer) + "-" + std::to_string(k);
                run.insert(keyOf(name), bytesOf(name), 1);
                if (!run.save() || !run.problems().empty()) {
                    ::_exit(1);
                }
            }
            ::_exit(0);
        }
        writers.push_back(child);
    }
    for (const pid_t writer : writers) {
        int status = 0;
        ::waitpid(writer, &status, 0);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    PersistentCache after(options);
    EXPECT_TRUE(after.problems().empty());
    EXPECT_EQ(after.stats().entries, 2U * kKeys);
    EXPECT_EQ(after.stats().allRuns.misses, 2U * kKeys);
    for (int writer = 0; writer < 2; ++writer) {
        for (int k = 0; k < kKeys; ++k) {
            const std::string name = "writer" + std::to_string(writer) + "-" + std::to_string(k);
            EXPECT_EQ(after.find(keyOf(name)), bytesOf(name)) << name;
        }
    }
}

TEST(PersistentCacheFaultTest, AWriterKilledWhileSavingLeavesTheOldCacheOrTheNew) {
    const ScratchDirectory scratch;
    const auto options = optionsFor(scratch);
    std::mt19937 random(7);
    for (int round = 0; round < 100; ++round) {
        const pid_t child = ::fork();
        if (child == 0) {
            // Save generation after generation: values of 64 KiB to 1 MiB, each naming its
            // generation, so a reader can tell old from new and both from broken.
            for (std::uint32_t generation = 1;; ++generation) {
                PersistentCache run(options);
                std::vector<std::byte> value((64U << 10U) * (1 + generation % 16),
                                             static_cast<std::byte>(generation));
                run.insert(keyOf("value"), std::move(value), generation);
                if (!run.save()) {
                    ::_exit(1);
                }
            }
        }
        std::this_thread::sleep_for(std::chrono::microseconds(random() % 20000));
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        ASSERT_TRUE(WIFSIGNALED(status)) << "round " << round << ": the writer stopped by itself";
        PersistentCache after(options);
        ASSERT_TRUE(after.problems().empty())
            << "round " << round << ": " << after.problems().front();
        if (const auto value = after.find(keyOf("value"))) {
            ASSERT_FALSE(value->empty());
            const std::byte generation = value->front();
            EXPECT_EQ(value->size(), (64U << 10U) * (1 + static_cast<unsigned>(generation) % 16));
            EXPECT_TRUE(std::all_of(value->begin(), value->end(),
                                    [&](std::byte b) { return b == generation; }));
        }
    }
    // Temporaries of killed writers are removed by the next run that opens the cache.
    for (const auto& item : std::filesystem::directory_iterator(options.directory)) {
        EXPECT_EQ(item.path().string().find(".tmp."), std::string::npos) << item.path();
    }
}

}  // namespace
}  // namespace vixen::cache
