#pragma once

#include "protocol/Objects.h"
#include "socket/Frame.h"

#include <QString>

// The server's events as ready-to-send WebSocket frames, each built from its type in
// protocol/Events.h. Each is built once per event and instance, and the same bytes go to every
// local session that gets it.
namespace rill::server::codec {

[[nodiscard]] Frame messageEvent(const protocol::Message &message);
[[nodiscard]] Frame memberEvent(const QString &channel, const QString &user, bool joined);
[[nodiscard]] Frame channelEvent(const protocol::ChannelInfo &channel);
[[nodiscard]] Frame readEvent(const QString &channel, const QString &upTo);
[[nodiscard]] Frame presenceEvent(const QString &user, bool online);
[[nodiscard]] Frame typingEvent(const QString &channel, const QString &user);
[[nodiscard]] Frame byeEvent(const QString &reason);
// `lastChange`: the change's cursor (Rill's addition), empty for none.
[[nodiscard]] Frame updateEvent(const protocol::Message &message, const QString &lastChange);
[[nodiscard]] Frame topicEvent(const QString &channel, const QString &topic, const QString &user);

} // namespace rill::server::codec
