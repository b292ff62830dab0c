#include "ErrorCode.h"

#include <array>


namespace rill::protocol {
namespace {

using namespace Qt::StringLiterals;

struct ErrorCodeText {
    ErrorCode code;
    QLatin1StringView name;
    const char *message;
};

constexpr std::array kErrorCodes{
    ErrorCodeText{ErrorCode::BadRequest, "bad_request"_L1, "The request is malformed."},
    ErrorCodeText{ErrorCode::Unauthenticated, "unauthenticated"_L1, "Log in or register first."},
    ErrorCodeText{ErrorCode::BadCredentials, "bad_credentials"_L1, "Wrong user name, password or token."},
    ErrorCodeText{ErrorCode::InvalidUser, "invalid_user"_L1,
                  "User names are 1-32 characters of A-Z a-z 0-9 _ . -"},
    ErrorCodeText{ErrorCode::WeakPassword, "weak_password"_L1, "Passwords are 8-1024 characters."},
    ErrorCodeText{ErrorCode::UserTaken, "user_taken"_L1, "That user name is taken."},
    ErrorCodeText{ErrorCode::InvalidChannel, "invalid_channel"_L1,
                  "Channel names are 1-64 characters of a-z 0-9 _ -"},
    ErrorCodeText{ErrorCode::NotMember, "not_member"_L1, "You are not a member of that channel."},
    ErrorCodeText{ErrorCode::NoSuchUser, "no_such_user"_L1, "There is no such user."},
    ErrorCodeText{ErrorCode::Empty, "empty"_L1, "The message is empty."},
    ErrorCodeText{ErrorCode::TooLong, "too_long"_L1, "Messages are at most 4000 characters."},
    ErrorCodeText{ErrorCode::RateLimited, "rate_limited"_L1, "Too many requests; slow down."},
    ErrorCodeText{ErrorCode::Forbidden, "forbidden"_L1, "That is not allowed."},
    ErrorCodeText{ErrorCode::NoSuchMessage, "no_such_message"_L1, "There is no such message."},
    ErrorCodeText{ErrorCode::Internal, "internal"_L1, "The server could not complete the request."},
};

constexpr bool indexedByCode()
{
    for (std::size_t i = 0; i < kErrorCodes.size(); ++i) {
        if (static_cast<std::size_t>(kErrorCodes[i].code) != i)
            return false;
    }
    return kErrorCodes.size() == static_cast<std::size_t>(ErrorCode::Internal) + 1;
}
static_assert(indexedByCode(), "kErrorCodes must list every ErrorCode in enum order");

const ErrorCodeText &entry(ErrorCode code)
{
    return kErrorCodes[static_cast<std::size_t>(code)];
}

} // namespace

QLatin1StringView errorCodeName(ErrorCode code)
{
    return entry(code).name;
}

std::optional<ErrorCode> errorCodeFromName(QStringView name)
{
    for (const auto &e : kErrorCodes) {
        if (name == e.name)
            return e.code;
    }
    return std::nullopt;
}

QString defaultErrorMessage(ErrorCode code)
{
    return QString::fromLatin1(entry(code).message);
}

} // namespace rill::protocol
