#pragma once

#include "protocol/StreamId.h"

#include <QCoro/QCoroTask>
#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>
#include <functional>

namespace rill::redis {
class RedisClient;
}

namespace rill::server {

class ServerMetrics;

// Whether this instance should get new clients (/readyz), from a probe that asks Redis once a
// second where the bus is: Redis answers, and the bus reader is not behind.
//
// The probe is one pipelined round trip on the main link (the newest bus entry, the oldest one
// this instance has not read, Redis's clock), so it measures what requests see; a Redis that
// stops answering fails it, and the link's stuck detection drops the link soon after.
class HealthMonitor : public QObject
{
    Q_OBJECT

public:
    struct Options {
        std::chrono::milliseconds interval{1000};
        // The oldest unread bus entry may be this old before the instance counts as behind.
        // An instance that is seconds behind delivers seconds late; new clients go elsewhere.
        std::chrono::milliseconds maxBusLag{10000};
    };

    struct Verdict {
        bool ready = false;
        QString reason; // why not, for the /readyz body and the log
    };

    // What the instance knows (the hub's, in a server).
    struct Sources {
        std::function<protocol::StreamId()> busCursor; // the newest bus entry delivered
        std::function<bool()> readingBus;              // the bus reader's link is up
        std::function<bool()> serving;                 // started and not shutting down
    };

    HealthMonitor(redis::RedisClient &redis, Sources sources, ServerMetrics &metrics, Options options,
                  QObject *parent = nullptr);
    ~HealthMonitor() override;

    void start();
    [[nodiscard]] Verdict verdict() const;
    // Sets the rill_ready gauge from verdict() now: a scrape must agree with /readyz, which
    // answers from the present, not from the last probe.
    void publish();

private:
    QCoro::Task<> probe();

    redis::RedisClient &m_redis;
    Sources m_sources;
    ServerMetrics &m_metrics;
    Options m_options;
    QTimer m_timer;
    QElapsedTimer m_sinceAnswer; // invalid until the first probe is answered
    QString m_probeError;
    double m_busLagSeconds = 0;
    bool m_probing = false;
    bool m_lastReady = false; // for logging changes only
};

} // namespace rill::server
