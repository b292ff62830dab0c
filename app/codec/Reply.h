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

} // namespace rill::client
