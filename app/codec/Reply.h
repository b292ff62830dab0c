#pragma once

#include "protocol/ErrorCode.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace rill::client {

// The answer to one request, or why there is none.
struct Reply {
    bool ok = false;
    // Set when the server answered ok=false with a code this version knows.
    std::optional<protocol::ErrorCode> error;
    QString errorName;  // the wire code, even one this version does not know
    QString message;    // human text
    QJsonObject body;   // the whole reply frame
    // No answer came: the link dropped, or the request could not be written at all. The
    // request may or may not have been carried out.
    bool lost = false;

    [[nodiscard]] bool is(protocol::ErrorCode code) const { return error == code; }

    [[nodiscard]] static Reply lostReply(QString why)
    {
        Reply r;
        r.lost = true;
        r.message = std::move(why);
        return r;
    }
};

// The answer to a typed request: the Reply, and the op's result (Requests.h) when it is ok.
template<typename Result>
struct TypedReply : Reply {
    Result result;

    // A reply that says ok but does not hold the op's result is not ok: the server broke the
    // contract, and the caller gets its reason to show rather than a half-read value.
    [[nodiscard]] static TypedReply from(Reply reply)
    {
        TypedReply out{std::move(reply), {}};
        if (!out.ok)
            return out;
        auto read = Result::fromJson(out.body);
        if (read) {
            out.result = std::move(read).value();
        } else {
            out.ok = false;
            out.message = QStringLiteral("The server's reply does not follow the protocol: ") + read.error().message;
        }
        return out;
    }
};

} // namespace rill::client
