#pragma once

#include "Histogram.h"

#include <QJsonObject>
#include <QMap>
#include <QString>

#include <vector>

namespace rill::load {

// One measured phase as every process runs it. Times are CLOCK_MONOTONIC microseconds, which
// all processes on the machine share, so workers start and stop together.
struct PhaseSpec {
    int step = 0;
    double ratePerSender = 0; // messages per second per sending client
    qint64 start = 0;         // warm-up begins
    qint64 measureFrom = 0;   // sends from here on are measured ...
    qint64 measureUntil = 0;  // ... until here
    qint64 drainUntil = 0;    // deliveries and acknowledgements still count until here

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static PhaseSpec fromJson(const QJsonObject &json);
    [[nodiscard]] double measuredSeconds() const { return double(measureUntil - measureFrom) / 1e6; }
};

// What one process saw in one phase. Everything adds up across processes; the figures a
// reader wants (lost, rates, percentiles) are derived after merging, in report().
struct PhaseStats {
    int step = 0;
    double ratePerSender = 0;
    double measuredSeconds = 0;
    qint64 clients = 0;   // clients this process was given
    qint64 connected = 0; // of them, connected and in their channel when the phase began
    qint64 senders = 0;   // connected senders

    qint64 sent = 0;      // measured sends written to a socket
    qint64 acked = 0;     // ... answered ok
    qint64 unacked = 0;   // ... with no answer by the end of the drain
    qint64 skipped = 0;   // sends not made: the client had too many unanswered (or was gone)
    QMap<QString, qint64> errors; // error replies by code, and transport trouble

    qint64 delivered = 0;  // measured `message` events received, first copies
    qint64 duplicates = 0; // a message ID this session had already received
    qint64 reordered = 0;  // an ID older than one already received (not a duplicate)
    qint64 late = 0;       // deliveries of sends from an earlier phase

    // Per channel index: acknowledged measured sends, members connected, first deliveries.
    // Expected deliveries of channel c are acked[c] * members[c]; comparing per channel keeps
    // one channel's extra deliveries from hiding another's losses.
    std::vector<qint64> channelAcked;
    std::vector<qint64> channelMembers;
    std::vector<qint64> channelDelivered;

    Histogram latency;    // send -> `message` event, at every receiving session
    Histogram ackLatency; // send -> ok reply, at the sender
    Histogram sendLag;    // scheduled send time -> actual send: a late tool shows here

    // The tool's own share: a process near 1.0 core was the bottleneck, not the server.
    double toolCpuSeconds = 0;
    double toolWallSeconds = 0;
    QList<double> toolCpuCoresPerProcess;
    qint64 toolRssBytes = 0;

    void resizeChannels(int channels);
    void merge(const PhaseStats &other);
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static PhaseStats fromJson(const QJsonObject &json);

    [[nodiscard]] qint64 expected() const;
    [[nodiscard]] qint64 lost() const;
    [[nodiscard]] qint64 extra() const; // deliveries beyond the acknowledged: sends stored but not answered
    [[nodiscard]] qint64 errorCount() const;
    // The merged result for people and scripts.
    [[nodiscard]] QJsonObject report() const;
};

} // namespace rill::load
