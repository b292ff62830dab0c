#include "ReplicaWait.h"

#include "RedisClient.h"

#include "metrics/Registry.h"

namespace rill::redis {

ReplicaWait::ReplicaWait(RedisClient &redis, int replicas, std::chrono::milliseconds timeout,
                         metrics::Histogram *timing, metrics::Counter *failures, QObject *parent)
    : QObject(parent)
    , m_redis(redis)
    , m_replicas(replicas)
    , m_timeout(timeout)
    , m_timing(timing)
    , m_failures(failures)
{
    // Zero interval: fires once the event loop has handled what is pending, i.e. after every
    // reply of this turn has resumed its coroutine (and asked for a confirmation).
    m_endOfTurn.setSingleShot(true);
    m_endOfTurn.setInterval(0);
    connect(&m_endOfTurn, &QTimer::timeout, this, &ReplicaWait::issue);
}

ReplicaWait::~ReplicaWait()
{
    // Confirmations still waiting for a WAIT never sent: answer them (not confirmed) rather than
    // leave their coroutines suspended for ever.
    if (m_next) {
        m_next->done = true;
        for (const auto waiter : std::exchange(m_next->waiters, {}))
            waiter.resume();
    }
}

ReplicaWait::Confirmation ReplicaWait::confirm()
{
    if (!m_next) {
        m_next = std::make_shared<Round>();
        m_endOfTurn.start();
    }
    return Confirmation(m_next, m_timing, m_failures, m_replicas);
}

void ReplicaWait::issue()
{
    auto round = std::exchange(m_next, {});
    if (!round)
        return;
    // Sent now, it follows every write issued so far on this link, those of this round included.
    finish(std::move(round), m_redis.command("WAIT", QByteArray::number(m_replicas), QByteArray::number(m_timeout.count())));
}

QCoro::Task<> ReplicaWait::finish(std::shared_ptr<Round> round, RedisCall call)
{
    // Static, and touching nothing but its arguments: the round is answered even when this
    // object is gone by the time Redis replies.
    const RedisReply reply = co_await call;
    round->replicas = reply.isInteger() ? reply.integer() : -1;
    round->done = true;
    for (const auto waiter : std::exchange(round->waiters, {}))
        waiter.resume();
}

ReplicaWait::Confirmation::Confirmation(std::shared_ptr<Round> round, metrics::Histogram *timing,
                                        metrics::Counter *failures, int wanted)
    : m_round(std::move(round))
    , m_started(std::chrono::steady_clock::now())
    , m_timing(timing)
    , m_failures(failures)
    , m_wanted(wanted)
{
}

qint64 ReplicaWait::Confirmation::await_resume()
{
    if (m_timing)
        m_timing->observe(std::chrono::steady_clock::now() - m_started);
    if (m_failures && m_round->replicas < m_wanted)
        m_failures->inc();
    return m_round->replicas;
}

} // namespace rill::redis
