#include "vixen/core/trace.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "vixen/core/alloc_tracker.hpp"

namespace vixen::core {
namespace {

using nlohmann::json;

/// A fresh directory under the system temp directory, removed with everything in it.
class TempDir {
public:
    explicit TempDir(std::string_view name)
        : path_(std::filesystem::temp_directory_path() /
                fmt::format("vixen_trace_{}_{}", ::getpid(), name)) {
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

json readJson(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return json::parse(text.str());
}

/// The events with "ph" == `phase`, in file order.
std::vector<json> eventsOfPhase(const json& trace, std::string_view phase) {
    std::vector<json> found;
    for (const json& event : trace.at("traceEvents")) {
        if (event.at("ph") == phase) {
            found.push_back(event);
        }
    }
    return found;
}

TEST(TraceRecorderTest, WritesChromeTraceJsonWithTracksSpansAndCounters) {
    TraceRecorder recorder(16, "vixen test");
    const TraceTrack cpu = recorder.addTrack("CPU");
    const TraceTrack gpu = recorder.addTrack("GPU");
    EXPECT_EQ(cpu.index, 0U);
    EXPECT_EQ(gpu.index, 1U);
    EXPECT_TRUE(recorder.complete("compile", "phase", cpu, 1'234'567, 2'000));
    EXPECT_TRUE(recorder.complete("taa", "node", gpu, 5'000'000'000'001, 999));
    EXPECT_TRUE(recorder.counter("frame ms", cpu, 3'000, 16.5));
    EXPECT_EQ(recorder.size(), 3U);

    const TempDir dir("spans");
    const std::filesystem::path path = dir.path() / "trace.json";
    const auto written = recorder.writeChromeTrace(path);
    ASSERT_TRUE(written) << written.error().message;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "trace.json.tmp"));
    const json trace = readJson(path);

    EXPECT_EQ(trace.at("displayTimeUnit"), "ns");
    EXPECT_EQ(trace.at("otherData").at("droppedEvents"), 0);

    const std::vector<json> metadata = eventsOfPhase(trace, "M");
    ASSERT_EQ(metadata.size(), 5U);  // process name, then a name and a sort index per track
    EXPECT_EQ(metadata[0].at("name"), "process_name");
    EXPECT_EQ(metadata[0].at("args").at("name"), "vixen test");
    EXPECT_EQ(metadata[1].at("name"), "thread_name");
    EXPECT_EQ(metadata[1].at("tid"), 0);
    EXPECT_EQ(metadata[1].at("args").at("name"), "CPU");
    EXPECT_EQ(metadata[2].at("name"), "thread_sort_index");
    EXPECT_EQ(metadata[2].at("args").at("sort_index"), 0);
    EXPECT_EQ(metadata[3].at("tid"), 1);
    EXPECT_EQ(metadata[3].at("args").at("name"), "GPU");

    const std::vector<json> spans = eventsOfPhase(trace, "X");
    ASSERT_EQ(spans.size(), 2U);
    EXPECT_EQ(spans[0].at("name"), "compile");
    EXPECT_EQ(spans[0].at("cat"), "phase");
    EXPECT_DOUBLE_EQ(spans[0].at("ts").get<double>(), 1234.567);
    EXPECT_DOUBLE_EQ(spans[0].at("dur").get<double>(), 2.0);
    EXPECT_EQ(spans[0].at("pid"), 1);
    EXPECT_EQ(spans[0].at("tid"), 0);
    EXPECT_EQ(spans[1].at("name"), "taa");
    EXPECT_EQ(spans[1].at("tid"), 1);
    EXPECT_DOUBLE_EQ(spans[1].at("ts").get<double>(), 5'000'000'000.001);
    EXPECT_DOUBLE_EQ(spans[1].at("dur").get<double>(), 0.999);

    const std::vector<json> counters = eventsOfPhase(trace, "C");
    ASSERT_EQ(counters.size(), 1U);
    EXPECT_EQ(counters[0].at("name"), "frame ms");
    EXPECT_DOUBLE_EQ(counters[0].at("ts").get<double>(), 3.0);
    EXPECT_DOUBLE_EQ(counters[0].at("args").at("value").get<double>(), 16.5);

    // Writing again replaces the file, and the text is what toChromeTraceJson gives.
    recorder.clear();
    ASSERT_TRUE(recorder.complete("only", "phase", cpu, 0, 1));
    ASSERT_TRUE(recorder.writeChromeTrace(path));
    EXPECT_EQ(readJson(path), json::parse(recorder.toChromeTraceJson()));
    EXPECT_EQ(eventsOfPhase(readJson(path), "X").size(), 1U);
}

TEST(TraceRecorderTest, EscapesQuotesBackslashesControlCharactersAndBadUtf8) {
    std::string escaped;
    appendJsonEscaped(escaped, "a\"b\\c\n\t\r\b\f\x01\x1f\x7f");
    EXPECT_EQ(escaped, "a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f\x7f");

    escaped.clear();
    appendJsonEscaped(escaped, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xa8");  // é € 🎨 stay
    EXPECT_EQ(escaped, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xa8");

    escaped.clear();
    // A stray continuation byte, an overlong '/', a surrogate, a cut-off sequence.
    appendJsonEscaped(escaped, "x\x80y\xc0\xafz\xed\xa0\x80w\xe2\x82");
    EXPECT_EQ(escaped, "x\\ufffdy\\ufffd\\ufffdz\\ufffd\\ufffd\\ufffdw\\ufffd\\ufffd");

    // Through a whole trace: the parsed names are the originals.
    const std::string nasty = std::string("say \"hi\"\\path\nnext\ttab\x02 end") + '\0' + "nul";
    TraceRecorder recorder(4);
    const TraceTrack track = recorder.addTrack("tab\there \"quoted\"");
    ASSERT_TRUE(recorder.complete(nasty, "cat\\egory", track, 0, 10));
    ASSERT_TRUE(recorder.complete("bad \xff byte", "c", track, 10, 10));
    const json trace = json::parse(recorder.toChromeTraceJson());
    const std::vector<json> spans = eventsOfPhase(trace, "X");
    ASSERT_EQ(spans.size(), 2U);
    EXPECT_EQ(spans[0].at("name").get<std::string>(), nasty);
    EXPECT_EQ(spans[0].at("cat"), "cat\\egory");
    EXPECT_EQ(spans[1].at("name").get<std::string>(), "bad \xef\xbf\xbd byte");  // U+FFFD
    EXPECT_EQ(eventsOfPhase(trace, "M")[1].at("args").at("name"), "tab\there \"quoted\"");
}

TEST(TraceRecorderTest, CountsDroppedEventsOnceFullAndNeverGrows) {
    TraceRecorder recorder(3);
    const TraceTrack track = recorder.addTrack("CPU");
    EXPECT_TRUE(recorder.complete("a", "c", track, 0, 1));
    EXPECT_TRUE(recorder.complete("b", "c", track, 1, 1));
    EXPECT_TRUE(recorder.counter("n", track, 2, 1.0));
    EXPECT_FALSE(recorder.complete("d", "c", track, 3, 1));
    EXPECT_FALSE(recorder.counter("n", track, 4, 2.0));
    EXPECT_EQ(recorder.size(), 3U);
    EXPECT_EQ(recorder.capacity(), 3U);
    EXPECT_EQ(recorder.dropped(), 2U);
    ASSERT_EQ(recorder.events().size(), 3U);
    EXPECT_EQ(recorder.events()[1].name, "b");

    const json trace = json::parse(recorder.toChromeTraceJson());
    EXPECT_EQ(trace.at("otherData").at("droppedEvents"), 2);
    EXPECT_EQ(eventsOfPhase(trace, "X").size(), 2U);
    EXPECT_EQ(eventsOfPhase(trace, "C").size(), 1U);

    // A counter JSON cannot carry is refused and counted, even with room left.
    recorder.clear();
    EXPECT_EQ(recorder.size(), 0U);
    EXPECT_EQ(recorder.dropped(), 0U);
    EXPECT_FALSE(recorder.counter("n", track, 5, std::numeric_limits<double>::quiet_NaN()));
    EXPECT_FALSE(recorder.counter("n", track, 5, std::numeric_limits<double>::infinity()));
    EXPECT_EQ(recorder.size(), 0U);
    EXPECT_EQ(recorder.dropped(), 2U);
    EXPECT_TRUE(recorder.complete("after clear", "c", track, 6, 1));
    EXPECT_EQ(recorder.events()[0].name, "after clear");
}

TEST(TraceRecorderTest, RecordingAllocatesNothingEvenWhenFull) {
    ASSERT_TRUE(AllocationTracker::installed());
    TraceRecorder recorder(1000);
    const TraceTrack cpu = recorder.addTrack("CPU");
    const TraceTrack gpu = recorder.addTrack("GPU");
    const std::string_view nodeName = recorder.intern(std::string("node ") + std::to_string(7));

    NoAllocationGuard guard;
    for (int i = 0; i < 600; ++i) {
        recorder.complete(nodeName, "node", gpu, i * 100, 50);
        recorder.counter("queue depth", cpu, i * 100, i);
        const TraceRecorder::Scope scope(&recorder, "execute", "phase", cpu);
        const TraceRecorder::Scope off(nullptr, "execute", "phase", cpu);
    }
    EXPECT_TRUE(guard.ok()) << guard.describe();
    EXPECT_EQ(recorder.size(), 1000U);
    EXPECT_EQ(recorder.dropped(), 800U);
}

TEST(TraceRecorderTest, ScopeRecordsASteadyClockSpan) {
    TraceRecorder recorder(4);
    const TraceTrack cpu = recorder.addTrack("CPU");
    const std::int64_t before = steadyClockNs();
    {
        const TraceRecorder::Scope scope(&recorder, "setup", "phase", cpu);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    const std::int64_t after = steadyClockNs();
    ASSERT_EQ(recorder.size(), 1U);
    const TraceEvent& event = recorder.events()[0];
    EXPECT_EQ(event.kind, TraceEvent::Kind::Complete);
    EXPECT_EQ(event.name, "setup");
    EXPECT_EQ(event.category, "phase");
    EXPECT_EQ(event.track, cpu);
    EXPECT_GE(event.startNs, before);
    EXPECT_GE(event.durationNs, 2'000'000);
    EXPECT_LE(event.startNs + event.durationNs, after);
}

TEST(TraceRecorderTest, NegativeTimesAreWrittenAndNegativeDurationsClamped) {
    TraceRecorder recorder(4);
    const TraceTrack track = recorder.addTrack("GPU");
    ASSERT_TRUE(recorder.complete("early", "node", track, -1'500, -20));
    ASSERT_TRUE(recorder.complete("min", "node", track, std::numeric_limits<std::int64_t>::min(),
                                  std::numeric_limits<std::int64_t>::max()));
    EXPECT_EQ(recorder.events()[0].durationNs, 0);
    const json trace = json::parse(recorder.toChromeTraceJson());
    const std::vector<json> spans = eventsOfPhase(trace, "X");
    ASSERT_EQ(spans.size(), 2U);
    EXPECT_DOUBLE_EQ(spans[0].at("ts").get<double>(), -1.5);
    EXPECT_DOUBLE_EQ(spans[0].at("dur").get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(spans[1].at("ts").get<double>(), -9223372036854775.808);
    EXPECT_NE(recorder.toChromeTraceJson().find("\"ts\":-9223372036854775.808"), std::string::npos);
}

TEST(TraceRecorderTest, InternedNamesAreOwnedStableAndShared) {
    TraceRecorder recorder(4);
    const TraceTrack track = recorder.addTrack("CPU");
    std::string_view first;
    {
        std::string temporary = "ray march";
        first = recorder.intern(temporary);
        temporary.assign("overwritten");
    }
    std::vector<std::string_view> more;
    for (int i = 0; i < 200; ++i) {  // enough to regrow the recorder's own containers
        more.push_back(recorder.intern(fmt::format("node {}", i)));
    }
    EXPECT_EQ(first, "ray march");
    EXPECT_EQ(recorder.intern("ray march").data(), first.data());
    EXPECT_EQ(more[17], "node 17");
    EXPECT_EQ(recorder.intern("").size(), 0U);
    ASSERT_TRUE(recorder.complete(first, "node", track, 0, 1));
    EXPECT_EQ(eventsOfPhase(json::parse(recorder.toChromeTraceJson()), "X")[0].at("name"),
              "ray march");
}

TEST(TraceRecorderTest, ThreadsRecordConcurrentlyWithoutLosingCount) {
    constexpr int kThreads = 4;
    constexpr int kPerThread = 1000;
    TraceRecorder recorder(3000);
    std::vector<TraceTrack> tracks;
    for (int t = 0; t < kThreads; ++t) {
        tracks.push_back(recorder.addTrack(fmt::format("worker {}", t)));
    }
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&recorder, track = tracks[static_cast<std::size_t>(t)]] {
            for (int i = 0; i < kPerThread; ++i) {
                recorder.complete("work", "worker", track, i, 1);
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(recorder.size(), 3000U);
    EXPECT_EQ(recorder.dropped(), 1000U);
    for (const TraceEvent& event : recorder.events()) {
        ASSERT_EQ(event.name, "work");
        ASSERT_LT(event.track.index, static_cast<std::uint32_t>(kThreads));
    }
    EXPECT_EQ(eventsOfPhase(json::parse(recorder.toChromeTraceJson()), "X").size(), 3000U);
}

TEST(TraceRecorderTest, UnwritablePathIsAnIoErrorNamingThePath) {
    const TempDir dir("unwritable");
    TraceRecorder recorder(2);
    const TraceTrack track = recorder.addTrack("CPU");
    ASSERT_TRUE(recorder.complete("a", "c", track, 0, 1));
    const std::filesystem::path path = dir.path() / "no such dir" / "trace.json";
    const auto written = recorder.writeChromeTrace(path);
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code, ErrorCode::IoError);
    EXPECT_NE(written.error().message.find(path.string()), std::string::npos)
        << written.error().message;
    EXPECT_NE(written.error().message.find("No such file or directory"), std::string::npos)
        << written.error().message;
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(TraceRecorderTest, TemporaryFileIsRemovedWhenTheRenameFails) {
    const TempDir dir("rename");
    // The target is a non-empty directory: the temporary file is written, the rename fails.
    const std::filesystem::path target = dir.path() / "trace.json";
    std::filesystem::create_directory(target);
    std::ofstream(target / "keep") << "x";
    TraceRecorder recorder(2);
    const TraceTrack track = recorder.addTrack("CPU");
    ASSERT_TRUE(recorder.complete("a", "c", track, 0, 1));
    const auto written = recorder.writeChromeTrace(target);
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code, ErrorCode::IoError);
    EXPECT_NE(written.error().message.find(target.string()), std::string::npos)
        << written.error().message;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "trace.json.tmp"));
    EXPECT_TRUE(std::filesystem::is_directory(target));
    EXPECT_TRUE(std::filesystem::exists(target / "keep"));
}

}  // namespace
}  // namespace vixen::core
