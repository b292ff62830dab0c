#pragma once

#include <QHostAddress>
#include <QObject>
#include <QTimer>
#include <QWebSocketServer>

#include <chrono>

namespace rill::server {

class Connection;

// Accepts WebSocket peers and keeps them honest: one timer for all connections pings the quiet
// ones and drops those that miss two pings in a row.
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
    void connectionOpened(rill::server::Connection *connection);

private:
    void acceptPending();
    void sweep();

    QWebSocketServer m_server;
    QTimer m_sweepTimer;
    qint64 m_maxBacklog;
    std::chrono::milliseconds m_pingInterval;
    quint64 m_nextSerial = 1;
};

} // namespace rill::server
