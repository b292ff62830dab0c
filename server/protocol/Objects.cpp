#include "Objects.h"

#include "Codec.h"
#include "Fields.h"
#include "Limits.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace rill::protocol {
namespace {

using namespace Qt::StringLiterals;

QJsonValue idOrNull(const QString &id)
{
    return id.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(id);
}

constexpr qint64 kMaxCount = FieldReader::kMaxInteger;

} // namespace

QLatin1StringView messageKindName(MessageKind kind)
{
    switch (kind) {
    case MessageKind::Message: return "message"_L1;
    case MessageKind::Join: return "join"_L1;
    case MessageKind::Part: return "part"_L1;
    }
    Q_UNREACHABLE();
    return "message"_L1;
}

std::optional<MessageKind> messageKindFromName(QStringView name)
{
    for (auto kind : {MessageKind::Message, MessageKind::Join, MessageKind::Part}) {
        if (name == messageKindName(kind))
            return kind;
    }
    return std::nullopt;
}

QJsonObject Message::toJson() const
{
    QJsonObject json{
        {"id"_L1, id},
        {"channel"_L1, channel},
        {"kind"_L1, messageKindName(kind)},
        {"user"_L1, user},
        {"ts"_L1, ts},
    };
    if (kind == MessageKind::Message && !deleted)
        json.insert("text"_L1, text);
    if (!nonce.isNull() && !nonce.isUndefined())
        json.insert("nonce"_L1, nonce);
    if (edited)
        json.insert("edited"_L1, *edited);
    if (deleted)
        json.insert("deleted"_L1, true);
    if (!reactions.isEmpty() && !deleted) {
        QJsonObject byEmoji;
        for (const Reaction &r : reactions)
            byEmoji.insert(r.emoji, QJsonArray::fromStringList(r.users));
        json.insert("reactions"_L1, byEmoji);
    }
    if (!replyTo.isEmpty())
        json.insert("replyTo"_L1, replyTo);
    if (replies > 0) {
        json.insert("replies"_L1, replies);
        json.insert("lastReplyTs"_L1, lastReplyTs);
    }
    return json;
}

Result<Message> Message::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    Message m;
    m.id = fields.messageId("id"_L1);
    m.channel = fields.string("channel"_L1);
    const QString kind = fields.string("kind"_L1);
    if (const auto known = messageKindFromName(kind))
        m.kind = *known;
    else
        fields.fail(u"\"kind\" must be message, join or part"_s);
    m.user = fields.string("user"_L1);
    m.ts = fields.requiredInteger("ts"_L1, 0, kMaxCount);
    m.nonce = json.value("nonce"_L1);
    if (m.nonce.isUndefined())
        m.nonce = QJsonValue::Null;
    m.edited = fields.optionalInteger("edited"_L1, 0, kMaxCount);
    m.deleted = fields.optionalBoolean("deleted"_L1).value_or(false);
    if (m.kind == MessageKind::Message && !m.deleted)
        m.text = fields.string("text"_L1);
    if (fields.has("reactions"_L1)) {
        const QJsonValue reactions = json.value("reactions"_L1);
        const QJsonObject byEmoji = reactions.toObject();
        bool wellFormed = reactions.isObject();
        for (auto it = byEmoji.begin(); wellFormed && it != byEmoji.end(); ++it) {
            Reaction reaction{it.key(), {}};
            wellFormed = it.value().isArray();
            for (const QJsonValue &user : it.value().toArray()) {
                wellFormed = wellFormed && user.isString();
                reaction.users.append(user.toString());
            }
            m.reactions.append(std::move(reaction));
        }
        if (!wellFormed)
            fields.fail(u"\"reactions\" must map each emoji to a list of user names"_s);
    }
    m.replyTo = fields.optionalMessageId("replyTo"_L1).value_or(QString());
    m.replies = fields.integer("replies"_L1, 0, 0, kMaxCount);
    m.lastReplyTs = fields.integer("lastReplyTs"_L1, 0, 0, kMaxCount);
    return fields.finish(std::move(m));
}

QLatin1StringView channelKindName(ChannelKind kind)
{
    return kind == ChannelKind::Dm ? "dm"_L1 : "channel"_L1;
}

QJsonObject ChannelInfo::toJson() const
{
    QJsonObject json{
        {"name"_L1, name},
        {"kind"_L1, channelKindName(kind)},
        {"members"_L1, members},
        {"lastId"_L1, idOrNull(lastId)},
        {"lastRead"_L1, idOrNull(lastRead)},
        {"unread"_L1, unread},
    };
    if (kind == ChannelKind::Dm)
        json.insert("peer"_L1, peer);
    if (topic)
        json.insert("topic"_L1, *topic);
    if (mentions)
        json.insert("mentions"_L1, *mentions);
    if (lastChange)
        json.insert("lastChange"_L1, *lastChange);
    return json;
}

Result<ChannelInfo> ChannelInfo::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    ChannelInfo c;
    c.name = fields.string("name"_L1);
    const QString kind = fields.string("kind"_L1);
    if (kind == channelKindName(ChannelKind::Dm))
        c.kind = ChannelKind::Dm;
    else if (kind != channelKindName(ChannelKind::Channel))
        fields.fail(u"\"kind\" must be channel or dm"_s);
    if (c.kind == ChannelKind::Dm)
        c.peer = fields.string("peer"_L1);
    c.members = fields.requiredInteger("members"_L1, 0, kMaxCount);
    c.lastId = fields.messageIdOrNull("lastId"_L1);
    c.lastRead = fields.messageIdOrNull("lastRead"_L1);
    c.unread = fields.requiredInteger("unread"_L1, 0, kMaxCount);
    c.topic = fields.optionalString("topic"_L1);
    c.mentions = fields.optionalInteger("mentions"_L1, 0, kMaxCount);
    c.lastChange = fields.optionalMessageId("lastChange"_L1);
    return fields.finish(std::move(c));
}

QJsonObject PublicChannel::toJson() const
{
    QJsonObject json{{"name"_L1, name}, {"members"_L1, members}};
    if (topic)
        json.insert("topic"_L1, *topic);
    return json;
}

Result<PublicChannel> PublicChannel::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    PublicChannel c;
    c.name = fields.string("name"_L1);
    c.members = fields.requiredInteger("members"_L1, 0, kMaxCount);
    c.topic = fields.optionalString("topic"_L1);
    return fields.finish(std::move(c));
}

QJsonObject MemberPresence::toJson() const
{
    return {{"user"_L1, user}, {"online"_L1, online}};
}

Result<MemberPresence> MemberPresence::fromJson(const QJsonObject &json)
{
    FieldReader fields(json);
    MemberPresence m;
    m.user = fields.string("user"_L1);
    m.online = fields.boolean("online"_L1);
    return fields.finish(std::move(m));
}

std::optional<QByteArray> nonceText(const QJsonValue &nonce)
{
    if (nonce.isUndefined() || nonce.isNull())
        return QByteArray();
    QByteArray text;
    if (nonce.isString())
        text = QJsonDocument(QJsonArray{nonce}).toJson(QJsonDocument::Compact).chopped(1).sliced(1);
    else if (const auto n = exactInteger(nonce))
        text = QByteArray::number(*n);
    // The quotes of a string do not count.
    if (text.isEmpty() || text.size() > kMaxNonceBytes + 2)
        return std::nullopt;
    return text;
}

} // namespace rill::protocol
