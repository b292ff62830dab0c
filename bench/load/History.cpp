#include "History.h"

#include "Histogram.h"

#include "support/ProcessStats.h"

#include "protocol/Codec.h"
#include "protocol/Limits.h"

#include "redis/RedisClient.h"

#include <QCoro/QCoroSignal>
#include <QCoro/QCoroTimer>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTimer>

#include <cstdio>

namespace rill::load {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using rill::bench::monotonicMicros;

namespace {

struct FillState {
    qint64 next = 0;
    qint64 end = 0;
    qint64 acked = 0;
    QMap<QString, qint64> errors;
};

QCoro::Task<> fillSlot(LoadClient *client, FillState *state)
{
    while (state->next < state->end) {
        const qint64 k = state->next++;
        const QJsonObject params{{"channel"_L1, client->channelName()}, {"text"_L1, QString(u"fill "_s + QString::number(k))}};
        const Reply reply = co_await client->request(protocol::op::send, params, 120s);
        if (reply.ok)
            ++state->acked;
        else
            ++state->errors[reply.error];
    }
}

struct RedisFillState {
    QByteArray logKey;
    QByteArray user;
    qint64 next = 0;
    qint64 end = 0;
    qint64 seqBase = 0; // the channel's message count before entry `first`
    qint64 first = 0;
    qint64 acked = 0;
    QMap<QString, qint64> errors;
};

QCoro::Task<> redisFillSlot(redis::RedisClient *client, RedisFillState *state)
{
    while (state->next < state->end) {
        const qint64 k = state->next++;
        const QByteArray text = "fill " + QByteArray::number(k);
        const QByteArray seq = QByteArray::number(state->seqBase + (k - state->first) + 1);
        // docs/storage.md: k = kind (m), u = display name, t = text, s = message count so far.
        const redis::RedisReply reply =
            co_await client->command("XADD", state->logKey, "*", "k", "m", "u", state->user, "t", text, "s", seq);
        if (reply.isOk())
            ++state->acked;
        else
            ++state->errors[QString::fromUtf8(reply.bytes().left(40))];
    }
}

// Writes the entries straight into the log; the server is not involved (no bus events).
QCoro::Task<> fillThroughRedis(const HistoryOptions &options, const QString &channel, const QString &user,
                               RedisFillState *state)
{
    redis::RedisOptions redisOptions;
    redisOptions.endpoint = *options.redis;
    redisOptions.commandTimeout = 30s;
    redisOptions.clientName = "rill-load-history";
    redis::RedisClient client(redisOptions);
    client.open();
    if (!client.isReady()) {
        auto connected = qCoro(&client, &redis::RedisLink::connected, 10s);
        co_await connected;
    }
    if (!client.isReady()) {
        ++state->errors[u"cannot connect to Redis: "_s + client.lastError()];
        co_return;
    }
    const QByteArray prefix = "rill:{c:" + channel.toUtf8() + "}:";
    state->logKey = prefix + "log";
    state->user = user.toUtf8();
    const QByteArray seqKey = prefix + "seq";
    const redis::RedisReply seq = co_await client.command("GET", seqKey);
    state->seqBase = seq.bytes().toLongLong();
    state->first = state->next;
    std::vector<QCoro::Task<>> slots;
    for (int w = 0; w < options.redisWindow; ++w)
        slots.push_back(redisFillSlot(&client, state));
    for (auto &slot : slots)
        co_await slot;
    const QByteArray added = QByteArray::number(state->acked);
    const redis::RedisReply seqNow = co_await client.command("INCRBY", seqKey, added);
    // docs/storage.md: `last` is the newest entry and the message count, "<id> <seq>". (These
    // entries are not in the writer's own-message index: unread counts of the fill's user are
    // off; the history benchmark does not read them.)
    const redis::RedisReply newest = co_await client.command("XREVRANGE", state->logKey, "+", "-", "COUNT", "1");
    if (newest.isArray() && newest.size() == 1) {
        const QByteArray lastKey = prefix + "last";
        const QByteArray last = newest.at(0).at(0).bytes() + ' ' + QByteArray::number(seqNow.integer());
        co_await client.command("SET", lastKey, last);
    }
    client.close();
}

// The highest fill number in the newest page: how far an earlier run got. Sends are pipelined,
// so a run that was interrupted may have left a few gaps below it; the count is approximate
// by at most the window.
qint64 filledSoFar(const Reply &newest)
{
    qint64 highest = -1;
    for (const QJsonValue &m : newest.body.value("messages"_L1).toArray()) {
        const QString text = m.toObject().value("text"_L1).toString();
        if (text.startsWith("fill "_L1))
            highest = std::max(highest, QStringView(text).mid(5).toLongLong());
    }
    return highest + 1;
}

struct QueryStats {
    Histogram latency;
    qint64 messages = 0;
    qint64 more = 0;
    QMap<QString, qint64> errors;

