#pragma once

#include "protocol/StreamId.h"
#include "socket/Frame.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace rill::redis {
class RedisReply;
}

namespace rill::server {

// One entry of the shared bus (rill:bus), parsed, with its frames already built: it is
// serialized once per instance, and kept in the replay ring as is.
struct BusEvent {
    enum class Type {
        ChannelEntry, // a message, join or part in a channel's log, or an update of a message
                      // (revision 2): to the channel's members
        ChannelAdded, // a user is in a channel they were not in before: to that user
        ReadMarker,   // a user's read marker moved: to that user
        Presence,     // a user came on line or went off: to users sharing a channel
        LoggedOut,    // a user's token (or all of them) was revoked: their sessions on it end
    };

    protocol::StreamId id;
    Type type = Type::ChannelEntry;
    QString channel;
    QString userKey;     // ChannelAdded/ReadMarker: the recipient; Presence: its subject;
                         // ChannelEntry join/part: whose membership changed
    QString origin;      // the session that caused it and already has the reply, if any
    QByteArray tokenHash; // LoggedOut: the revoked token; empty when every token of the user is
    bool joined = false; // ChannelEntry: a join (membership added first) or a part (removed after)
    bool membershipChange = false;
    // Presence: the subject's channels that this instance has users in. The bus entry names
    // only the user (its size does not grow with their channels); the hub looks them up.
    QStringList presenceChannels;
    Frame frame;         // the event (message, channel, read or presence)
    Frame memberFrame;   // join/part: the `member` event that goes with the notice

    // Nullopt for an entry this version does not understand (it is skipped, not fatal).
    [[nodiscard]] static std::optional<BusEvent> fromEntry(const redis::RedisReply &entry);
    // The entry's gapless number (`q`), or 0 where it has none.
    [[nodiscard]] static qint64 sequenceOf(const redis::RedisReply &entry);
    // An entry as rill:bus:live pushes it (common.lua: netstrings of its ID, then its fields
    // and values), shaped as the stream returns it ([ID, [field, value, ...]]); nullopt when
    // the payload is not one.
    [[nodiscard]] static std::optional<redis::RedisReply> entryFromPush(QByteArrayView payload);
};

} // namespace rill::server
