#pragma once

#include "RedisEndpoint.h"

#include <QCoro/QCoroTask>
#include <QObject>
#include <QString>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace rill::redis {

class RedisClient;
class RedisSubscriber;

// Where the Redis master is, according to Redis Sentinel (the client side of
// https://redis.io/docs/reference/sentinel-clients/): every link of a sentinel:// endpoint asks
// it before each connection attempt, and drops its link when a sentinel announces that the
// master moved (+switch-master).
//
// It keeps one command link and one pub/sub link to each sentinel, so a question is answered
// from a link that is already up, and a failover is heard from any sentinel that survives.
// Nothing here blocks: the links are RedisLinks on the event loop like any other.
class SentinelResolver : public QObject
{
    Q_OBJECT

public:
    struct Address {
        QString host;
        quint16 port = 0;
        friend bool operator==(const Address &, const Address &) = default;
    };

    // `endpoint` is a sentinel:// endpoint; `timeout` bounds one question to one sentinel.
    SentinelResolver(const RedisEndpoint &endpoint, std::chrono::milliseconds timeout, QObject *parent = nullptr);
    ~SentinelResolver() override;

    // Asks every sentinel at once and takes the first answer in order of preference (the one
    // that answered last time first). Nullopt when none knows the master; lastError() says why.
    [[nodiscard]] QCoro::Task<std::optional<Address>> masterAddress();
    [[nodiscard]] QString lastError() const { return m_lastError; }
    [[nodiscard]] const QString &masterName() const { return m_masterName; }

Q_SIGNALS:
    // A sentinel announced that the master is now at `to` (a failover, or a manual one).
    void masterSwitched(const rill::redis::SentinelResolver::Address &to);

private:
    void onSwitch(const QByteArray &payload);

    struct Sentinel {
        QString name; // host:port, for errors
        std::unique_ptr<RedisClient> commands;
        std::unique_ptr<RedisSubscriber> events;
    };
    QString m_masterName;
    std::vector<Sentinel> m_sentinels;
    std::vector<std::size_t> m_preference; // indexes into m_sentinels
    std::optional<Address> m_lastSwitch;
    QString m_lastError;
};

} // namespace rill::redis
