#pragma once

#include "config/ServerConfig.h"

#include <QCoro/QCoroTask>
#include <QObject>

#include <memory>

namespace rill::redis {
class EmbeddedRedis;
class RedisClient;
} // namespace rill::redis

namespace rill::server {

// The composition root of one server instance: Redis (embedded or remote), and on top of it
// everything that speaks the protocol. rill-server runs one; the desktop app runs one in
// process for a team without a server; tests run several against one Redis.
class RillServer : public QObject
{
    Q_OBJECT

public:
    explicit RillServer(ServerConfig config, QObject *parent = nullptr);
    ~RillServer() override;

    // Connects to (or starts) Redis and starts serving. False, with errorString(), on failure.
    [[nodiscard]] QCoro::Task<bool> start();
    // Graceful: tells clients goodbye, finishes writes in flight, releases Redis.
    QCoro::Task<> stop();

    [[nodiscard]] const ServerConfig &config() const { return m_config; }
    [[nodiscard]] QString errorString() const { return m_error; }
    // The Redis this instance uses, e.g. "unix:///home/me/.local/share/rill/server/redis/redis.sock".
    [[nodiscard]] QString redisDescription() const;

Q_SIGNALS:
    // Something the server cannot live without broke (the embedded Redis died).
    void fatalError(const QString &reason);

private:
    [[nodiscard]] QCoro::Task<bool> connectRedis();

    ServerConfig m_config;
    std::unique_ptr<redis::EmbeddedRedis> m_embeddedRedis;
    std::unique_ptr<redis::RedisClient> m_redis;
    QString m_error;
};

} // namespace rill::server
