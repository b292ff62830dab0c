#include "HealthMonitor.h"

#include "ServerMetrics.h"

#include "hub/BusEvent.h"
#include "redis/RedisClient.h"
#include "store/Keys.h"

#include <QLoggingCategory>
#include <QPointer>

Q_LOGGING_CATEGORY(lcHealth, "rill.health", QtInfoMsg)

namespace rill::server {

using namespace Qt::StringLiterals;
using redis::RedisReply;

namespace {

// Probes missed before Redis counts as not answering, whatever the link says.
constexpr int kMissedProbes = 3;

std::optional<protocol::StreamId> entryId(const RedisReply &entry)
{
    if (!entry.isArray() || entry.size() < 1)
        return std::nullopt;
    return protocol::StreamId::parse(entry.at(0).bytes());
}

} // namespace

HealthMonitor::HealthMonitor(redis::RedisClient &redis, Sources sources, ServerMetrics &metrics, Options options,
                             QObject *parent)
    : QObject(parent)
    , m_redis(redis)
    , m_sources(std::move(sources))
    , m_metrics(metrics)
    , m_options(options)
{
    connect(&m_timer, &QTimer::timeout, this, [this] { probe(); });
}

HealthMonitor::~HealthMonitor() = default;

void HealthMonitor::start()
{
    m_timer.start(m_options.interval);
    probe();
}

QCoro::Task<> HealthMonitor::probe()
{
    if (m_probing)
        co_return; // the previous one is still waiting: that is what the verdict will say
    m_probing = true;
    const QPointer<HealthMonitor> self(this);
    const QByteArray afterCursor = '(' + m_sources.busCursor().toByteArray();
    // Issued together (one write, one round trip); awaited in order.
    auto newestCall = m_redis.command("XREVRANGE", store::keys::bus, "+", "-", "COUNT", "1");
    auto unreadCall = m_redis.command("XRANGE", store::keys::bus, afterCursor, "+", "COUNT", "1");
    auto clockCall = m_redis.command("TIME");
    const RedisReply newest = co_await newestCall;
    const RedisReply unread = co_await unreadCall;
    const RedisReply clock = co_await clockCall;
    if (!self)
        co_return;
    m_probing = false;

    if (!newest.isArray() || !unread.isArray() || !clock.isArray() || clock.size() != 2) {
        const RedisReply &failed = !newest.isArray() ? newest : !unread.isArray() ? unread : clock;
        m_probeError = failed.describe();
        publish();
        co_return;
    }
    m_probeError.clear();
    m_sinceAnswer.start();
    if (unread.size() == 0) {
        m_busLagSeconds = 0;
        m_metrics.busLagEntries.set(0);
    } else {
        // Entries are numbered without gaps (q), so the count behind is a subtraction.
        const qint64 newestSequence = newest.size() ? BusEvent::sequenceOf(newest.at(0)) : 0;
        const qint64 unreadSequence = BusEvent::sequenceOf(unread.at(0));
        const qint64 behind = newestSequence && unreadSequence ? newestSequence - unreadSequence + 1 : 1;
        const double redisNowMs = clock.at(0).bytes().toDouble() * 1000 + clock.at(1).bytes().toDouble() / 1000;
        const auto oldest = entryId(unread.at(0));
        m_busLagSeconds = oldest ? std::max(0.0, (redisNowMs - double(oldest->ms)) / 1000) : 0;
        m_metrics.busLagEntries.set(double(std::max<qint64>(behind, 1)));
    }
    m_metrics.busLagSeconds.set(m_busLagSeconds);
    publish();
}

HealthMonitor::Verdict HealthMonitor::verdict() const
{
    if (!m_sources.serving())
        return {false, u"not serving (starting or shutting down)"_s};
    if (!m_redis.isReady())
        return {false, u"Redis is not connected: "_s + m_redis.lastError()};
    if (!m_sources.readingBus())
        return {false, u"the bus reader is not connected to Redis"_s};
    const auto silence = std::chrono::milliseconds(m_options.interval * kMissedProbes);
    if (!m_sinceAnswer.isValid() || m_sinceAnswer.elapsed() > silence.count()) {
        return {false, m_probeError.isEmpty()
                           ? QString(u"Redis has not answered for "_s + QString::number(silence.count()) + u" ms"_s)
                           : QString(u"Redis did not answer: "_s + m_probeError)};
    }
    if (m_busLagSeconds * 1000 > double(m_options.maxBusLag.count()))
        return {false, u"the bus reader is "_s + QString::number(m_busLagSeconds, 'f', 1) + u" s behind"_s};
    return {true, {}};
}

void HealthMonitor::publish()
{
    const Verdict now = verdict();
    m_metrics.ready.set(now.ready ? 1 : 0);
    if (now.ready != m_lastReady) {
        if (now.ready)
            qCInfo(lcHealth) << "ready";
        else
            qCWarning(lcHealth).noquote() << "not ready:" << now.reason;
        m_lastReady = now.ready;
    }
}

} // namespace rill::server
