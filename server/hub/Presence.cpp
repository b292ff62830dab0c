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
    connect(&redis, &redis::RedisLink::connected, this, &Presence::resync);
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

// The coroutines below touch no member after their co_await: they may finish after we are gone.
QCoro::Task<> Presence::up(QString userKey)
{
    const auto r = co_await m_store.presenceUp(m_instanceId, userKey);
    if (!r)
        qCWarning(lcPresence).noquote() << "presence up for" << userKey << "failed:" << r.error().message;
}

QCoro::Task<> Presence::down(QString userKey)
{
    const auto r = co_await m_store.presenceDown(m_instanceId, userKey);
    if (!r)
        qCWarning(lcPresence).noquote() << "presence down for" << userKey << "failed:" << r.error().message;
}

QCoro::Task<> Presence::beat()
{
    const auto reaped = co_await m_store.heartbeat(m_instanceId, 3 * m_heartbeat);
    if (reaped && reaped.value() > 0)
        qCInfo(lcPresence) << "took" << reaped.value() << "users of silent instances off line";
}

void Presence::resync()
{
    beat();
    for (auto it = m_sessionsByUser.cbegin(); it != m_sessionsByUser.cend(); ++it)
        up(it.key());
}

} // namespace rill::server
