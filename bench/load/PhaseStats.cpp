#include "PhaseStats.h"

#include <QJsonArray>

#include <algorithm>

namespace rill::load {

using namespace Qt::StringLiterals;

namespace {

QJsonArray toArray(const std::vector<qint64> &values)
{
    QJsonArray a;
    for (qint64 v : values)
        a.append(v);
    return a;
}

std::vector<qint64> fromArray(const QJsonValue &value)
{
    std::vector<qint64> out;
    for (const QJsonValue &v : value.toArray())
        out.push_back(v.toInteger());
    return out;
}

void addInto(std::vector<qint64> &into, const std::vector<qint64> &from)
{
    if (into.size() < from.size())
        into.resize(from.size());
    for (std::size_t i = 0; i < from.size(); ++i)
        into[i] += from[i];
}

} // namespace

QJsonObject PhaseSpec::toJson() const
{
    return {{"step"_L1, step},
            {"ratePerSender"_L1, ratePerSender},
            {"start"_L1, start},
            {"measureFrom"_L1, measureFrom},
            {"measureUntil"_L1, measureUntil},
            {"drainUntil"_L1, drainUntil},
            {"faultAt"_L1, faultAt}};
}

PhaseSpec PhaseSpec::fromJson(const QJsonObject &json)
{
    PhaseSpec s;
    s.step = json.value("step"_L1).toInt();
    s.ratePerSender = json.value("ratePerSender"_L1).toDouble();
    s.start = json.value("start"_L1).toInteger();
    s.measureFrom = json.value("measureFrom"_L1).toInteger();
    s.measureUntil = json.value("measureUntil"_L1).toInteger();
    s.drainUntil = json.value("drainUntil"_L1).toInteger();
    s.faultAt = json.value("faultAt"_L1).toInteger();
    return s;
}

void ResendStats::recordFirstAttemptAck(qint64 offset)
{
    const auto bucket = std::size_t(std::max<qint64>(0, offset) / kBucketMicros);
    if (firstAttemptAcks.size() <= bucket)
        firstAttemptAcks.resize(bucket + 1);
    ++firstAttemptAcks[bucket];
}

void ResendStats::merge(const ResendStats &o)
{
    faultOffset = std::max(faultOffset, o.faultOffset);
    sendEndOffset = std::max(sendEndOffset, o.sendEndOffset);
    if (o.firstAckAfterFault >= 0 && (firstAckAfterFault < 0 || o.firstAckAfterFault < firstAckAfterFault))
        firstAckAfterFault = o.firstAckAfterFault;
    messages += o.messages;
    ackedBeforeFault += o.ackedBeforeFault;
    ackedAfterFault += o.ackedAfterFault;
    neverAcked += o.neverAcked;
    refused += o.refused;
    resent += o.resent;
    reconnects += o.reconnects;
    channelsUnread += o.channelsUnread;
    lost += o.lost;
    duplicated += o.duplicated;
    storedUnacked += o.storedUnacked;
    receivers += o.receivers;
    receiverGaps += o.receiverGaps;
    receiversWithGaps += o.receiversWithGaps;
    deliveredNotStored += o.deliveredNotStored;
    addInto(firstAttemptAcks, o.firstAttemptAcks);
}

QJsonObject ResendStats::toJson() const
{
    return {{"faultOffset"_L1, faultOffset},
            {"sendEndOffset"_L1, sendEndOffset},
            {"firstAckAfterFault"_L1, firstAckAfterFault},
            {"messages"_L1, messages},
            {"ackedBeforeFault"_L1, ackedBeforeFault},
            {"ackedAfterFault"_L1, ackedAfterFault},
            {"neverAcked"_L1, neverAcked},
            {"refused"_L1, refused},
            {"resent"_L1, resent},
            {"reconnects"_L1, reconnects},
            {"channelsUnread"_L1, channelsUnread},
            {"lost"_L1, lost},
            {"duplicated"_L1, duplicated},
            {"storedUnacked"_L1, storedUnacked},
            {"receivers"_L1, receivers},
            {"receiverGaps"_L1, receiverGaps},
            {"receiversWithGaps"_L1, receiversWithGaps},
            {"deliveredNotStored"_L1, deliveredNotStored},
            {"firstAttemptAcks"_L1, toArray(firstAttemptAcks)}};
}

ResendStats ResendStats::fromJson(const QJsonObject &j)
{
    ResendStats s;
    s.faultOffset = j.value("faultOffset"_L1).toInteger(-1);
    s.sendEndOffset = j.value("sendEndOffset"_L1).toInteger();
    s.firstAckAfterFault = j.value("firstAckAfterFault"_L1).toInteger(-1);
    s.messages = j.value("messages"_L1).toInteger();
    s.ackedBeforeFault = j.value("ackedBeforeFault"_L1).toInteger();
    s.ackedAfterFault = j.value("ackedAfterFault"_L1).toInteger();
    s.neverAcked = j.value("neverAcked"_L1).toInteger();
    s.refused = j.value("refused"_L1).toInteger();
    s.resent = j.value("resent"_L1).toInteger();
    s.reconnects = j.value("reconnects"_L1).toInteger();
    s.channelsUnread = j.value("channelsUnread"_L1).toInteger();
    s.lost = j.value("lost"_L1).toInteger();
    s.duplicated = j.value("duplicated"_L1).toInteger();
    s.storedUnacked = j.value("storedUnacked"_L1).toInteger();
    s.receivers = j.value("receivers"_L1).toInteger();
    s.receiverGaps = j.value("receiverGaps"_L1).toInteger();
    s.receiversWithGaps = j.value("receiversWithGaps"_L1).toInteger();
    s.deliveredNotStored = j.value("deliveredNotStored"_L1).toInteger();
    s.firstAttemptAcks = fromArray(j.value("firstAttemptAcks"_L1));
    return s;
}

QJsonObject ResendStats::report(double offeredPerSecond) const
{
    const auto ms = [](qint64 micros) { return double(micros) / 1000.0; };
    QJsonValue firstAck;
    QJsonValue fullRate;
    if (faultOffset >= 0 && firstAckAfterFault >= 0) {
        firstAck = ms(firstAckAfterFault);
        // Windows of one second, stepping by a bucket, from the fault to the last send.
        constexpr std::size_t window = std::size_t(1'000'000 / kBucketMicros);
        const double wanted = 0.9 * offeredPerSecond;
        const auto bucketCount = [this](std::size_t b) {
            return b < firstAttemptAcks.size() ? firstAttemptAcks[b] : 0;
        };
        const auto end = std::size_t(sendEndOffset / kBucketMicros);
        for (auto from = std::size_t(faultOffset / kBucketMicros); from + window <= end; ++from) {
            qint64 acks = 0;
            for (std::size_t b = from; b < from + window; ++b)
                acks += bucketCount(b);
            if (double(acks) >= wanted) {
                // The window may begin a little before the first ack; the server was back by then.
                fullRate = std::max(ms(qint64(from) * kBucketMicros - faultOffset), ms(firstAckAfterFault));
                break;
            }
        }
    }
    QJsonObject timeline{{"bucketMs"_L1, ms(kBucketMicros)},
                         {"faultMs"_L1, faultOffset >= 0 ? QJsonValue(ms(faultOffset)) : QJsonValue()},
                         {"firstAttemptAcks"_L1, toArray(firstAttemptAcks)}};
    return {{"faultInjected"_L1, faultOffset >= 0},
            {"firstAckAfterFaultMs"_L1, firstAck},
            {"fullRateAfterFaultMs"_L1, fullRate},
            {"messages"_L1, messages},
            {"ackedBeforeFault"_L1, ackedBeforeFault},
            {"ackedAfterFault"_L1, ackedAfterFault},
            {"neverAcknowledged"_L1, neverAcked},
            {"refused"_L1, refused},
            {"resent"_L1, resent},
            {"reconnects"_L1, reconnects},
            {"historyChecked"_L1, channelsUnread == 0},
            {"channelsUnread"_L1, channelsUnread},
            {"lost"_L1, lost},
            {"duplicated"_L1, duplicated},
            {"storedUnacknowledged"_L1, storedUnacked},
            {"receivers"_L1, receivers},
            {"receiverGaps"_L1, receiverGaps},
            {"receiversWithGaps"_L1, receiversWithGaps},
            {"deliveredNotStored"_L1, deliveredNotStored},
            {"timeline"_L1, timeline}};
}

void PhaseStats::resizeChannels(int channels)
{
    channelAcked.assign(std::size_t(channels), 0);
    channelMembers.assign(std::size_t(channels), 0);
    channelDelivered.assign(std::size_t(channels), 0);
}

void PhaseStats::merge(const PhaseStats &o)
{
    step = o.step;
    ratePerSender = o.ratePerSender;
    measuredSeconds = std::max(measuredSeconds, o.measuredSeconds);
    clients += o.clients;
    connected += o.connected;
    senders += o.senders;
    sent += o.sent;
    acked += o.acked;
    unacked += o.unacked;
    skipped += o.skipped;
    for (auto it = o.errors.cbegin(); it != o.errors.cend(); ++it)
        errors[it.key()] += it.value();
    delivered += o.delivered;
    duplicates += o.duplicates;
    reordered += o.reordered;
    late += o.late;
    addInto(channelAcked, o.channelAcked);
    addInto(channelMembers, o.channelMembers);
    addInto(channelDelivered, o.channelDelivered);
    latency.merge(o.latency);
    ackLatency.merge(o.ackLatency);
    sendLag.merge(o.sendLag);
    toolCpuSeconds += o.toolCpuSeconds;
    toolWallSeconds = std::max(toolWallSeconds, o.toolWallSeconds);
    toolCpuCoresPerProcess += o.toolCpuCoresPerProcess;
    toolRssBytes += o.toolRssBytes;
    if (o.resend) {
        if (!resend)
            resend.emplace();
        resend->merge(*o.resend);
    }
}

QJsonObject PhaseStats::toJson() const
{
    QJsonObject errs;
    for (auto it = errors.cbegin(); it != errors.cend(); ++it)
        errs.insert(it.key(), it.value());
    QJsonArray cores;
    for (double c : toolCpuCoresPerProcess)
        cores.append(c);
    QJsonObject json{{"step"_L1, step},
                     {"ratePerSender"_L1, ratePerSender},
                     {"measuredSeconds"_L1, measuredSeconds},
                     {"clients"_L1, clients},
                     {"connected"_L1, connected},
                     {"senders"_L1, senders},
                     {"sent"_L1, sent},
                     {"acked"_L1, acked},
                     {"unacked"_L1, unacked},
                     {"skipped"_L1, skipped},
                     {"errors"_L1, errs},
                     {"delivered"_L1, delivered},
                     {"duplicates"_L1, duplicates},
                     {"reordered"_L1, reordered},
                     {"late"_L1, late},
                     {"channelAcked"_L1, toArray(channelAcked)},
                     {"channelMembers"_L1, toArray(channelMembers)},
                     {"channelDelivered"_L1, toArray(channelDelivered)},
                     {"latency"_L1, latency.toJson()},
                     {"ackLatency"_L1, ackLatency.toJson()},
                     {"sendLag"_L1, sendLag.toJson()},
                     {"toolCpuSeconds"_L1, toolCpuSeconds},
                     {"toolWallSeconds"_L1, toolWallSeconds},
                     {"toolCpuCoresPerProcess"_L1, cores},
                     {"toolRssBytes"_L1, toolRssBytes}};
    if (resend)
        json.insert("resend"_L1, resend->toJson());
    return json;
}

PhaseStats PhaseStats::fromJson(const QJsonObject &j)
{
    PhaseStats s;
    s.step = j.value("step"_L1).toInt();
    s.ratePerSender = j.value("ratePerSender"_L1).toDouble();
    s.measuredSeconds = j.value("measuredSeconds"_L1).toDouble();
    s.clients = j.value("clients"_L1).toInteger();
    s.connected = j.value("connected"_L1).toInteger();
    s.senders = j.value("senders"_L1).toInteger();
    s.sent = j.value("sent"_L1).toInteger();
    s.acked = j.value("acked"_L1).toInteger();
    s.unacked = j.value("unacked"_L1).toInteger();
    s.skipped = j.value("skipped"_L1).toInteger();
    const QJsonObject errs = j.value("errors"_L1).toObject();
    for (auto it = errs.constBegin(); it != errs.constEnd(); ++it)
        s.errors.insert(it.key(), it.value().toInteger());
    s.delivered = j.value("delivered"_L1).toInteger();
    s.duplicates = j.value("duplicates"_L1).toInteger();
    s.reordered = j.value("reordered"_L1).toInteger();
    s.late = j.value("late"_L1).toInteger();
    s.channelAcked = fromArray(j.value("channelAcked"_L1));
    s.channelMembers = fromArray(j.value("channelMembers"_L1));
    s.channelDelivered = fromArray(j.value("channelDelivered"_L1));
    s.latency = Histogram::fromJson(j.value("latency"_L1).toObject());
    s.ackLatency = Histogram::fromJson(j.value("ackLatency"_L1).toObject());
    s.sendLag = Histogram::fromJson(j.value("sendLag"_L1).toObject());
    s.toolCpuSeconds = j.value("toolCpuSeconds"_L1).toDouble();
    s.toolWallSeconds = j.value("toolWallSeconds"_L1).toDouble();
    for (const QJsonValue &c : j.value("toolCpuCoresPerProcess"_L1).toArray())
        s.toolCpuCoresPerProcess.append(c.toDouble());
    s.toolRssBytes = j.value("toolRssBytes"_L1).toInteger();
    if (j.contains("resend"_L1))
        s.resend = ResendStats::fromJson(j.value("resend"_L1).toObject());
    return s;
}

qint64 PhaseStats::expected() const
{
    qint64 total = 0;
    for (std::size_t c = 0; c < channelAcked.size() && c < channelMembers.size(); ++c)
        total += channelAcked[c] * channelMembers[c];
    return total;
}

qint64 PhaseStats::lost() const
{
    qint64 total = 0;
    for (std::size_t c = 0; c < channelAcked.size(); ++c) {
        const qint64 want = channelAcked[c] * (c < channelMembers.size() ? channelMembers[c] : 0);
        const qint64 got = c < channelDelivered.size() ? channelDelivered[c] : 0;
        total += std::max<qint64>(0, want - got);
    }
    return total;
}

qint64 PhaseStats::extra() const
{
    qint64 total = 0;
    for (std::size_t c = 0; c < channelDelivered.size(); ++c) {
        const qint64 want = c < channelAcked.size() && c < channelMembers.size() ? channelAcked[c] * channelMembers[c] : 0;
        total += std::max<qint64>(0, channelDelivered[c] - want);
    }
    return total;
}

qint64 PhaseStats::errorCount() const
{
    qint64 total = 0;
    for (qint64 n : errors)
        total += n;
    return total;
}

QJsonObject PhaseStats::report() const
{
    QJsonObject errs;
    for (auto it = errors.cbegin(); it != errors.cend(); ++it)
        errs.insert(it.key(), it.value());
    QJsonArray cores;
    double maxCores = 0;
    for (double c : toolCpuCoresPerProcess) {
        cores.append(c);
        maxCores = std::max(maxCores, c);
    }
    const double secs = measuredSeconds > 0 ? measuredSeconds : 1;
    QJsonObject out{{"step"_L1, step},
                    {"ratePerSender"_L1, ratePerSender},
                    {"offeredPerSecond"_L1, double(senders) * ratePerSender},
                    {"measuredSeconds"_L1, measuredSeconds},
                    {"clients"_L1, clients},
                    {"connected"_L1, connected},
                    {"senders"_L1, senders},
                    {"sent"_L1, sent},
                    {"acked"_L1, acked},
                    {"ackedPerSecond"_L1, double(acked) / secs},
                    {"unacked"_L1, unacked},
                    {"skipped"_L1, skipped},
                    {"errors"_L1, errs},
                    {"expected"_L1, expected()},
                    {"delivered"_L1, delivered},
                    {"deliveredPerSecond"_L1, double(delivered) / secs},
                    {"lost"_L1, lost()},
                    {"extra"_L1, extra()},
                    {"duplicates"_L1, duplicates},
                    {"reordered"_L1, reordered},
                    {"late"_L1, late},
                    {"latency"_L1, latency.summaryMs()},
                    {"ackLatency"_L1, ackLatency.summaryMs()},
                    {"sendLag"_L1, sendLag.summaryMs()},
                    {"tool"_L1, QJsonObject{{"cpuCores"_L1, toolWallSeconds > 0 ? toolCpuSeconds / toolWallSeconds : 0},
                                            {"maxProcessCpuCores"_L1, maxCores},
                                            {"cpuCoresPerProcess"_L1, cores},
                                            {"rssBytes"_L1, toolRssBytes}}}};
    if (resend)
        out.insert("resend"_L1, resend->report(double(senders) * ratePerSender));
    return out;
}

} // namespace rill::load
