#pragma once

#include "config/ServerConfig.h"

#include <QCoro/QCoroTask>
#include <QHash>
#include <QObject>

#include <memory>

namespace rill::redis {
class EmbeddedRedis;
class RedisClient;
} // namespace rill::redis
namespace rill::store {
class PasswordHasher;
class Store;
} // namespace rill::store

namespace rill::server {

class PeerConnection;
class Hub;
class Observability;
class PeerSession;
class WebSocketListener;

// The composition root of one server instance: Redis (embedded or remote), the store, the hub
// and the WebSocket listener. rill-server runs one; the desktop app runs one in process for a
// team without a server; tests run several against one Redis.
class RillServer : public QObject
{
    Q_OBJECT

public:
    explicit RillServer(ServerConfig config, QObject *parent = nullptr);
    ~RillServer() override;

    // Connects to (or starts) Redis and starts serving. False, with errorString(), on failure.
    [[nodiscard]] QCoro::Task<bool> start();
    // Graceful: `bye` to every client, close 1001, say goodbye in presence, let writes in
    // flight finish, release Redis. Bounded by config().shutdownTimeout.
    QCoro::Task<> stop();

    [[nodiscard]] const ServerConfig &config() const { return m_config; }
    [[nodiscard]] QString errorString() const { return m_error; }
    // The port it listens on (the real one when config().port is 0).
    [[nodiscard]] quint16 port() const;
    // Unique per process: the instance name and a random suffix.
    [[nodiscard]] QString instanceId() const { return m_instanceId; }
    // The Redis this instance uses, e.g. "unix:///home/me/.local/share/rill/server/redis/redis.sock".
    [[nodiscard]] QString redisDescription() const;
    [[nodiscard]] qsizetype connectionCount() const { return m_sessions.size(); }
    // The port of /healthz, /readyz and /metrics (the real one when config().httpPort is 0);
    // 0 while that endpoint is off.
    [[nodiscard]] quint16 httpPort() const;
    // The link requests use (for tests of recovery).
    [[nodiscard]] const redis::RedisClient *redis() const { return m_redis.get(); }

    // The redis-server an embedded start would run (see ServerConfig::redisServer), or empty
    // when there is none: the app asks before offering to start a server here.
    [[nodiscard]] static QString embeddedRedisExecutable(const QString &configured);

Q_SIGNALS:
    // Something the server cannot live without broke (the embedded Redis died).
    void fatalError(const QString &reason);

private:
    [[nodiscard]] QCoro::Task<bool> connectRedis();
    [[nodiscard]] QCoro::Task<bool> seedDemo();
    void openSession(PeerConnection *connection);

    ServerConfig m_config;
    QString m_instanceId;
    QString m_publicInstanceName;
    std::unique_ptr<Observability> m_ops; // first in, last out: everything below counts into it
    std::unique_ptr<redis::EmbeddedRedis> m_embeddedRedis;
    std::unique_ptr<redis::RedisClient> m_redis;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<store::PasswordHasher> m_hasher;
    std::unique_ptr<Hub> m_hub;
    std::unique_ptr<WebSocketListener> m_listener;
    QHash<PeerConnection *, std::shared_ptr<PeerSession>> m_sessions;
    QString m_error;
    bool m_serving = false;
};

} // namespace rill::server
