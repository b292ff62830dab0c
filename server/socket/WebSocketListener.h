#pragma once

#include <QHostAddress>
#include <QObject>
#include <QTcpServer>
#include <QTimer>
#include <QWebSocketServer>

#include <chrono>

namespace rill::server {

class PeerConnection;

// Accepts WebSocket peers and keeps them honest: one timer for all connections pings the quiet
// ones and drops those that miss two pings in a row.
//
// It accepts TCP itself and hands each socket to QWebSocketServer for the handshake, because
// QWebSocket does not expose its socket: this is the one place to turn Nagle off. With Nagle,
// small event frames waited for the previous one's ACK (delivery p99 15 ms instead of 3 ms).
class WebSocketListener : public QObject
{
    Q_OBJECT

public:
    WebSocketListener(qint64 maxBacklogBytes, std::chrono::seconds pingInterval, QObject *parent = nullptr);
    ~WebSocketListener() override;

    [[nodiscard]] bool listen(const QHostAddress &address, quint16 port);
    [[nodiscard]] quint16 port() const;
    [[nodiscard]] QString errorString() const;
    void stopAccepting();

Q_SIGNALS:
    void connectionOpened(rill::server::PeerConnection *connection);

private:
    void acceptTcp();
    void acceptPending();
    void sweep();

    QTcpServer m_tcp;
    QWebSocketServer m_server;
    QTimer m_sweepTimer;
    qint64 m_maxBacklog;
    std::chrono::milliseconds m_pingInterval;
    quint64 m_nextSerial = 1;
};

} // namespace rill::server
