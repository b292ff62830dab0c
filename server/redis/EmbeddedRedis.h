#pragma once

#include "RedisEndpoint.h"

#include <QCoro/QCoroTask>
#include <QLockFile>
#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QTemporaryDir>

#include <chrono>
#include <memory>

namespace rill::redis {

// Runs a private redis-server as a child process: data (append-only file on) under a
// directory of ours that only we may read (0700), listening on a unix socket (mode 700) in
// that directory, or, when that path is too long for a socket (sun_path, 108 bytes), in a
// private directory of its own under $XDG_RUNTIME_DIR or /tmp. It never falls back to TCP:
// a TCP port on 127.0.0.1 is open to every local user. TCP only when asked for (tests, benches).
class EmbeddedRedis : public QObject
{
    Q_OBJECT

public:
    struct Options {
        QString dataDir;
        QString executable = QStringLiteral("redis-server");
        enum class Listen { UnixSocket, Tcp } listen = Listen::UnixSocket;
        quint16 port = 0; // Tcp only; 0 picks a free port
        bool appendOnly = true;
        QStringList extraArguments; // appended to redis-server's command line
        std::chrono::milliseconds startTimeout{15000};
        std::chrono::milliseconds stopTimeout{10000};
    };

    explicit EmbeddedRedis(Options options, QObject *parent = nullptr);
    ~EmbeddedRedis() override;

    // Starts the server and returns once it answers PING (false, with errorString(), if not).
    [[nodiscard]] QCoro::Task<bool> start();
    // Asks it to exit (it flushes its data), waits, and kills it if it will not.
    QCoro::Task<> stop();

    [[nodiscard]] bool isRunning() const;
    [[nodiscard]] RedisEndpoint endpoint() const { return m_endpoint; }
    [[nodiscard]] qint64 processId() const;
    [[nodiscard]] QString errorString() const { return m_error; }
    [[nodiscard]] const Options &options() const { return m_options; }

Q_SIGNALS:
    // The server exited without being asked to.
    void crashed(const QString &reason);

private:
    [[nodiscard]] QStringList arguments() const;
    [[nodiscard]] QCoro::Task<bool> waitUntilAnswering();
    void stopNow();
    void releaseProcess();

    Options m_options;
    RedisEndpoint m_endpoint;
    // A child, released with deleteLater(): stop() resumes inside QProcess::finished, where
    // deleting the process outright would pull it out from under its own signal.
    QPointer<QProcess> m_process;
    std::unique_ptr<QLockFile> m_lock;
    std::unique_ptr<QTemporaryDir> m_socketDir; // only when the data directory is too deep
    QString m_error;
    bool m_stopping = false;
};

// A TCP port on 127.0.0.1 that nobody listens on right now.
[[nodiscard]] quint16 findFreeLocalPort();

// The redis-server program to run: `configured` when given (a path, or a name looked up on
// PATH), else the one next to this program (how a Windows or macOS bundle ships it), else
// the first on PATH. Empty when there is none.
[[nodiscard]] QString findRedisServer(const QString &configured = {});
// Why findRedisServer(configured) found nothing, and what to do about it.
[[nodiscard]] QString redisServerNotFound(const QString &configured);

} // namespace rill::redis
