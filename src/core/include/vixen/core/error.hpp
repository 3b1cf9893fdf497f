#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace vixen {

/// What went wrong, coarse enough to branch on; the message says the rest.
enum class ErrorCode : std::uint8_t {
    InvalidArgument,
    NotFound,
    AlreadyExists,
    TypeMismatch,
    AccessConflict,
    Cycle,
    MissingInput,
    OverBudget,
    CapacityExceeded,
    ParseError,
    IoError,
    InvalidState,
    DeviceLost,
    Unsupported,  ///< the device lacks a format, feature or limit the request needs
};

std::string_view toString(ErrorCode code) noexcept;

/// An error a user or a file can cause. The message names the thing at fault
/// (node, slot, file, byte offset, JSON path) and, where it can, what would fix it.
struct Error {
    ErrorCode code = ErrorCode::InvalidArgument;
    std::string message;

    [[nodiscard]] std::string describe() const;
};

template <class T>
using Result = std::expected<T, Error>;

/// Shorthand for `return vixen::fail(ErrorCode::NotFound, "node '{}' ...", name);`
template <class... Args>
[[nodiscard]] std::unexpected<Error> fail(ErrorCode code, fmt::format_string<Args...> format,
                                          Args&&... args) {
    return std::unexpected(Error{code, fmt::format(format, std::forward<Args>(args)...)});
}

}  // namespace vixen

/// Returns the error of `expression` (any Result) from the enclosing function, which returns
/// a Result too; its value, if any, is dropped: `VIXEN_TRY(kernel.bind(0, buffer));`.
#define VIXEN_TRY(expression)                                          \
    do {                                                               \
        if (auto vixenTryResult = (expression); !vixenTryResult) {     \
            return std::unexpected(std::move(vixenTryResult.error())); \
        }                                                              \
    } while (false)
