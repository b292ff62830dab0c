#pragma once

#include "RedisEndpoint.h"

#include <QByteArray>
#include <QCoro/QCoroTask>
#include <QLoggingCategory>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <memory>

struct redisAsyncContext;
class QSocketNotifier;

Q_DECLARE_LOGGING_CATEGORY(lcRedis)

namespace rill::redis {

class SentinelResolver;

struct RedisOptions {
    RedisEndpoint endpoint;
    std::chrono::milliseconds connectTimeout{2000};
    // A command unanswered this long means the link is unhealthy: it is dropped and rebuilt.
    std::chrono::milliseconds commandTimeout{2000};
    // Backoff between attempts while Redis is away, doubling from min to max, with jitter. The
    // ceiling is how long a Redis that came back may wait for us: well under a second, and
    // attempts on a refused or unanswered port are cheap for everyone.
    std::chrono::milliseconds reconnectDelayMin{50};
    std::chrono::milliseconds reconnectDelayMax{250};
    // What a command issued while the link is down does: fail at once, or wait (up to
    // commandTimeout) for the link to come back.
    enum class WhileDown { Fail, Wait };
    WhileDown whileDown = WhileDown::Fail;
    QByteArray clientName; // CLIENT SETNAME, so `CLIENT LIST` shows who is who
    // For a sentinel:// endpoint: where to ask for the master. Made by the first link with these
    // options and shared by every link copied from them.
    std::shared_ptr<SentinelResolver> sentinel;
};

// One connection to Redis, driven by the Qt event loop.
//
// hiredis's own adapters/qt.h cannot be used with Qt 6: it connects the string signal
// SIGNAL(activated(int)), which Qt 6's QSocketNotifier no longer has, so it silently never
// reads; and it has no timer hook, so hiredis 0.14 has no timeouts at all. This class is the
// replacement: one QSocketNotifier per direction, enabled only while hiredis wants it (so an
// idle link costs nothing), plus connect/command deadlines and reconnection with backoff.
//
// Every entry into hiredis that can run reply callbacks is followed by afterHiredis(), so user
// code (coroutines, slots) never runs inside a hiredis callback, where freeing the context or
// issuing commands would be unsafe.
class RedisLink : public QObject
{
    Q_OBJECT

public:
    enum class State { Idle, Connecting, Ready, WaitingToReconnect, Closed };
    Q_ENUM(State)

    ~RedisLink() override;

    // Starts connecting; reconnects by itself from then on until close().
    void open();
    // Drops the link for good; commands in flight fail.
    void close();

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] bool isReady() const { return m_state == State::Ready; }
    [[nodiscard]] const RedisOptions &options() const { return m_options; }
    [[nodiscard]] QString lastError() const { return m_lastError; }
    // Connection attempts started since construction (the first one included).
    [[nodiscard]] quint64 connectAttempts() const { return m_connectAttempts; }
    // Command bytes hiredis holds that the kernel has not taken yet, and how often the link
    // had to wait for Redis to read before writing more; for tests.
    [[nodiscard]] qsizetype unwrittenBytes() const;
    [[nodiscard]] quint64 writeWaits() const { return m_writeWaits; }
    // What the current (or last) attempt connects to: the endpoint, or the master Sentinel named.
    [[nodiscard]] const RedisEndpoint &target() const { return m_target; }

Q_SIGNALS:
    // The link is up and logged in (also after every reconnect).
    void connected();
    // A link that was up went down; it is being rebuilt.
    void disconnected(const QString &reason);

protected:
    RedisLink(RedisOptions options, QObject *parent);

    [[nodiscard]] redisAsyncContext *context() const { return m_ctx; }
    // True between context creation and loss: commands can be handed to hiredis.
    [[nodiscard]] bool hasContext() const { return m_ctx != nullptr; }

    // Drops the current link (if any) and schedules a reconnect.
    void abortLink(const QByteArray &reason);
    // The text a command callback should report when hiredis hands it no reply.
    [[nodiscard]] QByteArray failureReason() const;
    // How many times bytes (or the end of the stream) were read from this link's sockets.
    [[nodiscard]] quint64 readCount() const { return m_reads; }
    // Reads now what has arrived on the socket but was not handed to us by the event loop yet
    // (it may have been busy, or the process descheduled); true if there was anything. Like
    // every entry into hiredis it may deliver replies (and destroy this object).
    bool readArrived();

    // Called once the handshake succeeded, before connected() is emitted.
    virtual void linkReady() {}
    // Called after every return from hiredis: deliver what the callbacks collected.
    // Derived destructors must call close() themselves, while their part of the object still
    // exists, because freeing the context runs their reply callbacks.
    virtual void deliverCompleted() {}

private:
    void startAttempt();
    void connectTo(const RedisEndpoint &target);
    QCoro::Task<> resolveMaster(quint64 generation);
    void followSwitch(const QString &host, quint16 port);
    void createContext(const QString &address);
    void scheduleReconnect();
    void afterHiredis();
    void handleReadable();
    void handleWritable();
    void writeQueued();

    static void onConnect(const redisAsyncContext *ac, int status);
    static void onDisconnect(const redisAsyncContext *ac, int status);
    static void onHandshakeReply(redisAsyncContext *ac, void *reply, void *privdata);
    static void onRoleReply(redisAsyncContext *ac, void *reply, void *privdata);
    static void evAddRead(void *privdata);
    static void evDelRead(void *privdata);
    static void evAddWrite(void *privdata);
    static void evDelWrite(void *privdata);
    static void evCleanup(void *privdata);

    RedisOptions m_options;
    RedisEndpoint m_target;
    State m_state = State::Idle;
    redisAsyncContext *m_ctx = nullptr;
    QPointer<QSocketNotifier> m_readNotifier;
    QPointer<QSocketNotifier> m_writeNotifier;
    QTimer m_connectTimer;
    QTimer m_reconnectTimer;
    int m_attempt = 0;
    int m_handshakePending = 0;
    bool m_handshakeFailed = false;
    QByteArray m_abortReason;
    QString m_lastError;
    quint64 m_lookupGeneration = 0;
    quint64 m_reads = 0;
    quint64 m_writeWaits = 0;
    bool m_writeQueued = false;
    bool m_writingQueued = false;
    quint64 m_connectAttempts = 0;
};

} // namespace rill::redis
