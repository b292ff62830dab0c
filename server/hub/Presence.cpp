#include "Presence.h"

#include "redis/RedisClient.h"
#include "store/Store.h"

#include <QLoggingCategory>
#include <QPointer>

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
    const auto reaped = co_await m_store.reapInstance(m_instanceId);
    if (!reaped)
        qCWarning(lcPresence) << "could not say goodbye; others will reap us:" << reaped.error().message;
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
    if (m_needsSync)
        sync();
    const auto reaped = co_await m_store.heartbeat(m_instanceId, 3 * m_heartbeat);
    if (reaped && reaped.value() > 0)
        qCInfo(lcPresence) << "took" << reaped.value() << "users of silent instances off line";
}

QCoro::Task<> Presence::sync()
{
    const QPointer<Presence> self(this);
    m_needsSync = false;
    const auto synced = co_await m_store.syncPresence(m_instanceId, m_sessionsByUser.keys());
    if (!synced && self) {
        qCWarning(lcPresence) << "presence sync failed; retrying at the next beat:" << synced.error().message;
        m_needsSync = true;
    }
}

} // namespace rill::server
