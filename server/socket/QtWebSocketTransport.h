#pragma once

#include "socket/Transport.h"

#include <QPointer>

class QTcpSocket;
class QWebSocket;

namespace rill::server {

class PeerConnection;

// QWebSocket as a Transport: for TLS, where the descriptor carries ciphertext and QSslSocket
// must do the writing. QWebSocket reads and answers control frames; data frames go through
// the socket under it, behind anything QWebSocket wrote (pongs, the close), so they stay whole
// and in order.
class QtWebSocketTransport final : public Transport
{
public:
    // `socket` and `transport` (the socket under it) become children of `owner`.
    QtWebSocketTransport(PeerConnection &owner, QWebSocket *socket, QTcpSocket *transport, qsizetype maxMessageBytes);
    ~QtWebSocketTransport() override;

    void write(std::vector<Frame> &frames) override;
    [[nodiscard]] qint64 unsentBytes() const override;
    void flush() override;
    void close(quint16 code, const QString &reason) override;
    void ping() override;
    void abort() override;
    [[nodiscard]] QHostAddress peerAddress() const override;
    [[nodiscard]] quint16 peerPort() const override;

private:
    PeerConnection &m_owner;
    QPointer<QWebSocket> m_socket;
    QPointer<QTcpSocket> m_transport;
};

} // namespace rill::server
