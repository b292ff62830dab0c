#pragma once

#include "ErrorCode.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <concepts>
#include <optional>
#include <variant>

// Frames of the wire protocol: requests, replies and events to and from JSON text.
// Both ends use it, so a frame the client writes is by construction one the server reads.
namespace rill::protocol {

namespace op {
inline constexpr QLatin1StringView hello{"hello"};
inline constexpr QLatin1StringView registerUser{"register"};
inline constexpr QLatin1StringView login{"login"};
inline constexpr QLatin1StringView logout{"logout"};
inline constexpr QLatin1StringView channels{"channels"};
inline constexpr QLatin1StringView join{"join"};
inline constexpr QLatin1StringView part{"part"};
inline constexpr QLatin1StringView send{"send"};
inline constexpr QLatin1StringView history{"history"};
inline constexpr QLatin1StringView members{"members"};
inline constexpr QLatin1StringView dm{"dm"};
inline constexpr QLatin1StringView typing{"typing"};
inline constexpr QLatin1StringView read{"read"};
// revision 2
inline constexpr QLatin1StringView edit{"edit"};
inline constexpr QLatin1StringView deleteMessage{"delete"};
inline constexpr QLatin1StringView react{"react"};
inline constexpr QLatin1StringView thread{"thread"};
inline constexpr QLatin1StringView topic{"topic"};
inline constexpr QLatin1StringView search{"search"};
// Rill's addition (docs/protocol.md): what changed in a channel's existing messages since a cursor.
inline constexpr QLatin1StringView changes{"changes"};
} // namespace op

namespace ev {
inline constexpr QLatin1StringView message{"message"};
inline constexpr QLatin1StringView channel{"channel"};
inline constexpr QLatin1StringView member{"member"};
inline constexpr QLatin1StringView presence{"presence"};
inline constexpr QLatin1StringView typing{"typing"};
inline constexpr QLatin1StringView read{"read"};
inline constexpr QLatin1StringView bye{"bye"};
// revision 2
inline constexpr QLatin1StringView update{"update"};
inline constexpr QLatin1StringView topic{"topic"};
} // namespace ev

// The typed values of Requests.h and Events.h, as the frame functions below take them.
template<typename T>
concept RequestParams = requires(const T &params) {
    { T::kOp } -> std::convertible_to<QLatin1StringView>;
    typename T::Reply;
    { params.toJson() } -> std::same_as<QJsonObject>;
};
template<typename T>
concept ReplyResult = !RequestParams<T> && requires(const T &result) {
    { T::kOp } -> std::convertible_to<QLatin1StringView>;
    { result.toJson() } -> std::same_as<QJsonObject>;
};
template<typename T>
concept EventValue = requires(const T &event) {
    { T::kEvent } -> std::convertible_to<QLatin1StringView>;
    { event.toJson() } -> std::same_as<QJsonObject>;
};

// One decoded request. `id` is the integer the client chose, or Null when it gave none usable.
struct Request {
    QJsonValue id = QJsonValue::Null;
    QString op;
    QJsonObject params; // the whole request object; parameters sit beside "id" and "op"
                        // (read them with the op's XParams::fromJson)
};

// A request frame that cannot be served: the reply to send for it.
struct RejectedFrame {
    QJsonValue id = QJsonValue::Null;
    Error error;
};

[[nodiscard]] std::variant<Request, RejectedFrame> decodeRequest(QByteArrayView frame);
[[nodiscard]] QByteArray encodeRequest(qint64 id, QLatin1StringView op, QJsonObject params = {});

[[nodiscard]] QByteArray encodeReply(const QJsonValue &re, QJsonObject result = {});
[[nodiscard]] QByteArray encodeError(const QJsonValue &re, const Error &error);
[[nodiscard]] QByteArray encodeEvent(QLatin1StringView event, QJsonObject fields);

template<RequestParams Params>
[[nodiscard]] QByteArray encodeRequest(qint64 id, const Params &params)
{
    return encodeRequest(id, Params::kOp, params.toJson());
}
template<ReplyResult Result>
[[nodiscard]] QByteArray encodeReply(const QJsonValue &re, const Result &result)
{
    return encodeReply(re, result.toJson());
}
template<EventValue Event>
[[nodiscard]] QByteArray encodeEvent(const Event &event)
{
    return encodeEvent(Event::kEvent, event.toJson());
}

// A frame as the client sees it.
struct ServerFrame {
    enum class Type { Reply, Event };
    Type type = Type::Reply;
    QJsonValue re = QJsonValue::Null; // replies
    bool ok = false;                  // replies
    QString errorName;                // replies with ok=false: the wire code, kept even if unknown
    std::optional<ErrorCode> error;   // the same, when it is one this version knows
    QString message;                  // replies with ok=false
    std::optional<qint64> retryAfter; // rate_limited replies: seconds until the request may succeed
    QString event;                    // events (decodeEvent makes a typed value of one)
    QJsonObject body;                 // the whole frame
};

[[nodiscard]] std::optional<ServerFrame> decodeServerFrame(QByteArrayView frame);

// A JSON number that is an integer a double holds exactly (|n| <= 2^53).
[[nodiscard]] std::optional<qint64> exactInteger(const QJsonValue &value);

} // namespace rill::protocol
