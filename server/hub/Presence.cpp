#include "Presence.h"

#include "redis/RedisClient.h"
#include "store/Store.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QSet>

Q_LOGGING_CATEGORY(lcPresence, "rill.presence", QtInfoMsg)

namespace rill::server {

Presence::Presence(store::Store &store, redis::RedisClient &redis, QString instanceId, std::chrono::seconds heartbeat,
                   QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_instanceId(std::move(instanceId))
    , m_heartbeat(heartbeat)
{
    m_beatTimer.setInterval(m_heartbeat);
    connect(&m_beatTimer, &QTimer::timeout, this, [this] { beat(); });
    connect(&redis, &redis::RedisLink::connected, this, [this] {
        beat();
        sync();
    });
}

void Presence::start()
{
    beat();
    m_beatTimer.start();
}

QCoro::Task<> Presence::stop()
{
    m_beatTimer.stop();
    m_sessionsByUser.clear();
    m_needsSync = false;
    const auto claimed = co_await m_store.reapStep(m_instanceId);
    if (!claimed) {
        qCWarning(lcPresence) << "could not say goodbye; others will reap us:" << claimed.error().message;
        co_return;
    }
    // Claimed: if this process ends before the rest is done, any other instance finishes it.
    if (claimed.value().left > 0)
        co_await reap(m_instanceId);
}

void Presence::sessionOpened(const QString &userKey)
{
    if (m_sessionsByUser[userKey]++ == 0)
        up(userKey);
}

void Presence::sessionClosed(const QString &userKey)
{
    auto it = m_sessionsByUser.find(userKey);
    if (it == m_sessionsByUser.end())
        return;
    if (--*it == 0) {
        m_sessionsByUser.erase(it);
        down(userKey);
    }
}

// These coroutines may finish after the server is gone: they check before touching members.
QCoro::Task<> Presence::up(QString userKey)
{
    const QPointer<Presence> self(this);
    const auto r = co_await m_store.presenceUp(m_instanceId, userKey);
    if (!r && self)
        m_needsSync = true; // the next beat repairs it
}

QCoro::Task<> Presence::down(QString userKey)
{
    const QPointer<Presence> self(this);
    const auto r = co_await m_store.presenceDown(m_instanceId, userKey);
    if (!r && self)
        m_needsSync = true;
}

QCoro::Task<> Presence::beat()
{
    const QPointer<Presence> self(this);
    if (m_needsSync)
        sync();
    const auto beat = co_await m_store.heartbeat(m_instanceId, 3 * m_heartbeat);
    if (!self || !beat)
        co_return;
    if (beat.value().rejoined && !m_sessionsByUser.isEmpty()) {
        qCWarning(lcPresence) << "this instance had been taken for dead; telling Redis again who is here";
        sync();
    }
    for (const QString &instance : beat.value().toReap) {
        const qint64 offline = co_await reap(instance);
        if (!self)
            co_return;
        if (offline > 0)
            qCInfo(lcPresence).noquote() << "took" << offline << "users of silent instance" << instance << "off line";
    }
}

QCoro::Task<qint64> Presence::reap(QString instance)
{
    const QPointer<Presence> self(this);
    qint64 offline = 0;
    for (;;) {
        const auto step = co_await m_store.reapStep(instance);
        if (!step) {
            qCWarning(lcPresence) << "reaping" << instance << "failed; retrying at the next beat:" << step.error().message;
            co_return offline;
        }
        offline += step.value().offline;
        if (!self || step.value().left == 0)
            co_return offline;
    }
}

QCoro::Task<> Presence::sync()
{
    const QPointer<Presence> self(this);
    m_needsSync = false;
    const auto recorded = co_await m_store.instanceUsers(m_instanceId);
    if (!self)
        co_return;
    if (!recorded) {
        qCWarning(lcPresence) << "presence sync failed; retrying at the next beat:" << recorded.error().message;
        m_needsSync = true;
        co_return;
    }
    // Up and down are idempotent per instance, and run in the order issued on the one link, so
    // a session that came or went while the record was read is counted once either way.
    const QSet<QString> inRedis(recorded.value().cbegin(), recorded.value().cend());
    std::vector<QCoro::Task<store::Result<store::Done>>> calls;
    for (const QString &user : inRedis) {
        if (!m_sessionsByUser.contains(user))
            calls.push_back(m_store.presenceDown(m_instanceId, user));
    }
    for (auto it = m_sessionsByUser.cbegin(); it != m_sessionsByUser.cend(); ++it) {
        if (!inRedis.contains(it.key()))
            calls.push_back(m_store.presenceUp(m_instanceId, it.key()));
    }
    bool failed = false;
    for (auto &call : calls) {
        const auto done = co_await call;
        failed = failed || !done;
    }
    if (failed && self) {
        qCWarning(lcPresence) << "presence sync failed; retrying at the next beat";
        m_needsSync = true;
    }
}

} // namespace rill::server
