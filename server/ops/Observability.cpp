#include "Observability.h"

#include "HealthMonitor.h"
#include "OpsHttpServer.h"
#include "ServerMetrics.h"

#include "hub/Hub.h"
#include "redis/RedisClient.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcHealth)

namespace rill::server {

using namespace Qt::StringLiterals;

Observability::Observability(QObject *parent)
    : QObject(parent)
    , m_metrics(std::make_shared<ServerMetrics>())
{
    m_metrics->registry().gaugeFunction("rill_build_info", "Always 1; the labels say which build this is.",
                                        [] { return 1.0; }, {{"version", RILL_VERSION}, {"qt", qVersion()}});
}

Observability::~Observability()
{
    stop();
}

void Observability::stop()
{
    // The endpoint first: nothing may scrape while the rest goes.
    m_http.reset();
    m_health.reset();
    if (m_sources.redis)
        m_sources.redis->setRoundTripHistogram(nullptr);
    m_sources = {};
}

bool Observability::start(Sources sources, const QHostAddress &address, std::optional<quint16> port, QString *error)
{
    m_sources = std::move(sources);
    metrics::Registry &r = m_metrics->registry();
    // Read through `this`, and rendered only by m_http, which goes first in stop(); the
    // registry itself may outlive this object (a session's last request still counts into it).
    const auto read = [this](auto value) {
        return [this, value] { return m_sources.redis ? double(value(m_sources)) : 0.0; };
    };
    r.gaugeFunction("rill_connections", "Open WebSocket connections.", read([](const Sources &s) { return s.connections(); }));
    r.gaugeFunction("rill_sessions", "Logged-in sessions.", read([](const Sources &s) { return s.sessions(); }));
    r.gaugeFunction("rill_users", "Distinct users with a session on this instance.",
                    read([](const Sources &s) { return s.hub->localUserCount(); }));
    // The seeds' pub/sub monitoring (channels, subscribers), as this instance's fan-out index
    // sees it: aggregates only, so the number of series does not grow with the channels.
    auto &channels = r.gauge("rill_local_channels", "Channels with at least one member logged in here.");
    auto &memberships = r.gauge("rill_local_channel_members",
                                "Channel memberships of the users logged in here (the fan-out's subscriptions), summed over channels.");
    auto &largest = r.gauge("rill_local_channel_members_max", "Members logged in here of the channel with the most of them.");
    r.onScrape([this, &channels, &memberships, &largest] {
        const Hub::LocalChannels stats = m_sources.hub ? m_sources.hub->localChannels() : Hub::LocalChannels{};
        channels.set(double(stats.channels));
        memberships.set(double(stats.memberships));
        largest.set(double(stats.largest));
    });
    r.gaugeFunction("rill_redis_connected", "1 while the main link to Redis is up.",
                    read([](const Sources &s) { return s.redis->isReady() ? 1 : 0; }));
    m_sources.redis->setRoundTripHistogram(&m_metrics->redisRoundTrip);

    if (!port)
        return true;
    const Hub *hub = m_sources.hub;
    m_health = std::make_unique<HealthMonitor>(
        *m_sources.redis,
        HealthMonitor::Sources{[hub] { return hub->cursor(); }, [hub] { return hub->isReadingBus(); }, m_sources.serving},
        *m_metrics, HealthMonitor::Options{});
    m_http = std::make_unique<OpsHttpServer>(m_metrics->registry(), *m_health);
    if (!m_http->listen(address, *port)) {
        *error = u"cannot listen for HTTP on "_s + address.toString() + u" port "_s + QString::number(*port) + u": "_s
            + m_http->errorString();
        m_http.reset();
        m_health.reset();
        return false;
    }
    m_health->start();
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']'
                                                                              : address.toString();
    qCInfo(lcHealth).noquote() << u"health and metrics on http://"_s + host + u':' + QString::number(m_http->port())
            + u"/ (healthz, readyz, metrics)"_s;
    return true;
}

quint16 Observability::httpPort() const
{
    return m_http ? m_http->port() : 0;
}

} // namespace rill::server
