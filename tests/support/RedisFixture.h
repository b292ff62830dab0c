#pragma once

#include "redis/EmbeddedRedis.h"
#include "redis/RedisClient.h"

#include <QTemporaryDir>

#include <memory>

namespace rill::test {

// A real, throwaway redis-server for one test case: 127.0.0.1 on a free port, data in a
// temporary directory, no persistence. It can be killed (SIGKILL), frozen (SIGSTOP) and
// restarted on the same port to play a Redis outage.
class RedisFixture
{
public:
    RedisFixture();
    ~RedisFixture();
    RedisFixture(const RedisFixture &) = delete;
    RedisFixture &operator=(const RedisFixture &) = delete;

    // Keep data across kill()/restart(): append-only file, fsync'ed on every write. Set before start().
    void setPersistent(bool persistent) { m_persistent = persistent; }

    // Starts the server (QVERIFY-friendly: false with a message on failure).
    [[nodiscard]] bool start();
    void stop();
    void kill();   // SIGKILL, no goodbye
    void freeze(); // SIGSTOP: the socket stays open but nothing answers
    void thaw();   // SIGCONT
    // Starts it again on the same port (after kill() or stop()).
    [[nodiscard]] bool restart();

    [[nodiscard]] redis::RedisEndpoint endpoint() const;
    [[nodiscard]] QString url() const;
    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QString errorString() const;
    [[nodiscard]] qint64 pid() const;

    // Options for a client of this server, short timeouts so tests of failure are quick.
    [[nodiscard]] redis::RedisOptions clientOptions() const;

    // A synchronous command for test set-up and checks (runs a nested event loop).
    redis::RedisReply run(const QList<QByteArray> &args);

private:
    QTemporaryDir m_dir;
    quint16 m_port = 0;
    bool m_persistent = false;
    std::unique_ptr<redis::EmbeddedRedis> m_server;
    std::unique_ptr<redis::RedisClient> m_admin;
};

// Runs the event loop until `predicate` holds or `timeout` passes, without polling sleeps.
bool waitUntil(const std::function<bool()> &predicate, std::chrono::milliseconds timeout);

} // namespace rill::test
