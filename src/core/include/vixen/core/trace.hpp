#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "vixen/core/error.hpp"

namespace vixen::core {

/// Nanoseconds on the steady clock (CLOCK_MONOTONIC on Linux): the time base of CPU events.
[[nodiscard]] inline std::int64_t steadyClockNs() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/// A named row in the trace viewer (a "thread" of the Chrome trace format), from addTrack.
struct TraceTrack {
    std::uint32_t index = 0;
    friend bool operator==(TraceTrack, TraceTrack) = default;
};

/// One recorded event. Names are views the recorder does not own (see TraceRecorder).
struct TraceEvent {
    enum class Kind : std::uint8_t {
        Complete,  ///< a span: `startNs` .. `startNs + durationNs` ("ph":"X")
        Counter,   ///< a sampled value at `startNs` ("ph":"C")
    };
    std::string_view name;
    std::string_view category;
    std::int64_t startNs = 0;
    std::int64_t durationNs = 0;  ///< Complete only; never negative
    double value = 0.0;           ///< Counter only; always finite
    TraceTrack track;
    Kind kind = Kind::Complete;
};

/// Records spans (CPU phases, GPU node times) and counters into storage reserved at
/// construction, and writes them as Chrome Trace Event JSON, which Perfetto
/// (ui.perfetto.dev) and chrome://tracing open.
///
/// Setup (may allocate): construct with a capacity, `addTrack` for each row ("CPU",
/// "GPU"), `intern` names that are not string literals. Recording (`complete`, `counter`,
/// `Scope`) never allocates and never grows: once `capacity()` events are stored, further
/// ones are counted in `dropped()` and discarded. Recording is thread-safe (a slot is
/// claimed with one atomic add), so worker threads may record concurrently; `addTrack`,
/// `intern`, `clear`, `events` and `writeChromeTrace` must not run concurrently with
/// recording (call them at setup or between frames).
///
/// Lifetime of names: an event stores the `std::string_view`s it was given. They must stay
/// valid until the recorder's last write: use string literals, views of strings that
/// outlive the recorder, or views returned by `intern` (owned by the recorder).
///
/// Times are nanoseconds in any one time base per track (CPU events use
/// `steadyClockNs()`); they are written as microseconds, as the format wants. Events
/// whose tracks share a process but not a time base should be shifted by the caller to
/// line up (for GPU times: anchor each frame's first GPU scope at its CPU submit).
class TraceRecorder {
public:
    /// `capacity` events are reserved now; `processName` names the process row.
    explicit TraceRecorder(std::size_t capacity, std::string_view processName = "vixen");
    TraceRecorder(const TraceRecorder&) = delete;
    TraceRecorder& operator=(const TraceRecorder&) = delete;
    TraceRecorder(TraceRecorder&&) = delete;
    TraceRecorder& operator=(TraceRecorder&&) = delete;
    ~TraceRecorder();

    /// Adds a row named `name` (written as a "thread_name" metadata event); rows are shown
    /// in the order they were added. Setup only.
    [[nodiscard]] TraceTrack addTrack(std::string_view name);
    /// A copy of `text` owned by the recorder, valid as long as it is; the same text
    /// interned twice gives the same view. Setup only.
    [[nodiscard]] std::string_view intern(std::string_view text);

    /// Records a span of `durationNs` (a negative duration is clamped to 0) starting at
    /// `startNs`. False, and counted in dropped(), when the recorder is full. Never allocates.
    bool complete(std::string_view name, std::string_view category, TraceTrack track,
                  std::int64_t startNs, std::int64_t durationNs) noexcept;
    /// Records a counter sample (one line per counter name in the viewer). False, and
    /// counted in dropped(), when the recorder is full or `value` is not finite.
    bool counter(std::string_view name, TraceTrack track, std::int64_t timeNs,
                 double value) noexcept;

    /// A CPU span from construction to destruction on the steady clock. A null recorder
    /// makes it a no-op, so tracing can be switched off without branches at the call site.
    class Scope {
    public:
        Scope(TraceRecorder* recorder, std::string_view name, std::string_view category,
              TraceTrack track) noexcept
            : recorder_(recorder),
              name_(name),
              category_(category),
              track_(track),
              startNs_(recorder != nullptr ? steadyClockNs() : 0) {}
        ~Scope() {
            if (recorder_ != nullptr) {
                recorder_->complete(name_, category_, track_, startNs_, steadyClockNs() - startNs_);
            }
        }
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;
        Scope(Scope&&) = delete;
        Scope& operator=(Scope&&) = delete;

    private:
        TraceRecorder* recorder_;
        std::string_view name_;
        std::string_view category_;
        TraceTrack track_;
        std::int64_t startNs_;
    };

    /// The events recorded so far, in the order their slots were claimed.
    [[nodiscard]] std::span<const TraceEvent> events() const noexcept;
    [[nodiscard]] std::size_t size() const noexcept;
    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
    /// Events refused because the recorder was full (or a counter value was not finite).
    [[nodiscard]] std::uint64_t dropped() const noexcept {
        return dropped_.load(std::memory_order_relaxed);
    }
    /// The track names, in order of `TraceTrack::index`.
    [[nodiscard]] std::span<const std::string> tracks() const noexcept { return tracks_; }
    /// Forgets the events and the dropped count; tracks and interned names stay.
    void clear() noexcept;

    /// The whole trace as Chrome Trace Event JSON: metadata events naming the process and
    /// the tracks, then every event; the dropped count is in "otherData".
    [[nodiscard]] std::string toChromeTraceJson() const;
    /// Writes toChromeTraceJson()'s text to `path.tmp`, then renames it to `path`. An
    /// IoError names the path and the reason; the temporary file is removed on failure.
    [[nodiscard]] Result<void> writeChromeTrace(const std::filesystem::path& path) const;

private:
    /// Appends the JSON to `buffer`, handing it to `sink` (which empties it) whenever it
    /// grows past a chunk, and once at the end.
    template <class Sink>
    void writeJson(std::string& buffer, Sink& sink) const;
    bool claim(std::size_t& index) noexcept;

    std::size_t capacity_;
    std::unique_ptr<TraceEvent[]> events_;
    std::atomic<std::uint64_t> next_{0};  ///< slots claimed (may run past capacity_)
    std::atomic<std::uint64_t> dropped_{0};
    std::string processName_;
    std::vector<std::string> tracks_;
    std::vector<std::unique_ptr<char[]>> interned_;  ///< heap blocks: views survive growth
    std::unordered_set<std::string_view> internedViews_;
};

/// Appends `text` as the contents of a JSON string (no quotes): `"` and `\` escaped,
/// control characters as \n, \t, ... or \u00XX, invalid UTF-8 bytes as \ufffd.
void appendJsonEscaped(std::string& out, std::string_view text);

}  // namespace vixen::core
