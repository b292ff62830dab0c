#pragma once

#include "ErrorCode.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

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
} // namespace op

namespace ev {
inline constexpr QLatin1StringView message{"message"};
inline constexpr QLatin1StringView channel{"channel"};
inline constexpr QLatin1StringView member{"member"};
inline constexpr QLatin1StringView presence{"presence"};
inline constexpr QLatin1StringView typing{"typing"};
inline constexpr QLatin1StringView read{"read"};
inline constexpr QLatin1StringView bye{"bye"};
} // namespace ev

// One decoded request. `id` is the integer the client chose, or Null when it gave none usable.
struct Request {
    QJsonValue id = QJsonValue::Null;
    QString op;
    QJsonObject params; // the whole request object; parameters sit beside "id" and "op"
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

// A frame as the client sees it.
struct ServerFrame {
    enum class Type { Reply, Event };
    Type type = Type::Reply;
    QJsonValue re = QJsonValue::Null; // replies
    bool ok = false;                  // replies
    QString errorName;                // replies with ok=false: the wire code, kept even if unknown
    std::optional<ErrorCode> error;   // the same, when it is one this version knows
    QString message;                  // replies with ok=false
    QString event;                    // events
    QJsonObject body;                 // the whole frame
};

[[nodiscard]] std::optional<ServerFrame> decodeServerFrame(QByteArrayView frame);

// A JSON number that is an integer a double holds exactly (|n| <= 2^53).
[[nodiscard]] std::optional<qint64> exactInteger(const QJsonValue &value);

} // namespace rill::protocol
