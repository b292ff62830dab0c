#include "OpsHttpServer.h"

#include "HealthMonitor.h"

#include "metrics/Registry.h"

#include <QHttpServer>
#include <QHttpServerResponse>
#include <QTcpServer>

namespace rill::server {

using namespace Qt::StringLiterals;
using Method = QHttpServerRequest::Method;
using Status = QHttpServerResponse::StatusCode;

OpsHttpServer::OpsHttpServer(const metrics::Registry &registry, HealthMonitor &health, QObject *parent)
    : QObject(parent)
    , m_http(std::make_unique<QHttpServer>())
{
    const auto methods = QHttpServerRequest::Methods(Method::Get) | Method::Head;
    m_http->route(u"/healthz"_s, methods, [] { return QHttpServerResponse("text/plain", "ok\n"); });
    m_http->route(u"/readyz"_s, methods, [&health] {
        const HealthMonitor::Verdict v = health.verdict();
        return v.ready ? QHttpServerResponse("text/plain", "ready\n")
                       : QHttpServerResponse("text/plain", "not ready: " + v.reason.toUtf8() + '\n',
                                             Status::ServiceUnavailable);
    });
    m_http->route(u"/metrics"_s, methods, [&registry, &health] {
        health.publish();
        return QHttpServerResponse(metrics::Registry::contentType, registry.exposition());
    });
}

OpsHttpServer::~OpsHttpServer() = default;

bool OpsHttpServer::listen(const QHostAddress &address, quint16 port)
{
    // Its own QTcpServer rather than QHttpServer::listen(), which keeps the reason of a failure
    // (the port in use, an address not on this host) to itself.
    auto tcp = std::make_unique<QTcpServer>();
    if (!tcp->listen(address, port)) {
        m_error = tcp->errorString();
        return false;
    }
    m_port = tcp->serverPort();
    tcp->setParent(m_http.get());
    m_http->bind(tcp.release());
    return true;
}

} // namespace rill::server
