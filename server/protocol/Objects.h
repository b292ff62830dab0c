#pragma once

#include "Result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// The objects of the contract (Message, ChannelInfo and the entries of `channels` and
// `members`) and their JSON form. Revision 2's fields are optional and written only when they
// apply, so a revision-1 peer sees exactly revision 1.
namespace rill::protocol {

enum class MessageKind { Message, Join, Part };

[[nodiscard]] QLatin1StringView messageKindName(MessageKind kind);
[[nodiscard]] std::optional<MessageKind> messageKindFromName(QStringView name);

// One emoji on a message and who put it there, in the order they reacted.
struct Reaction {
    QString emoji;
    QStringList users;

    friend bool operator==(const Reaction &, const Reaction &) = default;
};

struct Message {
    QString id;      // stream entry ID
    QString channel;
    MessageKind kind = MessageKind::Message;
    QString user;
    QString text;    // empty (and absent on the wire) for join/part and deleted messages
    qint64 ts = 0;   // ms since the epoch, the time part of id
    QJsonValue nonce; // Null (absent on the wire) unless the sender gave one
    // Revision 2, each absent on the wire unless it applies.
    std::optional<qint64> edited; // ms of the last edit
    bool deleted = false;
    // On the wire an object keyed by emoji; JSON objects have no order, so the emoji come back
    // in QJsonObject's key order. The users keep theirs.
    QList<Reaction> reactions;
    QString replyTo;        // the thread root this message answers
    qint64 replies = 0;     // this message is a thread root with this many replies
    qint64 lastReplyTs = 0; // ms of its newest reply (with replies > 0)

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<Message> fromJson(const QJsonObject &json);

    friend bool operator==(const Message &, const Message &) = default;
};

enum class ChannelKind { Channel, Dm };

[[nodiscard]] QLatin1StringView channelKindName(ChannelKind kind);

struct ChannelInfo {
    QString name;
    ChannelKind kind = ChannelKind::Channel;
    QString peer;      // the other user of a DM; empty otherwise
    qint64 members = 0;
    QString lastId;    // empty means null: the log is empty
    QString lastRead;  // empty means null: nothing read yet
    qint64 unread = 0;
    // Revision 2: absent from a server that does not say (a revision-1 server, or a DM's topic).
    std::optional<QString> topic;
    std::optional<qint64> mentions; // how many of `unread` mention the user
    // Rill's addition: the cursor of the channel's newest change to an existing message ("0-0"
    // for none yet), to ask `changes` after a reconnect.
    std::optional<QString> lastChange;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ChannelInfo> fromJson(const QJsonObject &json);

    friend bool operator==(const ChannelInfo &, const ChannelInfo &) = default;
};

// An entry of the `channels` reply: a public channel anyone may join.
struct PublicChannel {
    QString name;
    qint64 members = 0;
    std::optional<QString> topic; // revision 2

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<PublicChannel> fromJson(const QJsonObject &json);

    friend bool operator==(const PublicChannel &, const PublicChannel &) = default;
};

// An entry of the `members` reply.
struct MemberPresence {
    QString user;
    bool online = false;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<MemberPresence> fromJson(const QJsonObject &json);

    friend bool operator==(const MemberPresence &, const MemberPresence &) = default;
};

// A send's nonce as JSON text, which is how it is stored and compared (so it comes back with
// the type it was sent with): empty for none (absent or null), nullopt when it is not a string
// of at most kMaxNonceBytes bytes as JSON text or an integer.
[[nodiscard]] std::optional<QByteArray> nonceText(const QJsonValue &nonce);

} // namespace rill::protocol
