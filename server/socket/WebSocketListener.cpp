#include "WebSocketListener.h"

#include "PeerConnection.h"

#include <QWebSocket>

namespace rill::server {

using namespace Qt::StringLiterals;

WebSocketListener::WebSocketListener(qint64 maxBacklogBytes, std::chrono::seconds pingInterval, QObject *parent)
    : QObject(parent)
    , m_server(u"rill"_s, QWebSocketServer::NonSecureMode)
    , m_maxBacklog(maxBacklogBytes)
    , m_pingInterval(pingInterval)
{
    m_server.setHandshakeTimeout(10000);
    connect(&m_tcp, &QTcpServer::newConnection, this, &WebSocketListener::acceptTcp);
    connect(&m_server, &QWebSocketServer::newConnection, this, &WebSocketListener::acceptPending);
    m_sweepTimer.setInterval(m_pingInterval);
    connect(&m_sweepTimer, &QTimer::timeout, this, &WebSocketListener::sweep);
}

WebSocketListener::~WebSocketListener() = default;

bool WebSocketListener::listen(const QHostAddress &address, quint16 port)
{
    if (!m_tcp.listen(address, port))
        return false;
    m_sweepTimer.start();
    return true;
}

quint16 WebSocketListener::port() const
{
    return m_tcp.serverPort();
}

QString WebSocketListener::errorString() const
{
    return m_tcp.errorString();
}

void WebSocketListener::stopAccepting()
{
    m_tcp.close();
    m_server.close();
}

void WebSocketListener::acceptTcp()
{
    while (QTcpSocket *socket = m_tcp.nextPendingConnection()) {
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        m_server.handleConnection(socket); // QWebSocketServer owns it from here
    }
}

void WebSocketListener::acceptPending()
{
    while (QWebSocket *socket = m_server.nextPendingConnection()) {
        auto *connection = new PeerConnection(socket, m_nextSerial++, m_maxBacklog, this);
        connect(connection, &PeerConnection::closed, connection, &QObject::deleteLater);
        Q_EMIT connectionOpened(connection);
    }
}

void WebSocketListener::sweep()
{
    const qint64 interval = m_pingInterval.count();
    for (PeerConnection *c : findChildren<PeerConnection *>(Qt::FindDirectChildrenOnly)) {
        const qint64 silent = c->silentFor();
        if (silent >= 2 * interval)
            c->abort();
        else if (silent >= interval - interval / 10)
            c->ping();
    }
}

} // namespace rill::server
