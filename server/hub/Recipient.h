#pragma once

#include "protocol/StreamId.h"
#include "socket/Frame.h"

#include <QByteArray>
#include <QString>

namespace rill::server {

// What the hub delivers to: a logged-in session. An interface so the hub knows nothing of
// sessions and connections (and can be tested with recipients that record what they get).
class Recipient
{
public:
    virtual ~Recipient() = default;

    // Unique per instance; matched against an event's origin, which already has its reply.
    [[nodiscard]] virtual const QString &id() const = 0;
    [[nodiscard]] virtual const QString &userKey() const = 0;
    // Bus entries up to this one are already reflected in what the recipient was told.
    [[nodiscard]] virtual protocol::StreamId busFloor() const = 0;
    virtual void setBusFloor(protocol::StreamId floor) = 0;
    // The stored form of the token it logged in with (Store::hashToken).
    [[nodiscard]] virtual const QByteArray &tokenHash() const = 0;
    // The frame is shared with every other recipient of the event: write it, do not copy it.
    virtual void deliver(const Frame &frame) = 0;
    // Events for this recipient may have been lost (the instance fell behind the bus's trim).
    virtual void fellBehind() = 0;
    // Its token was revoked (a logout, here or on another instance): it must end now. The hub
    // calls this outside its own iteration, so the recipient may detach.
    virtual void loggedOut() = 0;
};

} // namespace rill::server
