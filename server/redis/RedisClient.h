#pragma once

#include "RedisLink.h"
#include "RedisReply.h"

#include <QByteArrayView>
#include <QExplicitlySharedDataPointer>
#include <QHash>
#include <QList>
#include <QSharedData>
#include <QTimer>

#include <array>
#include <type_traits>

#include <chrono>
#include <coroutine>
#include <deque>
#include <optional>
#include <span>

namespace rill::metrics {
class Histogram;
}

namespace rill::redis {

namespace detail {
// Shared by the awaiting coroutine and the hiredis callback; whichever lets go last frees it.
struct PendingCommand : QSharedData {
    std::optional<RedisReply> reply;
    std::coroutine_handle<> waiter;
    std::chrono::steady_clock::time_point issued;
    std::chrono::steady_clock::time_point deadline;
    QList<QByteArray> heldArgs; // only while it waits for the link to come up
    bool sent = false;          // handed to hiredis
};
using PendingCommandPtr = QExplicitlySharedDataPointer<PendingCommand>;
} // namespace detail

// What RedisClient::command() returns: co_await it for the reply. The command is already on
// its way when this object is made; awaiting only collects the answer, and dropping it
// unawaited is allowed (the reply is then discarded).
class [[nodiscard]] RedisCall
{
public:
    explicit RedisCall(detail::PendingCommandPtr pending) : m_pending(std::move(pending)) {}

    bool await_ready() const noexcept { return m_pending->reply.has_value(); }
    void await_suspend(std::coroutine_handle<> waiter) noexcept { m_pending->waiter = waiter; }
    RedisReply await_resume() { return std::move(*m_pending->reply); }

private:
    detail::PendingCommandPtr m_pending;
};

// A Lua script run by EVALSHA; the client loads it on every (re)connected link.
class RedisScript
{
public:
    explicit RedisScript(QByteArray source);
    [[nodiscard]] const QByteArray &source() const { return m_source; }
    [[nodiscard]] const QByteArray &sha1() const { return m_sha1; }

private:
    QByteArray m_source;
    QByteArray m_sha1;
};

// Commands to Redis as awaitables. All commands issued in one turn of the event loop go out
// in one write (pipelining); replies come back in order.
//
// Failure semantics: an error reply is a RedisReply of type Error. When the link drops, every
// command in flight completes at once with a Failure reply. When commands wait for Redis and no
// byte at all has arrived for commandTimeout, the link counts as stuck: it is dropped (failing
// everything in flight, since a pipeline cannot skip one reply) and rebuilt. A deep pipeline
// that keeps answering is busy, not stuck, however long its tail waits.
//
// "No byte for commandTimeout" is judged by the event loop's own progress, not by a wall-clock
// deadline: a watchdog ticks four times per commandTimeout while commands wait, reads whatever
// is waiting on the socket before it judges, and calls the link stuck only after four ticks in
// a row found nothing. A process that was descheduled (a busy machine) wakes to one late tick,
// not to an expired deadline, and reads what Redis sent meanwhile first.
class RedisClient : public RedisLink
{
    Q_OBJECT

public:
    explicit RedisClient(RedisOptions options, QObject *parent = nullptr);
    ~RedisClient() override;

    // command("SET", key, value): each argument is anything a QByteArrayView can view.
    // Variadic rather than an initializer_list, because GCC 12 rejects initializer_list
    // temporaries inside a co_await expression.
    template<typename... Args>
        requires(sizeof...(Args) > 0 && (std::is_convertible_v<const Args &, QByteArrayView> && ...))
    RedisCall command(const Args &...args)
    {
        const std::array<QByteArrayView, sizeof...(Args)> argv{QByteArrayView(args)...};
        return commandArgv(argv);
    }
    RedisCall commandArgv(std::span<const QByteArrayView> args);
    RedisCall commandArgv(const QList<QByteArray> &args);

    // Fire and forget: the reply (or failure) is dropped.
    template<typename... Args>
    void post(const Args &...args)
    {
        (void)command(args...);
    }

    // eval(script, 2, key1, key2, arg1): EVALSHA's own argument order.
    template<typename... Args>
        requires(std::is_convertible_v<const Args &, QByteArrayView> && ...)
    RedisCall eval(const RedisScript &script, int numKeys, const Args &...keysThenArgs)
    {
        const std::array<QByteArrayView, sizeof...(Args)> argv{QByteArrayView(keysThenArgs)...};
        return evalArgv(script, numKeys, argv);
    }
    RedisCall evalArgv(const RedisScript &script, int numKeys, std::span<const QByteArrayView> keysThenArgs);

    // Commands sent or waiting for the link, not yet answered.
    [[nodiscard]] qsizetype pendingCount() const;

    // Times every reply from issue to answer into `histogram` (in seconds), when set; the
    // caller keeps it alive as long as this client.
    void setRoundTripHistogram(metrics::Histogram *histogram) { m_roundTrip = histogram; }

protected:
    void linkReady() override;
    void deliverCompleted() override;

private:
    void send(const detail::PendingCommandPtr &pending, std::span<const QByteArrayView> args);
    void loadScripts();
    void armWatchdog();
    void watchdogTick();
    void noteProgress();
    static void onReply(struct redisAsyncContext *ac, void *reply, void *privdata);

    std::deque<detail::PendingCommandPtr> m_outstanding; // in the order they were issued
    std::deque<detail::PendingCommandPtr> m_waitingForLink;
    QHash<QByteArray, QByteArray> m_scripts; // sha1 -> source
    QTimer m_watchdog;
    int m_idleTicks = 0;            // ticks in a row that found commands waiting and nothing read
    quint64 m_readsAtLastTick = 0;
    std::chrono::steady_clock::time_point m_lastProgress;
    metrics::Histogram *m_roundTrip = nullptr;
    bool m_reloadScripts = false;
};

} // namespace rill::redis
