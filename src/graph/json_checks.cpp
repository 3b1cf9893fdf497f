#include "json_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace vixen::graph::detail {
namespace {

// Longer values are cut in messages: a hostile file must not produce a megabyte error line.
constexpr std::size_t kMaxShownValueBytes = 48;
// Hints are a convenience; past these bounds they are skipped rather than slow.
constexpr std::size_t kMaxHintCandidates = 1000;
constexpr std::size_t kMaxHintWordBytes = 64;

// Edits between two words, where swapping two neighbouring letters ("levle") counts as one
// edit like an insertion, deletion or substitution (optimal string alignment distance).
std::size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> previous(b.size() + 1);
    std::vector<std::size_t> row(b.size() + 1);
    std::vector<std::size_t> next(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        next[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t substitution = row[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            next[j] = std::min({row[j] + 1, next[j - 1] + 1, substitution});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                next[j] = std::min(next[j], previous[j - 2] + 1);
            }
        }
        std::swap(previous, row);
        std::swap(row, next);
    }
    return row[b.size()];
}

std::string typeMismatch(std::string_view expected, const Json& value) {
    return fmt::format("expected {}, got {}", expected, describeJson(value));
}

}  // namespace

std::string pointerToken(std::string_view key) {
    std::string token;
    token.reserve(key.size());
    for (const char c : key) {
        if (c == '~') {
            token += "~0";
        } else if (c == '/') {
            token += "~1";
        } else {
            token += c;
        }
    }
    return token;
}

std::string describeJson(const Json& value) {
    switch (value.type()) {
        case Json::value_t::null:
            return "null";
        case Json::value_t::object:
            return "an object";
        case Json::value_t::array:
            return "an array";
        case Json::value_t::boolean:
            return value.get<bool>() ? "true" : "false";
        case Json::value_t::string: {
            std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
            if (text.size() > kMaxShownValueBytes) {
                text.resize(kMaxShownValueBytes);
                text += "...\"";
            }
            return "string " + text;
        }
        default:
            return "number " + value.dump();
    }
}

std::expected<std::int64_t, std::string> readSigned(const Json& value, std::int64_t min,
                                                    std::int64_t max) {
    if (!value.is_number_integer()) {
        return std::unexpected(typeMismatch("an integer", value));
    }
    // Positive integers past INT64_MAX parse as unsigned; they are out of range here.
    const bool fits = value.is_number_unsigned()
                          ? value.get<std::uint64_t>() <= static_cast<std::uint64_t>(max)
                          : value.get<std::int64_t>() >= min && value.get<std::int64_t>() <= max;
    if (!fits) {
        return std::unexpected(fmt::format("{} is out of range; expected an integer in [{}, {}]",
                                           value.dump(), min, max));
    }
    return value.get<std::int64_t>();
}

std::expected<std::uint64_t, std::string> readUnsigned(const Json& value, std::uint64_t max) {
    if (!value.is_number_integer()) {
        return std::unexpected(typeMismatch("a non-negative integer", value));
    }
    if (!value.is_number_unsigned() || value.get<std::uint64_t>() > max) {
        return std::unexpected(
            fmt::format("{} is out of range; expected an integer in [0, {}]", value.dump(), max));
    }
    return value.get<std::uint64_t>();
}

std::expected<double, std::string> readNumber(const Json& value, double maxMagnitude) {
    if (!value.is_number()) {
        return std::unexpected(typeMismatch("a number", value));
    }
    const double number = value.get<double>();
    if (!std::isfinite(number) || std::fabs(number) > maxMagnitude) {
        return std::unexpected(fmt::format("{} is out of range; expected a magnitude of at most {}",
                                           value.dump(), maxMagnitude));
    }
    return number;
}

std::expected<bool, std::string> readBool(const Json& value) {
    if (!value.is_boolean()) {
        return std::unexpected(typeMismatch("true or false", value));
    }
    return value.get<bool>();
}

std::expected<std::string_view, std::string> readString(const Json& value) {
    if (!value.is_string()) {
        return std::unexpected(typeMismatch("a string", value));
    }
    return std::string_view(value.get_ref<const std::string&>());
}

std::string joinNames(std::span<const std::string_view> names, std::string_view none) {
    if (names.empty()) {
        return std::string(none);
    }
    return fmt::format("{}", fmt::join(names, ", "));
}

void ClosestMatch::consider(std::string_view candidate) {
    if (++considered_ > kMaxHintCandidates || word_.size() > kMaxHintWordBytes ||
        candidate.size() > kMaxHintWordBytes) {
        return;
    }
    const std::size_t distance = editDistance(word_, candidate);
    if (distance < bestDistance_) {
        bestDistance_ = distance;
        best_ = candidate;
    }
}

std::optional<std::string_view> ClosestMatch::best() const {
    // A third of the word may be wrong (at least one edit) and still read as a typo; a
    // candidate that shares nothing with the word (one letter for one letter) is no hint.
    const std::size_t tolerance = std::max<std::size_t>(1, word_.size() / 3);
    if (bestDistance_ == 0 || bestDistance_ > tolerance || bestDistance_ >= word_.size()) {
        return std::nullopt;
    }
    return best_;
}

std::string ClosestMatch::hint() const {
    const auto match = best();
    return match ? fmt::format(" (did you mean '{}'?)", *match) : std::string();
}

}  // namespace vixen::graph::detail
