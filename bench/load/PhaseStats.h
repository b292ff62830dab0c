#pragma once

#include "Histogram.h"

#include <QJsonObject>
#include <QMap>
#include <QString>

#include <optional>
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
    qint64 faultAt = 0;       // --kill-at: when the coordinator injects the fault (0: none)

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static PhaseSpec fromJson(const QJsonObject &json);
    [[nodiscard]] double measuredSeconds() const { return double(measureUntil - measureFrom) / 1e6; }
};

// --resend: what a fault (a Redis primary or a server killed mid-run) cost, message by message.
// Every send of the phase counts here, warm-up included: any of them may be lost. Times are
// offsets in microseconds from the phase's start; everything adds up across processes.
struct ResendStats {
    static constexpr qint64 kBucketMicros = 100'000;

    qint64 faultOffset = -1;        // the fault; -1: none was injected
    qint64 sendEndOffset = 0;       // the last send of the phase
    qint64 firstAckAfterFault = -1; // us from the fault to the first ok to a request written after it

    qint64 messages = 0;         // sends made (each counted once, however often it went)
    qint64 ackedBeforeFault = 0; // acknowledged before the fault (all of them, without one)
    qint64 ackedAfterFault = 0;
    qint64 neverAcked = 0;       // no ok by the end of the drain
    qint64 refused = 0;          // of those, answered with an error a resend cannot mend
    qint64 resent = 0;           // attempts after the first
    qint64 reconnects = 0;       // sessions that logged in again after their connection dropped

    // From every channel's history after the drain.
    qint64 channelsUnread = 0;     // channels whose history could not be read (nothing below is sure)
    qint64 lost = 0;               // acknowledged, not in the history
    qint64 duplicated = 0;         // extra copies of one send in the history
    qint64 storedUnacked = 0;      // in the history although never acknowledged (harmless)
    qint64 receivers = 0;          // sessions in a channel when the phase began
    qint64 receiverGaps = 0;       // (session, stored message) pairs the session never got live
    qint64 receiversWithGaps = 0;
    qint64 deliveredNotStored = 0; // (session, message) pairs delivered live and then missing from history

    // Acknowledgements of first attempts, by arrival, per kBucketMicros: the rate at which new
    // messages go through, without the burst of resends that follows a recovery.
    std::vector<qint64> firstAttemptAcks;

    void recordFirstAttemptAck(qint64 offset);
    void merge(const ResendStats &other);
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static ResendStats fromJson(const QJsonObject &json);
    // First ack after the fault, and the start of the first second after it in which first
    // attempts were acknowledged at >= 90 % of the offered rate (both in ms after the fault,
    // null when they did not happen), the counts, and the timeline.
    [[nodiscard]] QJsonObject report(double offeredPerSecond) const;
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

    std::optional<ResendStats> resend; // --resend only

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
