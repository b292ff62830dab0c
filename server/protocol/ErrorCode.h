#pragma once

#include <QString>

#include <optional>

namespace rill::protocol {

enum class ErrorCode {
    BadRequest,
    Unauthenticated,
    BadCredentials,
    InvalidUser,
    WeakPassword,
    UserTaken,
    InvalidChannel,
    NotMember,
    NoSuchUser,
    Empty,
    TooLong,
    RateLimited,
    Forbidden,
    NoSuchMessage, // revision 2
    Internal,
};

// The wire spelling, e.g. "not_member".
[[nodiscard]] QLatin1StringView errorCodeName(ErrorCode code);
[[nodiscard]] std::optional<ErrorCode> errorCodeFromName(QStringView name);
// A sentence a person can read when the server has nothing more specific to say.
[[nodiscard]] QString defaultErrorMessage(ErrorCode code);

// An error answer to one request: the code and the human text.
struct Error {
    ErrorCode code = ErrorCode::Internal;
    QString message;

    [[nodiscard]] static Error of(ErrorCode code, QString message = {})
    {
        return {code, message.isEmpty() ? defaultErrorMessage(code) : std::move(message)};
    }
};

} // namespace rill::protocol
