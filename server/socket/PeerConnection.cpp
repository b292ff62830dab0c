#include "PeerConnection.h"

#include <QLoggingCategory>
#include <QWebSocket>

Q_LOGGING_CATEGORY(lcConnection, "rill.connection", QtInfoMsg)

namespace rill::server {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

PeerConnection::PeerConnection(QWebSocket *socket, quint64 serial, qint64 maxBacklogBytes, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_serial(serial)
    , m_maxBacklog(maxBacklogBytes)
    , m_peer(socket->peerAddress().toString() + u':' + QString::number(socket->peerPort()))
{
    socket->setParent(this);
    socket->setMaxAllowedIncomingFrameSize(quint64(protocol::kMaxFrameBytes));
    socket->setMaxAllowedIncomingMessageSize(quint64(protocol::kMaxFrameBytes));
    m_lastHeard.start();
    m_abortTimer.setSingleShot(true);
    connect(&m_abortTimer, &QTimer::timeout, this, &PeerConnection::abort);

    connect(socket, &QWebSocket::textMessageReceived, this, [this](const QString &frame) {
        m_lastHeard.restart();
        if (m_open)
            Q_EMIT textReceived(frame);
    });
    connect(socket, &QWebSocket::binaryMessageReceived, this, [this] {
        m_lastHeard.restart();
        close(protocol::CloseCode::UnsupportedData, u"binary frames are not supported; send JSON text"_s);
    });
    connect(socket, &QWebSocket::pong, this, [this] { m_lastHeard.restart(); });
    connect(socket, &QWebSocket::disconnected, this, &PeerConnection::handleDisconnected);
}

PeerConnection::~PeerConnection()
{
    // The socket is our child and dies after this body; its last signals must not reach us.
    if (m_socket)
        m_socket->disconnect(this);
}

void PeerConnection::send(const QString &frame)
{
    if (!m_open || !m_socket)
        return;
    // Frames written in this turn of the event loop sit in Qt's buffer until the socket's write
    // notifier fires, so a burst to a fast reader can look like a backlog. Push what the kernel
    // will take (non-blocking) before judging: what is left is what the peer has not read.
    if (m_socket->bytesToWrite() > m_maxBacklog && (m_socket->flush(), m_socket->bytesToWrite() > m_maxBacklog)) {
        qCInfo(lcConnection).noquote() << m_peer << "is not reading; dropped with" << m_socket->bytesToWrite()
                                       << "bytes unsent";
        close(protocol::CloseCode::Policy, u"too far behind: the client is not reading"_s);
        return;
    }
    m_socket->sendTextMessage(frame);
}

void PeerConnection::close(protocol::CloseCode code, const QString &reason)
{
    if (!m_open || !m_socket)
        return;
    m_open = false;
    m_socket->close(QWebSocketProtocol::CloseCode(code), reason);
    // A peer that does not read never completes the closing handshake; do not wait for it.
    m_abortTimer.start(2s);
}

void PeerConnection::ping()
{
    if (m_open && m_socket)
        m_socket->ping();
}

void PeerConnection::abort()
{
    if (m_socket)
        m_socket->abort();
}

void PeerConnection::handleDisconnected()
{
    m_abortTimer.stop();
    m_open = false;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->deleteLater();
    }
    Q_EMIT closed();
}

} // namespace rill::server
