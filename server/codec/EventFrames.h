#pragma once

#include "protocol/Objects.h"

#include <QString>

// The server's events as ready-to-send text frames, each built from its type in
// protocol/Events.h. Each is built once per event and instance and the same QString (implicitly
// shared) goes to every local session that gets it.
namespace rill::server::codec {

[[nodiscard]] QString messageEvent(const protocol::Message &message);
[[nodiscard]] QString memberEvent(const QString &channel, const QString &user, bool joined);
[[nodiscard]] QString channelEvent(const protocol::ChannelInfo &channel);
[[nodiscard]] QString readEvent(const QString &channel, const QString &upTo);
[[nodiscard]] QString presenceEvent(const QString &user, bool online);
[[nodiscard]] QString typingEvent(const QString &channel, const QString &user);
[[nodiscard]] QString byeEvent(const QString &reason);

} // namespace rill::server::codec
