#include "EventFrames.h"

#include "protocol/Codec.h"
#include "protocol/Events.h"

namespace rill::server::codec {

namespace {
template<protocol::EventValue Event>
Frame frame(const Event &event)
{
    return Frame::text(protocol::encodeEvent(event));
}
} // namespace

Frame messageEvent(const protocol::Message &message)
{
    return frame(protocol::MessageEvent{message});
}

Frame memberEvent(const QString &channel, const QString &user, bool joined)
{
    return frame(protocol::MemberEvent{channel, user, joined});
}

Frame channelEvent(const protocol::ChannelInfo &channel)
{
    return frame(protocol::ChannelEvent{channel});
}

Frame readEvent(const QString &channel, const QString &upTo)
{
    return frame(protocol::ReadEvent{channel, upTo});
}

Frame presenceEvent(const QString &user, bool online)
{
    return frame(protocol::PresenceEvent{user, online});
}

Frame typingEvent(const QString &channel, const QString &user)
{
    return frame(protocol::TypingEvent{channel, user});
}

Frame byeEvent(const QString &reason)
{
    return frame(protocol::ByeEvent{reason});
}

Frame updateEvent(const protocol::Message &message, const QString &lastChange)
{
    return frame(protocol::UpdateEvent{message, lastChange.isEmpty() ? std::nullopt : std::optional(lastChange)});
}

Frame topicEvent(const QString &channel, const QString &topic, const QString &user)
{
    return frame(protocol::TopicEvent{channel, topic, user});
}

} // namespace rill::server::codec
