#include "vixen/core/trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <system_error>

#include "vixen/core/files.hpp"

namespace vixen::core {
namespace {

/// The JSON is handed to the file in chunks of about this size.
constexpr std::size_t kChunkBytes = 64 * 1024;
/// Every track is a thread of this one process.
constexpr int kPid = 1;

/// The length of the valid UTF-8 sequence at the start of `text`, or 0 when it is not one
/// (a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, cut short).
std::size_t utf8SequenceLength(std::string_view text) noexcept {
    const auto byte = [&text](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    unsigned char low = 0x80;  // the range of the second byte
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        low = lead == 0xE0 ? 0xA0 : 0x80;   // overlong
        high = lead == 0xED ? 0x9F : 0xBF;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        low = lead == 0xF0 ? 0x90 : 0x80;   // overlong
        high = lead == 0xF4 ? 0x8F : 0xBF;  // past U+10FFFF
    } else {
        return 0;
    }
    if (text.size() < length || byte(1) < low || byte(1) > high) {
        return 0;
    }
    for (std::size_t i = 2; i < length; ++i) {
        if (byte(i) < 0x80 || byte(i) > 0xBF) {
            return 0;
        }
    }
    return length;
}

void appendQuoted(std::string& out, std::string_view text) {
    out += '"';
    appendJsonEscaped(out, text);
    out += '"';
}

/// Nanoseconds as microseconds with three decimals, exactly (no floating point).
void appendMicros(std::string& out, std::int64_t ns) {
    const bool negative = ns < 0;
    // Two's complement negation in unsigned arithmetic also covers INT64_MIN.
    const std::uint64_t magnitude = negative ? std::uint64_t{0} - static_cast<std::uint64_t>(ns)
                                             : static_cast<std::uint64_t>(ns);
    fmt::format_to(std::back_inserter(out), "{}{}.{:03}", negative ? "-" : "", magnitude / 1000,
                   magnitude % 1000);
}

void appendMetadata(std::string& out, std::string_view name, std::uint32_t tid,
                    std::string_view argName, std::string_view argValue) {
    out += "{\"name\":";
    appendQuoted(out, name);
    fmt::format_to(std::back_inserter(out), ",\"ph\":\"M\",\"pid\":{},\"tid\":{},\"args\":{{", kPid,
                   tid);
    appendQuoted(out, argName);
    out += ':';
    out += argValue;
    out += "}}";
}

std::string errnoText(int error) {
    return std::error_code(error, std::generic_category()).message();
}

}  // namespace

void appendJsonEscaped(std::string& out, std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            switch (c) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\b':
                    out += "\\b";
                    break;
                case '\f':
                    out += "\\f";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                default:
                    if (c < 0x20) {
                        fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
                    } else {
                        out += static_cast<char>(c);
                    }
                    break;
            }
            ++i;
            continue;
        }
        if (const std::size_t length = utf8SequenceLength(text.substr(i)); length > 0) {
            out.append(text.substr(i, length));
            i += length;
        } else {
            out += "\\ufffd";  // the replacement character, for one invalid byte
            ++i;
        }
    }
}

TraceRecorder::TraceRecorder(std::size_t capacity, std::string_view processName)
    : capacity_(capacity),
      events_(std::make_unique<TraceEvent[]>(capacity)),
      processName_(processName) {}

TraceRecorder::~TraceRecorder() = default;

TraceTrack TraceRecorder::addTrack(std::string_view name) {
    tracks_.emplace_back(name);
    return TraceTrack{static_cast<std::uint32_t>(tracks_.size() - 1)};
}

std::string_view TraceRecorder::intern(std::string_view text) {
    if (const auto found = internedViews_.find(text); found != internedViews_.end()) {
        return *found;
    }
    auto block = std::make_unique<char[]>(std::max<std::size_t>(text.size(), 1));
    std::copy(text.begin(), text.end(), block.get());
    const std::string_view view(block.get(), text.size());
    interned_.push_back(std::move(block));
    internedViews_.insert(view);
    return view;
}

bool TraceRecorder::claim(std::size_t& index) noexcept {
    const std::uint64_t slot = next_.fetch_add(1, std::memory_order_relaxed);
    if (slot >= capacity_) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    index = static_cast<std::size_t>(slot);
    return true;
}

bool TraceRecorder::complete(std::string_view name, std::string_view category, TraceTrack track,
                             std::int64_t startNs, std::int64_t durationNs) noexcept {
    assert(track.index < tracks_.size() && "record on a track from this recorder's addTrack");
    std::size_t index = 0;
    if (!claim(index)) {
        return false;
    }
    events_[index] = TraceEvent{
        .name = name,
        .category = category,
        .startNs = startNs,
        .durationNs = std::max<std::int64_t>(durationNs, 0),
        .value = 0.0,
        .track = track,
        .kind = TraceEvent::Kind::Complete,
    };
    return true;
}