    [[nodiscard]] QJsonObject toJson() const
    {
        QJsonObject errs;
        for (auto it = errors.cbegin(); it != errors.cend(); ++it)
            errs.insert(it.key(), it.value());
        const qint64 n = latency.count();
        return {{"latency"_L1, latency.summaryMs()},
                {"meanMessagesPerPage"_L1, n ? double(messages) / double(n) : 0.0},
                {"pagesWithMore"_L1, more},
                {"errors"_L1, errs}};
    }
};

QCoro::Task<> timeQuery(LoadClient *client, QJsonObject params, QueryStats *stats)
{
    const qint64 start = monotonicMicros();
    const Reply reply = co_await client->request(protocol::op::history, params, 60s);
    const qint64 took = monotonicMicros() - start;
    if (!reply.ok) {
        ++stats->errors[reply.error];
        co_return;
    }
    stats->latency.record(took);
    stats->messages += reply.body.value("messages"_L1).toArray().size();
    stats->more += reply.body.value("more"_L1).toBool() ? 1 : 0;
}

qint64 firstTimestamp(const Reply &reply)
{
    const QJsonArray messages = reply.body.value("messages"_L1).toArray();
    return messages.isEmpty() ? 0 : messages.first().toObject().value("ts"_L1).toInteger();
}

} // namespace

QCoro::Task<QJsonObject> runHistoryBenchmark(HistoryOptions options)
{
    const QString channel = options.runner.population.fixedChannel;
    Runner runner(options.runner);
    const PrepareResult prepared = co_await runner.prepare();
    if (prepared.ready < 1)
        co_return QJsonObject{{"error"_L1, u"no client could log in"_s}, {"prepare"_L1, prepared.toJson()}};
    std::vector<LoadClient *> clients;
    for (std::size_t i = 0; i < runner.clientCount(); ++i) {
        if (runner.client(i)->isReady())
            clients.push_back(runner.client(i));
    }
    LoadClient *reader = clients.front();

    const QJsonObject newestOne{{"channel"_L1, channel}, {"limit"_L1, protocol::kMaxHistoryLimit}};
    const Reply newest = co_await reader->request(protocol::op::history, newestOne, 60s);
    if (!newest.ok)
        co_return QJsonObject{{"error"_L1, QString(u"history: "_s + newest.error)}};

    // Fill, unless an earlier run (same accounts, same server data) already did.
    FillState fill;
    fill.next = filledSoFar(newest);
    fill.end = options.entries;
    const qint64 before = fill.next;
    QElapsedTimer fillTimer;
    fillTimer.start();
    if (fill.next < fill.end) {
        std::fprintf(stderr, "history: filling %s from %lld to %lld entries\n", qPrintable(channel),
                     static_cast<long long>(fill.next), static_cast<long long>(fill.end));
        QTimer progress;
        progress.setInterval(5s);
        QObject::connect(&progress, &QTimer::timeout, &progress, [&fill, &fillTimer, before] {
            const double secs = double(fillTimer.elapsed()) / 1000.0;
            std::fprintf(stderr, "history: %lld entries, %.0f/s\n", static_cast<long long>(fill.next),
                         secs > 0 ? double(fill.next - before) / secs : 0.0);
        });
        progress.start();
        if (options.redis) {
            RedisFillState direct;
            direct.next = fill.next;
            direct.end = fill.end;
            co_await fillThroughRedis(options, channel, reader->user(), &direct);
            fill.next = direct.next;
            fill.acked = direct.acked;
            fill.errors = direct.errors;
        } else {
            std::vector<QCoro::Task<>> slots;
            for (LoadClient *c : clients) {
                for (int w = 0; w < options.fillWindow; ++w)
                    slots.push_back(fillSlot(c, &fill));
            }
            for (auto &slot : slots)
                co_await slot;
        }
    }
    const double fillSeconds = double(fillTimer.nsecsElapsed()) / 1e9;
    QJsonObject fillErrors;
    for (auto it = fill.errors.cbegin(); it != fill.errors.cend(); ++it)
        fillErrors.insert(it.key(), it.value());

    // The log's time span, for random positions in it.
    const QJsonObject oldestOne{{"channel"_L1, channel}, {"after"_L1, u"0-0"_s}, {"limit"_L1, 1}};
    const Reply oldest = co_await reader->request(protocol::op::history, oldestOne, 60s);
    const QJsonObject newestSingle{{"channel"_L1, channel}, {"limit"_L1, 1}};
    const Reply latest = co_await reader->request(protocol::op::history, newestSingle, 60s);
    const qint64 firstTs = firstTimestamp(oldest);
    const qint64 lastTs = firstTimestamp(latest);

    // One request at a time: the latency of a page on its own, not under a queue of others.
    QueryStats newestPages;
    for (int q = 0; q < options.queries; ++q) {
        const QJsonObject params{{"channel"_L1, channel}, {"limit"_L1, options.pageSize}};
        co_await timeQuery(reader, params, &newestPages);
    }
    QueryStats randomPages;
    auto *random = QRandomGenerator::global();
    for (int q = 0; q < options.queries && lastTs > firstTs; ++q) {
        const qint64 ts = firstTs + qint64(random->bounded(double(lastTs - firstTs + 1)));
        const QJsonObject params{{"channel"_L1, channel},
                                 {"before"_L1, QString(QString::number(ts) + u"-0"_s)},
                                 {"limit"_L1, options.pageSize}};
        co_await timeQuery(reader, params, &randomPages);
    }
    runner.closeAll();
    // Let the close handshakes finish before the sockets are destroyed: a QWebSocket deleted
    // in the middle of closing gets socket events after its death (a crash in Qt 6.4).
    co_await QCoro::sleepFor(300ms);

    QJsonObject report{{"channel"_L1, channel},
                       {"entriesTarget"_L1, options.entries},
                       {"entriesBefore"_L1, before},
                       {"filled"_L1, fill.acked},
                       {"fillSeconds"_L1, fillSeconds},
                       {"fillPerSecond"_L1, fill.acked && fillSeconds > 0 ? double(fill.acked) / fillSeconds : 0.0},
                       {"fillErrors"_L1, fillErrors},
                       {"fillMethod"_L1, options.redis ? u"redis XADD (docs/storage.md layout)"_s : u"protocol send"_s},
                       {"fillConnections"_L1, options.redis ? qint64(1) : qint64(clients.size())},
                       {"fillWindow"_L1, options.redis ? options.redisWindow : options.fillWindow},
                       {"logSpanSeconds"_L1, double(lastTs - firstTs) / 1000.0},
                       {"pageSize"_L1, options.pageSize},
                       {"queries"_L1, options.queries},
                       {"newestPage"_L1, newestPages.toJson()},
                       {"randomBeforePage"_L1, randomPages.toJson()},
                       {"prepare"_L1, prepared.toJson()}};
    if (!oldest.ok)
        report.insert("oldestError"_L1, oldest.error);
    co_return report;
}

} // namespace rill::load
