#include "vixen/core/error.hpp"

namespace vixen {

std::string_view toString(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::InvalidArgument:
            return "invalid argument";
        case ErrorCode::NotFound:
            return "not found";
        case ErrorCode::AlreadyExists:
            return "already exists";
        case ErrorCode::TypeMismatch:
            return "type mismatch";
        case ErrorCode::AccessConflict:
            return "access conflict";
        case ErrorCode::Cycle:
            return "cycle";
        case ErrorCode::MissingInput:
            return "missing input";
        case ErrorCode::OverBudget:
            return "over budget";
        case ErrorCode::CapacityExceeded:
            return "capacity exceeded";
        case ErrorCode::ParseError:
            return "parse error";
        case ErrorCode::IoError:
            return "I/O error";
        case ErrorCode::InvalidState:
            return "invalid state";
        case ErrorCode::DeviceLost:
            return "device lost";
        case ErrorCode::Unsupported:
            return "unsupported";
    }
    return "unknown error";
}

std::string Error::describe() const {
    return fmt::format("{}: {}", toString(code), message);
}

}  // namespace vixen
