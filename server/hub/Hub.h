#pragma once

#include "hub/BusEvent.h"
#include "hub/Presence.h"
#include "hub/Recipient.h"

#include "redis/RedisLink.h"
#include "redis/RedisReply.h"
#include "store/Store.h"

#include <QCoro/QCoroTask>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <deque>
#include <memory>
#include <vector>

namespace rill::redis {
class RedisClient;
class RedisSubscriber;
} // namespace rill::redis

namespace rill::server {

class ServerMetrics;

// Who is on this instance, and the fan-out of every event to them.
//
// The hub follows the shared bus (rill:bus, pushed to it over pub/sub as each entry is added,
// read from the stream only to catch up) and delivers each entry to the local sessions it
// concerns: channel entries to the channel's
// members, channel/read events to one user, presence to users sharing a channel. It keeps
// its own index of local users and their channels, updated from the same bus, so membership
// and messages are applied in one order. Typing arrives over pub/sub (rill:typing).
class Hub : public QObject
{
    Q_OBJECT

public:
    struct Options {
        QString instanceId;
        std::chrono::seconds presenceHeartbeat{5};
        redis::RedisOptions busLink;       // for the bus's pub/sub connection
        redis::RedisOptions subscriberLink; // for the typing pub/sub connection
        ServerMetrics *metrics = nullptr;   // counts fan-out time and bus gaps, when set
    };

    Hub(store::Store &store, redis::RedisClient &redis, Options options, QObject *parent = nullptr);
    ~Hub() override;

    [[nodiscard]] QCoro::Task<bool> start();
    QCoro::Task<> stop();

    // A logged-in session joins the fan-out from the bus position its snapshot reflects.
    void attach(Recipient *recipient, const store::LoginSnapshot &snapshot);
    void detach(Recipient *recipient);

    [[nodiscard]] QString errorString() const { return m_error; }
    [[nodiscard]] qsizetype localUserCount() const { return m_users.size(); }
    // The newest bus entry delivered.
    [[nodiscard]] protocol::StreamId cursor() const { return m_cursor; }
    // For health checks and metrics: the bus reader's link is up; what the fan-out index holds.
    [[nodiscard]] bool isReadingBus() const;
    struct LocalChannels {
        qsizetype channels = 0;    // with at least one local member
        qsizetype memberships = 0; // local users summed over channels
        qsizetype largest = 0;     // local users of the channel with the most
    };
    [[nodiscard]] LocalChannels localChannels() const;

private:
    struct LocalUser {
        QString key;
        QSet<QString> channels;
        std::vector<Recipient *> sessions;
    };

    // The one consumer of the bus: catches up from the stream when asked to, then applies the
    // pushed entries in order, as long as they follow one another.
    QCoro::Task<> drainBus();
    // Reads the stream past the cursor and applies it; false when Redis did not answer.
    QCoro::Task<bool> catchUp();
    QCoro::Task<> applyEntries(const std::vector<redis::RedisReply> &entries);
    void pushed(const QByteArray &payload);
    // Fills in, for each presence event, which of its subject's channels have users here.
    QCoro::Task<> resolvePresence(std::vector<std::optional<BusEvent>> &events);
    void apply(const BusEvent &event);
    void checkSequence(qint64 sequence);
    // Returns whether the session's token was revoked after its snapshot.
    [[nodiscard]] bool replay(Recipient *session, const store::LoginSnapshot &snapshot);
    void deliverTyping(const QByteArray &payload);
    void addToChannel(LocalUser &user, const QString &channel);
    void removeFromChannel(LocalUser &user, const QString &channel);
    [[nodiscard]] LocalUser *localUser(const QString &key) const;

    store::Store &m_store;
    Options m_options;
    redis::RedisClient &m_redis;
    std::unique_ptr<redis::RedisSubscriber> m_busFeed;
    std::unique_ptr<redis::RedisSubscriber> m_typing;
    Presence m_presence;

    QHash<QString, std::shared_ptr<LocalUser>> m_users;
    QHash<QString, QSet<LocalUser *>> m_channelMembers;
    // The last few thousand bus events, to replay to a session whose log-in snapshot is older
    // than what the hub has already delivered.
    std::deque<BusEvent> m_recent;
    protocol::StreamId m_cursor;
    qint64 m_lastSequence = 0; // the bus entry's `q`; 0 until the first entry is read
    bool m_reading = false;
    std::vector<redis::RedisReply> m_pushed; // arrived while the consumer was busy
    bool m_catchUpNeeded = true;
    bool m_draining = false;
    QTimer m_catchUpTimer;
    QString m_error;
};

} // namespace rill::server
