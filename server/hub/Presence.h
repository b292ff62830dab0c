#pragma once

#include <QCoro/QCoroTask>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <chrono>

namespace rill::redis {
class RedisClient;
}
namespace rill::store {
class Store;
}

namespace rill::server {

// This instance's part of presence: which users have sessions here (kept in Redis so other
// instances can take them off line if we die), a heartbeat, and reaping of silent instances.
class Presence : public QObject
{
    Q_OBJECT

public:
    Presence(store::Store &store, redis::RedisClient &redis, QString instanceId, std::chrono::seconds heartbeat,
             QObject *parent = nullptr);

    void start();
    // Takes this instance's users off line (a graceful goodbye) and stops beating.
    QCoro::Task<> stop();

    void sessionOpened(const QString &userKey);
    void sessionClosed(const QString &userKey);

private:
    QCoro::Task<> up(QString userKey);
    QCoro::Task<> down(QString userKey);
    QCoro::Task<> beat();
    // Tells Redis exactly who is here: after Redis was away (it may have reaped us, or lost its
    // data), after an up/down call failed, and when a beat finds we had been taken for dead.
    // The difference is worked out here, so Redis only ever runs small up/down scripts.
    QCoro::Task<> sync();
    // Takes an instance's users off line, a step at a time; returns how many went off line.
    QCoro::Task<qint64> reap(QString instance);

    store::Store &m_store;
    QString m_instanceId;
    std::chrono::seconds m_heartbeat;
    QHash<QString, int> m_sessionsByUser;
    QTimer m_beatTimer;
    bool m_needsSync = false;
};

} // namespace rill::server
