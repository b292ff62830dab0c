#pragma once

#include "Result.h"

#include "protocol/Objects.h"
#include "protocol/StreamId.h"

#include <QCoro/QCoroTask>
#include <QList>
#include <QString>

#include <chrono>

namespace rill::redis {
class RedisClient;
class RedisReply;
} // namespace rill::redis

namespace rill::store {

struct LoginSnapshot {
    QString userKey;
    QString name;
    protocol::StreamId busPosition; // the bus entry this snapshot reflects
    QList<protocol::ChannelInfo> channels;
};

struct Credentials {
    QString name;
    QByteArray passwordHash; // empty: no such user
};

struct HistoryQuery {
    enum class From { Newest, Before, After };
    From from = From::Newest;
    QString id;
    int limit = 50;
};

struct HistoryPage {
    QList<protocol::Message> messages; // oldest first
    bool more = false;
};

struct ChannelSummary {
    QString name;
    qint64 members = 0;
};

struct MemberPresence {
    QString user;
    bool online = false;
};

struct ReadResult {
    QString lastRead;
    bool moved = false;
};

// Rill's data in Redis, one async call per operation. Every write that must be atomic across
// keys is one Lua script (server/store/lua), which also appends the event to the bus.
// Redis being unreachable comes back as `internal`.
class Store
{
public:
    explicit Store(redis::RedisClient &redis);

    [[nodiscard]] QCoro::Task<Result<Done>> ensureDefaults();

    [[nodiscard]] QCoro::Task<Result<bool>> userExists(QString userKey);
    [[nodiscard]] QCoro::Task<Result<Credentials>> credentials(QString userKey);
    [[nodiscard]] QCoro::Task<Result<LoginSnapshot>> registerUser(QString userKey, QString name,
                                                                  QByteArray passwordHash, QByteArray tokenHash);
    [[nodiscard]] QCoro::Task<Result<LoginSnapshot>> openSession(QString userKey, QByteArray tokenHash);
    [[nodiscard]] QCoro::Task<Result<LoginSnapshot>> resumeSession(QByteArray tokenHash);
    [[nodiscard]] QCoro::Task<Result<Done>> revokeToken(QByteArray tokenHash);
    // Restarts the token's idle clock (called when a session using it ends).
    [[nodiscard]] QCoro::Task<Result<Done>> touchToken(QByteArray tokenHash);

    [[nodiscard]] QCoro::Task<Result<QList<ChannelSummary>>> publicChannels();
    [[nodiscard]] QCoro::Task<Result<protocol::ChannelInfo>> join(QString userKey, QString name, QString channel,
                                                                  QString origin);
    [[nodiscard]] QCoro::Task<Result<Done>> part(QString userKey, QString name, QString channel);
    // `nonceJson` is the nonce's JSON text, empty for none.
    [[nodiscard]] QCoro::Task<Result<protocol::Message>> send(QString userKey, QString name, QString channel,
                                                              QString text, QByteArray nonceJson);
    [[nodiscard]] QCoro::Task<Result<HistoryPage>> history(QString name, QString channel, HistoryQuery query);
    [[nodiscard]] QCoro::Task<Result<QList<MemberPresence>>> members(QString name, QString channel);
    [[nodiscard]] QCoro::Task<Result<protocol::ChannelInfo>> openDm(QString userKey, QString name, QString peerKey,
                                                                    QString origin);
    [[nodiscard]] QCoro::Task<Result<ReadResult>> markRead(QString userKey, QString name, QString channel,
                                                           QString upTo, QString origin);
    [[nodiscard]] QCoro::Task<Result<Done>> typing(QString name, QString channel, QByteArray payload);

    [[nodiscard]] QCoro::Task<Result<Done>> presenceUp(QString instance, QString userKey);
    [[nodiscard]] QCoro::Task<Result<Done>> presenceDown(QString instance, QString userKey);
    // Makes the instance's set of users in Redis exactly `userKeys`, with presence events.
    [[nodiscard]] QCoro::Task<Result<Done>> syncPresence(QString instance, QStringList userKeys);
    // Beats for `instance`, which counts as dead if silent for `deadAfter`, and takes the
    // instances whose own deadline has passed off line.
    [[nodiscard]] QCoro::Task<Result<qint64>> heartbeat(QString instance, std::chrono::milliseconds deadAfter);
    [[nodiscard]] QCoro::Task<Result<qint64>> reapInstance(QString instance);
    // The newest bus entry's ID ("0-0" for an empty bus).
    [[nodiscard]] QCoro::Task<Result<protocol::StreamId>> busTail();

    // A fresh random session token (256 bits, base64url) and its stored form.
    [[nodiscard]] static QString newToken();
    [[nodiscard]] static QByteArray hashToken(const QString &token);
    // A stream entry (as XRANGE returns it) of `channel`'s log as a Message.
    [[nodiscard]] static std::optional<protocol::Message> messageFromEntry(const QString &channel,
                                                                           const redis::RedisReply &entry);

private:
    redis::RedisClient &m_redis;
};

} // namespace rill::store
