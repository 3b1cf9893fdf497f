#pragma once

#include <concepts>
#include <cstdint>
#include <expected>
#include <limits>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace vixen::graph {

/// The parameter types a graph file can carry: integers (range-checked into T), float,
/// double, bool and std::string.
template <class T>
concept ParamValue = std::same_as<T, bool> || std::same_as<T, std::string> ||
    std::same_as<T, float> || std::same_as<T, double> ||
    (std::integral<T> && !std::same_as<T, char> && !std::same_as<T, char8_t> &&
     !std::same_as<T, char16_t> && !std::same_as<T, char32_t> && !std::same_as<T, wchar_t>);

/// Hands a node factory the typed parameters of one node's `params` object. A wrong JSON
/// type, a value out of T's range or a missing required key is recorded with its JSON path
/// rather than thrown: the factory gets the fallback (or T{}) and carries on, and the loader
/// discards everything built once any error is recorded, so factories need no error paths.
///
/// Every key a factory reads counts as known; the loader reports the rest as unknown, so a
/// factory should read all the parameters it accepts on every call.
class ParamReader {
public:
    /// `params` may be null (the node has no `params`); it must outlive the reader.
    /// `path` is the JSON Pointer of the params object, e.g. "/nodes/3/params".
    ParamReader(const nlohmann::json* params, std::string path, std::string_view nodeName,
                std::string_view typeName);

    template <ParamValue T>
    [[nodiscard]] T get(std::string_view key, T fallback) {
        std::optional<T> value = read<T>(key, false);
        return value ? std::move(*value) : std::move(fallback);
    }

    template <ParamValue T>
    [[nodiscard]] T require(std::string_view key) {
        return read<T>(key, true).value_or(T{});
    }

    /// Records a factory's own check, e.g. `p.reject("width", "must be a power of two")`.
    void reject(std::string_view key, std::string_view reason);

    /// Records an error for every key of `params` that no get or require asked for.
    void checkUnknownKeys();

    /// "path: message" lines, in the order found.
    [[nodiscard]] const std::vector<std::string>& errors() const noexcept { return errors_; }
    [[nodiscard]] bool ok() const noexcept { return errors_.empty(); }
    /// The keys asked for so far, in first-asked order.
    [[nodiscard]] const std::vector<std::string>& knownKeys() const noexcept { return known_; }

private:
    template <class T>
    std::optional<T> read(std::string_view key, bool required) {
        const nlohmann::json* value = lookup(key, required, kindOf<T>());
        if (value == nullptr) {
            return std::nullopt;
        }
        if constexpr (std::same_as<T, bool>) {
            return readBool(key, *value);
        } else if constexpr (std::same_as<T, std::string>) {
            return readString(key, *value);
        } else if constexpr (std::floating_point<T>) {
            const auto number =
                readNumber(key, *value, static_cast<double>(std::numeric_limits<T>::max()));
            return number ? std::optional<T>(static_cast<T>(*number)) : std::nullopt;
        } else if constexpr (std::is_signed_v<T>) {
            const auto number = readSigned(key, *value, std::numeric_limits<T>::min(),
                                           std::numeric_limits<T>::max());
            return number ? std::optional<T>(static_cast<T>(*number)) : std::nullopt;
        } else {
            const auto number = readUnsigned(key, *value, std::numeric_limits<T>::max());
            return number ? std::optional<T>(static_cast<T>(*number)) : std::nullopt;
        }
    }

    template <class T>
    static constexpr std::string_view kindOf() {
        if constexpr (std::same_as<T, bool>) {
            return "boolean";
        } else if constexpr (std::same_as<T, std::string>) {
            return "string";
        } else if constexpr (std::floating_point<T>) {
            return "number";
        } else {
            return "integer";
        }
    }

    /// Marks the key known; null when absent (an error when required).
    const nlohmann::json* lookup(std::string_view key, bool required, std::string_view kind);
    std::optional<bool> readBool(std::string_view key, const nlohmann::json& value);
    std::optional<std::string> readString(std::string_view key, const nlohmann::json& value);
    std::optional<double> readNumber(std::string_view key, const nlohmann::json& value,
                                     double maxMagnitude);
    std::optional<std::int64_t> readSigned(std::string_view key, const nlohmann::json& value,
                                           std::int64_t min, std::int64_t max);
    std::optional<std::uint64_t> readUnsigned(std::string_view key, const nlohmann::json& value,
                                              std::uint64_t max);
    /// The value, or nullopt after recording why not.
    template <class T>
    std::optional<T> take(std::string_view key, std::expected<T, std::string> result);
    void record(std::string_view key, std::string_view message);

    const nlohmann::json* params_;
    std::string path_;
    std::string node_;  ///< "node 'blur' (Blur)", for messages
    std::vector<std::string> known_;
    std::vector<std::string> errors_;
};

}  // namespace vixen::graph
