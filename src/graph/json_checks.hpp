#pragma once

// Typed reads of JSON values for graph files, shared by the loader and ParamReader. Each
// returns the value or a sentence saying what was expected and what was found, so callers
// can prefix it with the JSON path and the node at fault.

#include <cstdint>
#include <expected>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vixen::graph::detail {

using Json = nlohmann::json;

/// A JSON Pointer reference token: `~` and `/` escaped as `~0` and `~1`.
[[nodiscard]] std::string pointerToken(std::string_view key);

/// "string \"abc\"", "number 2.5", "array", ...: what a message says it got.
[[nodiscard]] std::string describeJson(const Json& value);

[[nodiscard]] std::expected<std::int64_t, std::string> readSigned(const Json& value,
                                                                  std::int64_t min,
                                                                  std::int64_t max);
[[nodiscard]] std::expected<std::uint64_t, std::string> readUnsigned(const Json& value,
                                                                     std::uint64_t max);
/// Any finite number whose magnitude is at most maxMagnitude; integers convert.
[[nodiscard]] std::expected<double, std::string> readNumber(const Json& value, double maxMagnitude);
[[nodiscard]] std::expected<bool, std::string> readBool(const Json& value);
[[nodiscard]] std::expected<std::string_view, std::string> readString(const Json& value);

/// "a, b, c", or `none` when the list is empty.
[[nodiscard]] std::string joinNames(std::span<const std::string_view> names,
                                    std::string_view none = "none");

/// Finds the candidate closest to a misspelt word, for "did you mean" hints. Gives up
/// after a bounded number of candidates so hostile inputs stay cheap.
class ClosestMatch {
public:
    explicit ClosestMatch(std::string_view word) : word_(word) {}
    void consider(std::string_view candidate);
    [[nodiscard]] std::optional<std::string_view> best() const;
    /// " (did you mean 'x'?)" or empty.
    [[nodiscard]] std::string hint() const;

private:
    std::string_view word_;
    std::string_view best_;
    std::size_t bestDistance_ = SIZE_MAX;
    std::size_t considered_ = 0;
};

}  // namespace vixen::graph::detail
