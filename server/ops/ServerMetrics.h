#pragma once

#include "metrics/Registry.h"

#include "protocol/ErrorCode.h"

#include <QLatin1StringView>

#include <array>
#include <vector>

namespace rill::server {

// An instance's metrics registry with Rill's own metrics in it (docs/operations.md, "Monitor",
// lists them). The parts that count hold this object and add to its members: an
// increment, never a lookup by name per event. Ops and error codes are small fixed sets whose
// series are made at start, at 0 (a series that appears with its first increment loses that
// increment to rate()).
//
// Shared (std::shared_ptr) by the instance and its sessions: a session's request still in
// flight may finish, and count, after the instance is gone.
class ServerMetrics
{
public:
    ServerMetrics();
    ServerMetrics(const ServerMetrics &) = delete;
    ServerMetrics &operator=(const ServerMetrics &) = delete;

    [[nodiscard]] metrics::Registry &registry() { return m_registry; }
    [[nodiscard]] const metrics::Registry &registry() const { return m_registry; }

    // A request reached dispatch (`op` as the client spelt it; ops the server does not know
    // are counted as "unknown", so a client cannot grow the number of series).
    void request(const QString &op);
    // A request was answered with an error (`op` as in request(); empty for a frame that was
    // not a request, counted as "unknown").
    void error(const QString &op, protocol::ErrorCode code);

private:
    metrics::Registry m_registry; // first: every member below lives in it

public:
    metrics::Counter &connectionsOpened;
    metrics::Counter &loginsAccepted;
    metrics::Counter &loginsRefused;     // wrong password or token
    metrics::Counter &loginsRateLimited; // turned away by the log-in throttle before any check
    metrics::Counter &messagesStored;
    metrics::Counter &deliveries;
    metrics::Counter &slowConsumerDrops;
    metrics::Counter &busGaps;
    // From a batch of bus entries read from Redis to an entry's frames queued on every local
    // connection it goes to.
    metrics::Histogram &fanOut;
    // A command on the instance's main Redis link, issue to reply.
    metrics::Histogram &redisRoundTrip;
    // --redis-wait-replicas: how long a write waited for its replicas, and how often they fell short.
    metrics::Histogram &replicaWait;
    metrics::Counter &replicaWaitShort;
    // Sampled by the health probe.
    metrics::Gauge &busLagEntries;
    metrics::Gauge &busLagSeconds;
    metrics::Gauge &ready;

private:
    using ErrorCounters = std::array<metrics::Counter *, std::size_t(protocol::ErrorCode::Internal) + 1>;
    struct OpCounters {
        QLatin1StringView op;
        metrics::Counter *requests;
        ErrorCounters errors; // by code
    };
    [[nodiscard]] const OpCounters &countersOf(const QString &op) const;

    std::vector<OpCounters> m_ops; // the last one is "unknown"
};

} // namespace rill::server