bool TraceRecorder::counter(std::string_view name, TraceTrack track, std::int64_t timeNs,
                            double value) noexcept {
    assert(track.index < tracks_.size() && "record on a track from this recorder's addTrack");
    if (!std::isfinite(value)) {
        dropped_.fetch_add(1, std::memory_order_relaxed);  // JSON has no NaN or infinity
        return false;
    }
    std::size_t index = 0;
    if (!claim(index)) {
        return false;
    }
    events_[index] = TraceEvent{
        .name = name,
        .category = {},
        .startNs = timeNs,
        .durationNs = 0,
        .value = value,
        .track = track,
        .kind = TraceEvent::Kind::Counter,
    };
    return true;
}

std::size_t TraceRecorder::size() const noexcept {
    return static_cast<std::size_t>(
        std::min<std::uint64_t>(next_.load(std::memory_order_relaxed), capacity_));
}

std::span<const TraceEvent> TraceRecorder::events() const noexcept {
    return {events_.get(), size()};
}

void TraceRecorder::clear() noexcept {
    next_.store(0, std::memory_order_relaxed);
    dropped_.store(0, std::memory_order_relaxed);
}

template <class Sink>
void TraceRecorder::writeJson(std::string& buffer, Sink& sink) const {
    const auto flushIfFull = [&buffer, &sink] {
        if (buffer.size() >= kChunkBytes) {
            sink(buffer);
        }
    };
    buffer += "{\"traceEvents\":[\n";
    std::string quoted;
    appendQuoted(quoted, processName_);
    appendMetadata(buffer, "process_name", 0, "name", quoted);
    for (std::uint32_t tid = 0; tid < tracks_.size(); ++tid) {
        quoted.clear();
        appendQuoted(quoted, tracks_[tid]);
        buffer += ",\n";
        appendMetadata(buffer, "thread_name", tid, "name", quoted);
        buffer += ",\n";
        appendMetadata(buffer, "thread_sort_index", tid, "sort_index", std::to_string(tid));
        flushIfFull();
    }
    for (const TraceEvent& event : events()) {
        buffer += ",\n{\"name\":";
        appendQuoted(buffer, event.name);
        if (event.kind == TraceEvent::Kind::Complete) {
            buffer += ",\"cat\":";
            appendQuoted(buffer, event.category);
            buffer += ",\"ph\":\"X\",\"ts\":";
            appendMicros(buffer, event.startNs);
            buffer += ",\"dur\":";
            appendMicros(buffer, event.durationNs);
            fmt::format_to(std::back_inserter(buffer), ",\"pid\":{},\"tid\":{}}}", kPid,
                           event.track.index);
        } else {
            buffer += ",\"ph\":\"C\",\"ts\":";
            appendMicros(buffer, event.startNs);
            fmt::format_to(std::back_inserter(buffer),
                           ",\"pid\":{},\"tid\":{},\"args\":{{\"value\":{}}}}}", kPid,
                           event.track.index, event.value);
        }
        flushIfFull();
    }
    fmt::format_to(std::back_inserter(buffer),
                   "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{{\"droppedEvents\":{}}}}}\n",
                   dropped());
    sink(buffer);
}

std::string TraceRecorder::toChromeTraceJson() const {
    std::string json;
    auto keep = [](std::string&) {};  // everything stays in the one buffer
    writeJson(json, keep);
    return json;
}

Result<void> TraceRecorder::writeChromeTrace(const std::filesystem::path& path) const {
    std::filesystem::path temporary = path;
    temporary += ".tmp";
    std::FILE* file = std::fopen(temporary.c_str(), "wb");
    if (file == nullptr) {
        return fail(ErrorCode::IoError, "cannot write trace '{}': cannot create '{}': {}",
                    path.string(), temporary.string(), errnoText(errno));
    }
    int writeError = 0;
    auto toFile = [file, &writeError](std::string& chunk) {
        errno = 0;
        if (writeError == 0 && std::fwrite(chunk.data(), 1, chunk.size(), file) != chunk.size()) {
            writeError = errno != 0 ? errno : EIO;
        }
        chunk.clear();
    };
    std::string buffer;
    buffer.reserve(kChunkBytes + 1024);
    writeJson(buffer, toFile);
    if (std::fflush(file) != 0 && writeError == 0) {
        writeError = errno != 0 ? errno : EIO;
    }
    if (std::fclose(file) != 0 && writeError == 0) {
        writeError = errno != 0 ? errno : EIO;
    }
    std::error_code ignored;
    if (writeError != 0) {
        std::filesystem::remove(temporary, ignored);
        return fail(ErrorCode::IoError, "cannot write trace '{}': writing '{}' failed: {}",
                    path.string(), temporary.string(), errnoText(writeError));
    }
    if (Result<void> moved = moveIntoPlace(temporary, path); !moved) {
        return fail(ErrorCode::IoError, "cannot write trace '{}': {}", path.string(),
                    moved.error().message);
    }
    return {};
}

}  // namespace vixen::core
