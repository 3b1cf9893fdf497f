#include "vixen/graph/param_reader.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "json_checks.hpp"

namespace vixen::graph {

ParamReader::ParamReader(const nlohmann::json* params, std::string path, std::string_view nodeName,
                         std::string_view typeName)
    : params_(params),
      path_(std::move(path)),
      node_(fmt::format("node '{}' ({})", nodeName, typeName)) {}

const nlohmann::json* ParamReader::lookup(std::string_view key, bool required,
                                          std::string_view kind) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
        known_.emplace_back(key);
    }
    if (params_ != nullptr && params_->is_object()) {
        const auto found = params_->find(key);
        if (found != params_->end()) {
            return &*found;
        }
    }
    if (required) {
        record(key, fmt::format("{} requires parameter '{}' ({})", node_, key, kind));
    }
    return nullptr;
}

template <class T>
std::optional<T> ParamReader::take(std::string_view key, std::expected<T, std::string> result) {
    if (!result) {
        record(key, fmt::format("parameter '{}' of {}: {}", key, node_, result.error()));
        return std::nullopt;
    }
    return std::move(*result);
}

std::optional<bool> ParamReader::readBool(std::string_view key, const nlohmann::json& value) {
    return take(key, detail::readBool(value));
}

std::optional<std::string> ParamReader::readString(std::string_view key,
                                                   const nlohmann::json& value) {
    auto text = take(key, detail::readString(value));
    return text ? std::optional<std::string>(*text) : std::nullopt;
}

std::optional<double> ParamReader::readNumber(std::string_view key, const nlohmann::json& value,
                                              double maxMagnitude) {
    return take(key, detail::readNumber(value, maxMagnitude));
}

std::optional<std::int64_t> ParamReader::readSigned(std::string_view key,
                                                    const nlohmann::json& value, std::int64_t min,
                                                    std::int64_t max) {
    return take(key, detail::readSigned(value, min, max));
}

std::optional<std::uint64_t> ParamReader::readUnsigned(std::string_view key,
                                                       const nlohmann::json& value,
                                                       std::uint64_t max) {
    return take(key, detail::readUnsigned(value, max));
}

void ParamReader::reject(std::string_view key, std::string_view reason) {
    record(key, fmt::format("parameter '{}' of {}: {}", key, node_, reason));
}

void ParamReader::checkUnknownKeys() {
    if (params_ == nullptr || !params_->is_object()) {
        return;
    }
    std::vector<std::string_view> known(known_.begin(), known_.end());
    const std::string knownList = detail::joinNames(known);
    for (const auto& [key, value] : params_->items()) {
        if (std::find(known_.begin(), known_.end(), key) != known_.end()) {
            continue;
        }
        detail::ClosestMatch match(key);
        for (const std::string_view candidate : known) {
            match.consider(candidate);
        }
        record(key, known.empty()
                        ? fmt::format("unknown parameter '{}' of {}; this type takes no parameters",
                                      key, node_)
                        : fmt::format("unknown parameter '{}' of {}{}; known: {}", key, node_,
                                      match.hint(), knownList));
    }
}

void ParamReader::record(std::string_view key, std::string_view message) {
    errors_.push_back(fmt::format("{}/{}: {}", path_, detail::pointerToken(key), message));
}

}  // namespace vixen::graph
