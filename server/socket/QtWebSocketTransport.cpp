#include "QtWebSocketTransport.h"

#include "socket/PeerConnection.h"

#include <QTcpSocket>
#include <QWebSocket>

namespace rill::server {

QtWebSocketTransport::QtWebSocketTransport(PeerConnection &owner, QWebSocket *socket, QTcpSocket *transport,
                                           qsizetype maxMessageBytes)
    : m_owner(owner)
    , m_socket(socket)
    , m_transport(transport)
{
    socket->setParent(&owner);
    // QWebSocketServer lets go of the socket it upgraded; it is ours, and dies after `socket`
    // (children die in order), which uses it to the end.
    if (transport)
        transport->setParent(&owner);
    socket->setMaxAllowedIncomingFrameSize(quint64(maxMessageBytes));
    socket->setMaxAllowedIncomingMessageSize(quint64(maxMessageBytes));

    QObject::connect(socket, &QWebSocket::textMessageReceived, &owner, [this](const QString &text) {
        m_owner.received(Frame::Opcode::Text, text.toUtf8());
    });
    QObject::connect(socket, &QWebSocket::binaryMessageReceived, &owner,
                     [this] { m_owner.received(Frame::Opcode::Binary, QByteArray()); });
    QObject::connect(socket, &QWebSocket::pong, &owner, [this] { m_owner.heard(); });
    // QWebSocket has written a close frame (ours, or its answer to the peer's).
    QObject::connect(socket, &QWebSocket::aboutToClose, &owner, [this] { m_owner.closing(); });
    QObject::connect(socket, &QWebSocket::disconnected, &owner, [this] {
        m_socket->disconnect(&m_owner);
        m_socket->deleteLater();
        if (m_transport)
            m_transport->deleteLater();
        m_owner.gone();
    });
}

QtWebSocketTransport::~QtWebSocketTransport()
{
    // The socket is the owner's child and dies after this; its last signals must not reach us.
    if (m_socket)
        m_socket->disconnect(&m_owner);
}

void QtWebSocketTransport::write(std::vector<Frame> &frames)
{
    if (!m_socket)
        return;
    for (const Frame &frame : frames) {
        if (m_transport)
            m_transport->write(frame.bytes());
        else // not expected: QWebSocket frames each message itself
            m_socket->sendTextMessage(QString::fromUtf8(frame.payload()));
    }
}

qint64 QtWebSocketTransport::unsentBytes() const
{
    return m_transport ? m_transport->bytesToWrite() : 0;
}

void QtWebSocketTransport::flush()
{
    if (m_transport)
        m_transport->flush();
}

void QtWebSocketTransport::close(quint16 code, const QString &reason)
{
    if (m_socket)
        m_socket->close(QWebSocketProtocol::CloseCode(code), reason);
}

void QtWebSocketTransport::ping()
{
    if (m_socket)
        m_socket->ping();
}

void QtWebSocketTransport::abort()
{
    if (m_socket)
        m_socket->abort();
}

QHostAddress QtWebSocketTransport::peerAddress() const
{
    return m_socket ? m_socket->peerAddress() : QHostAddress();
}

quint16 QtWebSocketTransport::peerPort() const
{
    return m_socket ? m_socket->peerPort() : 0;
}

} // namespace rill::server
