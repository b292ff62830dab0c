#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

// The two objects of the contract, Message and ChannelInfo, and their JSON form.
namespace rill::protocol {

enum class MessageKind { Message, Join, Part };

[[nodiscard]] QLatin1StringView messageKindName(MessageKind kind);
[[nodiscard]] std::optional<MessageKind> messageKindFromName(QStringView name);

struct Message {
    QString id;      // stream entry ID
    QString channel;
    MessageKind kind = MessageKind::Message;
    QString user;
    QString text;    // empty (and absent on the wire) for join/part
    qint64 ts = 0;   // ms since the epoch, the time part of id
    QJsonValue nonce; // Null (absent on the wire) unless the sender gave one

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static std::optional<Message> fromJson(const QJsonObject &json);

    friend bool operator==(const Message &, const Message &) = default;
};

enum class ChannelKind { Channel, Dm };

struct ChannelInfo {
    QString name;
    ChannelKind kind = ChannelKind::Channel;
    QString peer;      // the other user of a DM; empty otherwise
    qint64 members = 0;
    QString lastId;    // empty means null: the log is empty
    QString lastRead;  // empty means null: nothing read yet
    qint64 unread = 0;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static std::optional<ChannelInfo> fromJson(const QJsonObject &json);

    friend bool operator==(const ChannelInfo &, const ChannelInfo &) = default;
};

} // namespace rill::protocol
