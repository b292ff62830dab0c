#pragma once

#include <QCoro/QCoroTask>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <coroutine>
#include <memory>
#include <vector>

namespace rill::metrics {
class Counter;
class Histogram;
} // namespace rill::metrics

namespace rill::redis {

class RedisCall;
class RedisClient;

// Writes confirmed by replicas (Redis's WAIT), one WAIT for many writes.
//
// WAIT numreplicas timeout blocks the connection it is sent on until the replicas have
// acknowledged every write sent on that connection before it. So a WAIT covers every write
// issued on the link before the WAIT itself, and one WAIT at the end of an event-loop turn
// confirms all the writes whose replies arrived in that turn (group commit). The link is
// blocked while the WAIT waits: everything behind it waits too, which is the price (measured
// in bench/README.md), and the timeout must stay below the link's stuck detection.
class ReplicaWait : public QObject
{
    Q_OBJECT

    struct Round {
        qint64 replicas = -1; // what WAIT answered; -1: no answer (link down)
        bool done = false;
        std::vector<std::coroutine_handle<>> waiters;
    };

public:
    // `timing` (how long each confirmation waited) and `failures` (confirmations short of
    // `replicas`) are optional and must outlive this object.
    ReplicaWait(RedisClient &redis, int replicas, std::chrono::milliseconds timeout,
                metrics::Histogram *timing = nullptr, metrics::Counter *failures = nullptr,
                QObject *parent = nullptr);
    ~ReplicaWait() override;

    [[nodiscard]] int replicas() const { return m_replicas; }
    [[nodiscard]] std::chrono::milliseconds timeout() const { return m_timeout; }

    // co_await it after a write's reply: the number of replicas that have that write (and every
    // earlier one on the link); fewer than replicas() means not confirmed in time.
    class [[nodiscard]] Confirmation
    {
    public:
        Confirmation(std::shared_ptr<Round> round, metrics::Histogram *timing, metrics::Counter *failures, int wanted);
        bool await_ready() const noexcept { return m_round->done; }
        void await_suspend(std::coroutine_handle<> waiter) { m_round->waiters.push_back(waiter); }
        qint64 await_resume();

    private:
        std::shared_ptr<Round> m_round;
        std::chrono::steady_clock::time_point m_started;
        metrics::Histogram *m_timing;
        metrics::Counter *m_failures;
        int m_wanted;
    };
    [[nodiscard]] Confirmation confirm();

private:
    void issue();
    static QCoro::Task<> finish(std::shared_ptr<Round> round, RedisCall call);

    RedisClient &m_redis;
    int m_replicas;
    std::chrono::milliseconds m_timeout;
    metrics::Histogram *m_timing;
    metrics::Counter *m_failures;
    std::shared_ptr<Round> m_next; // the WAIT this turn's confirmations wait for, not sent yet
    QTimer m_endOfTurn;
};

} // namespace rill::redis
