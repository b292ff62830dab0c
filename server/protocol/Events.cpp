#include "Events.h"

#include "Fields.h"

namespace rill::protocol {
namespace {

using namespace Qt::StringLiterals;

template<typename E>
bool decodeAs(const QString &name, const QJsonObject &body, Event &out)
{
    if (name != E::kEvent)
        return false;
    auto decoded = E::fromJson(body);
    if (decoded)
        out = std::move(decoded).value();
    else
        out = UnknownEvent{name, body, decoded.error().message};
    return true;
}

template<typename... E>
Event decodeAny(const QString &name, const QJsonObject &body)
{
    Event out = UnknownEvent{name, body, {}};
    (void)(decodeAs<E>(name, body, out) || ...);
    return out;
}

} // namespace

QJsonObject MessageEvent::toJson() const
{
    return {{"message"_L1, message.toJson()}};
}

Result<MessageEvent> MessageEvent::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    MessageEvent out;
    out.message = fields.object<Message>("message"_L1);
    return fields.finish(std::move(out));
}

QJsonObject ChannelEvent::toJson() const
{
    return {{"channel"_L1, channel.toJson()}};
}

Result<ChannelEvent> ChannelEvent::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    ChannelEvent out;
    out.channel = fields.object<ChannelInfo>("channel"_L1);
    return fields.finish(std::move(out));
}

QJsonObject MemberEvent::toJson() const
{
    return {{"channel"_L1, channel}, {"user"_L1, user}, {"joined"_L1, joined}};
}

Result<MemberEvent> MemberEvent::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    MemberEvent out;
    out.channel = fields.string("channel"_L1);
    out.user = fields.string("user"_L1);
    out.joined = fields.boolean("joined"_L1);
    return fields.finish(std::move(out));
}

QJsonObject PresenceEvent::toJson() const
{
    return {{"user"_L1, user}, {"online"_L1, online}};
}

Result<PresenceEvent> PresenceEvent::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    PresenceEvent out;
    out.user = fields.string("user"_L1);
    out.online = fields.boolean("online"_L1);
    return fields.finish(std::move(out));
}

QJsonObject TypingEvent::toJson() const
{
    return {{"channel"_L1, channel}, {"user"_L1, user}};
}

Result<TypingEvent> TypingEvent::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    TypingEvent out;
    out.channel = fields.string("channel"_L1);
    out.user = fields.string("user"_L1);
    return fields.finish(std::move(out));
}

QJsonObject ReadEvent::toJson() const
{
    return {{"channel"_L1, channel}, {"upTo"_L1, upTo}};
}

Result<ReadEvent> ReadEvent::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    ReadEvent out;
    out.channel = fields.string("channel"_L1);
    out.upTo = fields.messageId("upTo"_L1);
    return fields.finish(std::move(out));
}

QJsonObject ByeEvent::toJson() const
{
    return {{"reason"_L1, reason}};
}

Result<ByeEvent> ByeEvent::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    ByeEvent out;
    out.reason = fields.string("reason"_L1);
    return fields.finish(std::move(out));
}

QJsonObject UpdateEvent::toJson() const
{
    QJsonObject json{{"message"_L1, message.toJson()}};
    if (lastChange)
        json.insert("lastChange"_L1, *lastChange);
    return json;
}

Result<UpdateEvent> UpdateEvent::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    UpdateEvent out;
    out.message = fields.object<Message>("message"_L1);
    out.lastChange = fields.optionalMessageId("lastChange"_L1);
    return fields.finish(std::move(out));
}

QJsonObject TopicEvent::toJson() const
{
    return {{"channel"_L1, channel}, {"topic"_L1, topic}, {"user"_L1, user}};
}

Result<TopicEvent> TopicEvent::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    TopicEvent out;
    out.channel = fields.string("channel"_L1);
    out.topic = fields.string("topic"_L1);
    out.user = fields.string("user"_L1);
    return fields.finish(std::move(out));
}

Event decodeEvent(const QString &name, const QJsonObject &body)
{
    return decodeAny<MessageEvent, ChannelEvent, MemberEvent, PresenceEvent, TypingEvent, ReadEvent, ByeEvent,
                     UpdateEvent, TopicEvent>(name, body);
}

} // namespace rill::protocol
