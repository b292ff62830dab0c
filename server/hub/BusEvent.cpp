#include "BusEvent.h"

#include "codec/EventFrames.h"
#include "protocol/Names.h"
#include "redis/RedisReply.h"
#include "store/Store.h"

#include <QHash>

namespace rill::server {

using namespace Qt::StringLiterals;

std::optional<redis::RedisReply> BusEvent::entryFromPush(QByteArrayView payload)
{
    std::vector<redis::RedisReply> strings;
    while (!payload.isEmpty()) {
        const qsizetype colon = payload.indexOf(':');
        bool ok = false;
        const qsizetype length = colon > 0 ? payload.first(colon).toLongLong(&ok) : -1;
        if (!ok || length < 0 || length > payload.size() - colon - 1)
            return std::nullopt;
        strings.push_back(redis::RedisReply::string(payload.sliced(colon + 1, length).toByteArray()));
        payload = payload.sliced(colon + 1 + length);
    }
    if (strings.size() < 3 || strings.size() % 2 == 0) // an ID, then pairs
        return std::nullopt;
    redis::RedisReply id = std::move(strings.front());
    strings.erase(strings.begin());
    std::vector<redis::RedisReply> entry;
    entry.reserve(2);
    entry.push_back(std::move(id));
    entry.push_back(redis::RedisReply::array(std::move(strings)));
    return redis::RedisReply::array(std::move(entry));
}

qint64 BusEvent::sequenceOf(const redis::RedisReply &entry)
{
    if (!entry.isArray() || entry.size() < 2 || !entry.at(1).isArray())
        return 0;
    const redis::RedisReply &fields = entry.at(1);
    // Written first by the bus's only writer (common.lua), so this finds it at once.
    for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
        if (fields.at(i).bytes() == "q")
            return fields.at(i + 1).bytes().toLongLong();
    }
    return 0;
}

std::optional<BusEvent> BusEvent::fromEntry(const redis::RedisReply &entry)
{
    if (!entry.isArray() || entry.size() < 2 || !entry.at(1).isArray())
        return std::nullopt;
    const auto id = protocol::StreamId::parse(entry.at(0).bytes());
    if (!id)
        return std::nullopt;

    // Bus entries are small: a linear scan beats building a hash.
    const redis::RedisReply &fields = entry.at(1);
    auto field = [&fields](QByteArrayView name) -> QString {
        for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
            if (fields.at(i).bytes() == name)
                return fields.at(i + 1).text();
        }
        return {};
    };

    BusEvent e;
    e.id = *id;
    const QString kind = field("e");
    e.channel = field("c");
    e.origin = field("o");
    if (kind == "msg"_L1 || kind == "upd"_L1) {
        e.type = Type::ChannelEntry;
        // The bus entry mirrors the log entry with its current state (a new message, or an
        // update of an existing one); rebuild it as one so there is one parser.
        std::vector<redis::RedisReply> logFields;
        for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
            const QByteArray &name = fields.at(i).bytes();
            if (name != "q" && name != "e" && name != "c" && name != "i") {
                logFields.push_back(fields.at(i));
                logFields.push_back(fields.at(i + 1));
            }
        }
        const auto logEntry = redis::RedisReply::array(
            {redis::RedisReply::string(field("i").toUtf8()), redis::RedisReply::array(std::move(logFields))});
        const auto message = store::Store::messageFromEntry(e.channel, logEntry);
        if (!message)
            return std::nullopt;
        if (kind == "upd"_L1) {
            e.frame = codec::updateEvent(*message, field("lc"));
            return e;
        }
        e.frame = codec::messageEvent(*message);
        if (message->kind != protocol::MessageKind::Message) {
            e.membershipChange = true;
            e.joined = message->kind == protocol::MessageKind::Join;
            e.userKey = protocol::userKey(message->user);
            e.memberFrame = codec::memberEvent(e.channel, message->user, e.joined);
        }
        return e;
    }
    if (kind == "chan"_L1) {
        e.type = Type::ChannelAdded;
        e.userKey = field("to");
        protocol::ChannelInfo info;
        info.name = e.channel;
        info.kind = field("kind") == "dm"_L1 ? protocol::ChannelKind::Dm : protocol::ChannelKind::Channel;
        info.peer = field("peer");
        info.members = field("members").toLongLong();
        info.lastId = field("last");
        info.lastRead = field("read");
        info.unread = field("unread").toLongLong();
        if (info.kind == protocol::ChannelKind::Channel)
            info.topic = field("topic");
        info.mentions = field("mentions").toLongLong();
        info.lastChange = field("change");
        e.frame = codec::channelEvent(info);
        return e;
    }
    if (kind == "topic"_L1) {
        e.type = Type::ChannelEntry; // to the channel's members, like its messages
        e.frame = codec::topicEvent(e.channel, field("t"), field("u"));
        return e;
    }
    if (kind == "read"_L1) {
        e.type = Type::ReadMarker;
        e.userKey = field("to");
        e.frame = codec::readEvent(e.channel, field("up"));
        return e;
    }
    if (kind == "pres"_L1) {
        e.type = Type::Presence;
        e.userKey = field("k");
        e.frame = codec::presenceEvent(field("u"), field("on") == "1"_L1);
        return e;
    }
    if (kind == "out"_L1) {
        e.type = Type::LoggedOut;
        e.userKey = field("to");
        e.tokenHash = field("t").toLatin1();
        return e;
    }
    return std::nullopt;
}

} // namespace rill::server
