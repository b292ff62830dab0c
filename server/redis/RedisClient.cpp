#include "RedisClient.h"

#include "metrics/Registry.h"

#include <QCryptographicHash>
#include <QPointer>
#include <QVarLengthArray>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

namespace rill::redis {

using Clock = std::chrono::steady_clock;

RedisScript::RedisScript(QByteArray source)
    : m_source(std::move(source))
    , m_sha1(QCryptographicHash::hash(m_source, QCryptographicHash::Sha1).toHex())
{
}

namespace {
// Ticks of the watchdog per commandTimeout; this many idle ones in a row make a link stuck.
constexpr int kTicksPerTimeout = 4;
} // namespace

RedisClient::RedisClient(RedisOptions options, QObject *parent)
    : RedisLink(std::move(options), parent)
{
    m_watchdog.setInterval(std::max(std::chrono::milliseconds(5), this->options().commandTimeout / kTicksPerTimeout));
    connect(&m_watchdog, &QTimer::timeout, this, &RedisClient::watchdogTick);
}

RedisClient::~RedisClient()
{
    close();
}

RedisCall RedisClient::commandArgv(const QList<QByteArray> &args)
{
    QVarLengthArray<QByteArrayView, 16> views(args.cbegin(), args.cend());
    return commandArgv(std::span<const QByteArrayView>(views.data(), std::size_t(views.size())));
}

RedisCall RedisClient::commandArgv(std::span<const QByteArrayView> args)
{
    detail::PendingCommandPtr pending(new detail::PendingCommand);
    pending->issued = Clock::now();
    pending->deadline = pending->issued + options().commandTimeout;

    if (isReady()) {
        send(pending, args);
    } else if (state() != State::Closed && options().whileDown == RedisOptions::WhileDown::Wait) {
        // Held here, not queued in hiredis behind the handshake: a connect attempt that fails
        // would fail them with it, and they are meant to outlive failed attempts.
        pending->heldArgs.reserve(qsizetype(args.size()));
        for (QByteArrayView a : args)
            pending->heldArgs.append(a.toByteArray());
        m_waitingForLink.push_back(pending);
    } else {
        pending->reply = RedisReply::failure("Redis is not connected: " + lastError().toUtf8());
        return RedisCall(std::move(pending));
    }
    if (!pending->reply) {
        m_outstanding.push_back(pending);
        armWatchdog();
    }
    return RedisCall(std::move(pending));
}

RedisCall RedisClient::evalArgv(const RedisScript &script, int numKeys, std::span<const QByteArrayView> keysThenArgs)
{
    if (!m_scripts.contains(script.sha1())) {
        m_scripts.insert(script.sha1(), script.source());
        if (isReady())
            post("SCRIPT", "LOAD", script.source());
    }
    const QByteArray keyCount = QByteArray::number(numKeys);
    QVarLengthArray<QByteArrayView, 16> argv{"EVALSHA", script.sha1(), keyCount};
    argv.append(keysThenArgs.data(), qsizetype(keysThenArgs.size()));
    return commandArgv(std::span<const QByteArrayView>(argv.data(), std::size_t(argv.size())));
}

qsizetype RedisClient::pendingCount() const
{
    return std::count_if(m_outstanding.cbegin(), m_outstanding.cend(), [](const auto &p) { return !p->reply; });
}

void RedisClient::send(const detail::PendingCommandPtr &pending, std::span<const QByteArrayView> args)
{
    QVarLengthArray<const char *, 16> argv;
    QVarLengthArray<size_t, 16> lens;
    for (QByteArrayView a : args) {
        argv.append(a.data());
        lens.append(size_t(a.size()));
    }
    pending->sent = true;
    pending->ref.ref(); // held by hiredis until onReply
    if (redisAsyncCommandArgv(context(), &RedisClient::onReply, pending.data(), int(argv.size()), argv.data(),
                              lens.data())
        != REDIS_OK) {
        pending->ref.deref();
        pending->reply = RedisReply::failure("Redis link is shutting down");
    }
}

void RedisClient::onReply(redisAsyncContext *ac, void *reply, void *privdata)
{
    detail::PendingCommandPtr pending(static_cast<detail::PendingCommand *>(privdata));
    pending->ref.deref(); // hiredis's reference, taken in send()
    auto *self = static_cast<RedisClient *>(static_cast<RedisLink *>(ac->data));
    if (const auto *r = static_cast<const redisReply *>(reply)) {
        if (self->m_roundTrip)
            self->m_roundTrip->observe(Clock::now() - pending->issued);
        pending->reply = RedisReply::fromHiredis(r);
        if (r->type == REDIS_REPLY_ERROR && QByteArrayView(r->str, qsizetype(r->len)).startsWith("NOSCRIPT"))
            self->m_reloadScripts = true; // someone ran SCRIPT FLUSH; reload for the next calls
    } else {
        pending->reply = RedisReply::failure(self->failureReason());
    }
}

void RedisClient::loadScripts()
{
    for (auto it = m_scripts.cbegin(); it != m_scripts.cend(); ++it)
        post("SCRIPT", "LOAD", it.value());
}

void RedisClient::linkReady()
{
    noteProgress(); // a fresh link: whatever was waited for before does not count against it
    // Scripts first: the Redis behind this link may be new (restart, failover) and have none.
    loadScripts();
    auto waiting = std::exchange(m_waitingForLink, {});
    for (const auto &pending : waiting) {
        if (pending->reply)
            continue;
        QVarLengthArray<QByteArrayView, 16> views(pending->heldArgs.cbegin(), pending->heldArgs.cend());
        send(pending, std::span<const QByteArrayView>(views.data(), std::size_t(views.size())));
        pending->heldArgs.clear();
    }
}

void RedisClient::deliverCompleted()
{
    if (state() == State::Closed) {
        for (const auto &pending : std::exchange(m_waitingForLink, {})) {
            if (!pending->reply)
                pending->reply = RedisReply::failure("Redis link closed");
        }
    }
    if (m_reloadScripts && isReady()) {
        m_reloadScripts = false;
        loadScripts();
    }
    const QPointer<RedisClient> guard(this);
    // Replies complete in issue order, so resuming from the front keeps callers in order too.
    while (!m_outstanding.empty() && m_outstanding.front()->reply) {
        const detail::PendingCommandPtr pending = std::move(m_outstanding.front());
        m_outstanding.pop_front();
        if (auto waiter = std::exchange(pending->waiter, {})) {
            waiter.resume();
            if (!guard)
                return;
        }
    }
    armWatchdog();
}

void RedisClient::noteProgress()
{
    m_idleTicks = 0;
    m_readsAtLastTick = readCount();
    m_lastProgress = Clock::now();
}

void RedisClient::armWatchdog()
{
    if (m_outstanding.empty()) {
        m_watchdog.stop();
        return;
    }
    if (!m_watchdog.isActive()) {
        noteProgress(); // the clock starts with the first command in a while
        m_watchdog.start();
    }
}

void RedisClient::watchdogTick()
{
    const QPointer<RedisClient> guard(this);
    const auto now = Clock::now();
    // Commands held while the link is down fail when their own time is up.
    for (const auto &pending : m_outstanding) {
        if (!pending->reply && !pending->sent && pending->deadline <= now)
            pending->reply = RedisReply::failure("timed out waiting for the Redis link");
    }
    const bool waitingOnRedis = std::any_of(m_outstanding.cbegin(), m_outstanding.cend(),
                                            [](const auto &p) { return p->sent && !p->reply; });
    if (!waitingOnRedis || readCount() != m_readsAtLastTick) {
        noteProgress();
    } else if (readArrived()) { // it was there; the loop had not got to it yet
        if (!guard)
            return;
        noteProgress();
    } else if (++m_idleTicks >= kTicksPerTimeout && now - m_lastProgress >= options().commandTimeout) {
        // Sent, unanswered, and nothing at all arrived while the loop kept looking: stuck.
        abortLink("no reply for " + QByteArray::number(options().commandTimeout.count()) + " ms");
        return;
    }
    deliverCompleted();
}

} // namespace rill::redis
