#pragma once

#include "RedisFixture.h"

#include "server/RillServer.h"

#include <QUrl>

#include <memory>

namespace rill::test {

// A real Rill server on a real Redis for one test: redis-server on a free port (RedisFixture)
// and a RillServer in this process on an ephemeral port. Several fixtures can share one
// RedisFixture to play several instances.
class ServerFixture
{
public:
    explicit ServerFixture(RedisFixture *sharedRedis = nullptr);
    ~ServerFixture();
    ServerFixture(const ServerFixture &) = delete;
    ServerFixture &operator=(const ServerFixture &) = delete;

    // Settings tests commonly change, applied at the next start().
    server::ServerConfig &config() { return m_config; }

    [[nodiscard]] bool start();
    void stop();
    // Stops the server and starts it again on the same port and Redis.
    [[nodiscard]] bool restart();

    [[nodiscard]] QUrl url() const;
    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] RedisFixture &redis() { return *m_redis; }
    [[nodiscard]] server::RillServer *server() { return m_server.get(); }
    [[nodiscard]] QString errorString() const { return m_error; }

private:
    std::unique_ptr<RedisFixture> m_ownRedis;
    RedisFixture *m_redis;
    server::ServerConfig m_config;
    std::unique_ptr<server::RillServer> m_server;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace rill::test
