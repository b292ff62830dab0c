#pragma once

#include "protocol/Limits.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QWebSocket;

namespace rill::server {

// One WebSocket peer and the transport rules of the contract: text frames only (binary gets
// 1003), 64 KiB per frame and message (bigger gets 1009), and a bound on unsent bytes so a
// peer that stops reading is dropped instead of growing our memory or slowing anyone else.
class PeerConnection : public QObject
{
    Q_OBJECT

public:
    // Takes ownership of `socket`.
    PeerConnection(QWebSocket *socket, quint64 serial, qint64 maxBacklogBytes, QObject *parent = nullptr);
    ~PeerConnection() override;

    [[nodiscard]] quint64 serial() const { return m_serial; }
    [[nodiscard]] QString peer() const { return m_peer; }
    [[nodiscard]] bool isOpen() const { return m_open; }
    // Milliseconds since the peer last sent anything (a frame or a pong).
    [[nodiscard]] qint64 silentFor() const { return m_lastHeard.elapsed(); }

    void send(const QString &frame);
    void close(protocol::CloseCode code, const QString &reason);
    void ping();
    // Drops the TCP connection without a closing handshake (a peer that does not answer).
    void abort();

Q_SIGNALS:
    void textReceived(const QString &frame);
    // Emitted once, when the peer is gone for whatever reason.
    void closed();

private:
    void handleDisconnected();

    QPointer<QWebSocket> m_socket;
    quint64 m_serial;
    qint64 m_maxBacklog;
    QString m_peer;
    QElapsedTimer m_lastHeard;
    QTimer m_abortTimer;
    bool m_open = true;
};

} // namespace rill::server
