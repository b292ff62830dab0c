#pragma once

#include <QHostAddress>
#include <QObject>

#include <functional>
#include <memory>

class QHttpServer;

namespace rill::metrics {
class Registry;
}

namespace rill::server {

class HealthMonitor;

// The instance's HTTP port for the machines that watch it, apart from the WebSocket port:
//   GET /healthz  200 while the process serves HTTP at all (liveness)
//   GET /readyz   200, or 503 with the reason: Redis unreachable, the bus reader behind, or
//                 shutting down (for load balancers: send new clients elsewhere)
//   GET /metrics  Prometheus text format 0.0.4
// Everything is answered from what the instance already knows: no request waits for Redis.
class OpsHttpServer : public QObject
{
    Q_OBJECT

public:
    OpsHttpServer(const metrics::Registry &registry, HealthMonitor &health, QObject *parent = nullptr);
    ~OpsHttpServer() override;

    [[nodiscard]] bool listen(const QHostAddress &address, quint16 port);
    // The port it listens on (the real one when asked for 0).
    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QString errorString() const { return m_error; }

private:
    std::unique_ptr<QHttpServer> m_http;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace rill::server
