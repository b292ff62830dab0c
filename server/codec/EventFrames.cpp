#include "EventFrames.h"

#include "protocol/Codec.h"

namespace rill::server::codec {

using namespace Qt::StringLiterals;
namespace ev = protocol::ev;

namespace {
Frame frame(QLatin1StringView event, QJsonObject fields)
{
    return Frame::text(protocol::encodeEvent(event, std::move(fields)));
}
} // namespace

Frame messageEvent(const protocol::Message &message)
{
    return frame(ev::message, {{"message"_L1, message.toJson()}});
}

Frame memberEvent(const QString &channel, const QString &user, bool joined)
{
    return frame(ev::member, {{"channel"_L1, channel}, {"user"_L1, user}, {"joined"_L1, joined}});
}

Frame channelEvent(const protocol::ChannelInfo &channel)
{
    return frame(ev::channel, {{"channel"_L1, channel.toJson()}});
}

Frame readEvent(const QString &channel, const QString &upTo)
{
    return frame(ev::read, {{"channel"_L1, channel}, {"upTo"_L1, upTo}});
}

Frame presenceEvent(const QString &user, bool online)
{
    return frame(ev::presence, {{"user"_L1, user}, {"online"_L1, online}});
}

Frame typingEvent(const QString &channel, const QString &user)
{
    return frame(ev::typing, {{"channel"_L1, channel}, {"user"_L1, user}});
}

Frame byeEvent(const QString &reason)
{
    return frame(ev::bye, {{"reason"_L1, reason}});
}

} // namespace rill::server::codec
