#include "EventFrames.h"

#include "protocol/Codec.h"
#include "protocol/Events.h"

namespace rill::server::codec {

namespace {
template<protocol::EventValue Event>
QString frame(const Event &event)
{
    return QString::fromUtf8(protocol::encodeEvent(event));
}
} // namespace

QString messageEvent(const protocol::Message &message)
{
    return frame(protocol::MessageEvent{message});
}

QString memberEvent(const QString &channel, const QString &user, bool joined)
{
    return frame(protocol::MemberEvent{channel, user, joined});
}

QString channelEvent(const protocol::ChannelInfo &channel)
{
    return frame(protocol::ChannelEvent{channel});
}

QString readEvent(const QString &channel, const QString &upTo)
{
    return frame(protocol::ReadEvent{channel, upTo});
}

QString presenceEvent(const QString &user, bool online)
{
    return frame(protocol::PresenceEvent{user, online});
}

QString typingEvent(const QString &channel, const QString &user)
{
    return frame(protocol::TypingEvent{channel, user});
}

QString byeEvent(const QString &reason)
{
    return frame(protocol::ByeEvent{reason});
}

} // namespace rill::server::codec
