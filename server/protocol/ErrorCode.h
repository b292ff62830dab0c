#pragma once

#include <QString>

#include <algorithm>
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

// An error answer to one request: the code and the human text, and for a throttled request
// how many seconds until it may succeed (`retryAfter`, Rill's addition to rate_limited).
struct Error {
    ErrorCode code = ErrorCode::Internal;
    QString message;
    std::optional<qint64> retryAfter = std::nullopt;

    [[nodiscard]] static Error of(ErrorCode code, QString message = {})
    {
        return {code, message.isEmpty() ? defaultErrorMessage(code) : std::move(message)};
    }
    [[nodiscard]] static Error retryLater(qint64 seconds, QString message = {})
    {
        Error e = of(ErrorCode::RateLimited, std::move(message));
        e.retryAfter = std::max<qint64>(1, seconds);
        return e;
    }
};

} // namespace rill::protocol
