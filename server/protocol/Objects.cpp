#include "Objects.h"

#include "StreamId.h"

namespace rill::protocol {
namespace {

using namespace Qt::StringLiterals;

QJsonValue idOrNull(const QString &id)
{
    return id.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(id);
}

// Reads an optional ID field that may be null; false when it is present but not an ID.
bool readOptionalId(const QJsonObject &json, QLatin1StringView key, QString &out)
{
    const QJsonValue v = json.value(key);
    if (v.isNull() || v.isUndefined()) {
        out.clear();
        return true;
    }
    if (!v.isString() || !StreamId::parse(v.toString()))
        return false;
    out = v.toString();
    return true;
}

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
    if (kind == MessageKind::Message)
        json.insert("text"_L1, text);
    if (!nonce.isNull() && !nonce.isUndefined())
        json.insert("nonce"_L1, nonce);
    return json;
}

std::optional<Message> Message::fromJson(const QJsonObject &json)
{
    Message m;
    const auto kind = messageKindFromName(json.value("kind"_L1).toString());
    if (!kind || !json.value("id"_L1).isString() || !json.value("channel"_L1).isString()
        || !json.value("user"_L1).isString() || !json.value("ts"_L1).isDouble())
        return std::nullopt;
    m.kind = *kind;
    m.id = json.value("id"_L1).toString();
    if (!StreamId::parse(m.id))
        return std::nullopt;
    m.channel = json.value("channel"_L1).toString();
    m.user = json.value("user"_L1).toString();
    m.ts = json.value("ts"_L1).toInteger();
    if (m.kind == MessageKind::Message) {
        if (!json.value("text"_L1).isString())
            return std::nullopt;
        m.text = json.value("text"_L1).toString();
    }
    if (const QJsonValue nonce = json.value("nonce"_L1); !nonce.isUndefined())
        m.nonce = nonce;
    return m;
}

QJsonObject ChannelInfo::toJson() const
{
    QJsonObject json{
        {"name"_L1, name},
        {"kind"_L1, kind == ChannelKind::Dm ? "dm"_L1 : "channel"_L1},
        {"members"_L1, members},
        {"lastId"_L1, idOrNull(lastId)},
        {"lastRead"_L1, idOrNull(lastRead)},
        {"unread"_L1, unread},
    };
    if (kind == ChannelKind::Dm)
        json.insert("peer"_L1, peer);
    return json;
}

std::optional<ChannelInfo> ChannelInfo::fromJson(const QJsonObject &json)
{
    ChannelInfo c;
    const QString kind = json.value("kind"_L1).toString();
    if (kind == "dm"_L1)
        c.kind = ChannelKind::Dm;
    else if (kind != "channel"_L1)
        return std::nullopt;
    if (!json.value("name"_L1).isString() || !json.value("members"_L1).isDouble()
        || !json.value("unread"_L1).isDouble())
        return std::nullopt;
    c.name = json.value("name"_L1).toString();
    c.members = json.value("members"_L1).toInteger();
    c.unread = json.value("unread"_L1).toInteger();
    if (c.kind == ChannelKind::Dm) {
        if (!json.value("peer"_L1).isString())
            return std::nullopt;
        c.peer = json.value("peer"_L1).toString();
    }
    if (!readOptionalId(json, "lastId"_L1, c.lastId) || !readOptionalId(json, "lastRead"_L1, c.lastRead))
        return std::nullopt;
    return c;
}

} // namespace rill::protocol
