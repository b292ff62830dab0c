#pragma once

#include <QHostAddress>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace rill::redis {
class RedisClient;
}

namespace rill::server {

class HealthMonitor;
class Hub;
class OpsHttpServer;
class ServerMetrics;

// What an instance shows the machines that watch it: its metrics (counted from the moment it
// exists) and, once it serves and when asked for (--http-listen), the health probe and the
// HTTP endpoint (/healthz, /readyz, /metrics).
class Observability : public QObject
{
    Q_OBJECT

public:
    explicit Observability(QObject *parent = nullptr);
    ~Observability() override;

    [[nodiscard]] const std::shared_ptr<ServerMetrics> &metrics() const { return m_metrics; }

    // What the instance knows, read at scrape time. Everything must outlive this object.
    struct Sources {
        redis::RedisClient *redis = nullptr;
        const Hub *hub = nullptr;
        std::function<qsizetype()> connections;
        std::function<qsizetype()> sessions; // logged in
        std::function<bool()> serving;
    };
    // Starts the probe and the HTTP endpoint when `port` is set. False, with `error`, when the
    // HTTP port cannot be opened.
    [[nodiscard]] bool start(Sources sources, const QHostAddress &address, std::optional<quint16> port,
                             QString *error);
    // Stops answering scrapes and probes (before what they read goes away).
    void stop();

    // The HTTP port (the real one when asked for 0); 0 while the endpoint is off.
    [[nodiscard]] quint16 httpPort() const;

private:
    std::shared_ptr<ServerMetrics> m_metrics;
    Sources m_sources;
    std::unique_ptr<HealthMonitor> m_health;
    std::unique_ptr<OpsHttpServer> m_http;
};

} // namespace rill::server
