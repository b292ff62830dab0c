#include "ClientConnection.h"

#include "protocol/Limits.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcClientConnection, "rill.client.connection", QtInfoMsg)

namespace rill::client {

using namespace Qt::StringLiterals;

namespace {
// History pages of long messages exceed the 64 KiB a client may send; allow far more inbound.
constexpr qint64 kMaxIncomingBytes = 32 * 1024 * 1024;
} // namespace

ClientConnection::ClientConnection(QObject *parent)
    : ClientConnection(Options{}, parent)
{
}

ClientConnection::ClientConnection(Options options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_backoff(options.firstRetry, options.maxRetry)
{
    m_retryTimer.setSingleShot(true);
    m_keepAliveTimer.setInterval(m_options.keepAlive / 2);
    connect(&m_retryTimer, &QTimer::timeout, this, &ClientConnection::connectNow);
    connect(&m_keepAliveTimer, &QTimer::timeout, this, &ClientConnection::onKeepAliveTick);
}

ClientConnection::~ClientConnection()
{
    dropSocket();
}

void ClientConnection::release(QWebSocket *socket)
{
    if (!socket)
        return;
    socket->disconnect();
    socket->abort();
    // Deleting it now could pull it out from under one of its own signals.
    socket->deleteLater();
}

void ClientConnection::dropSocket()
{
    m_keepAliveTimer.stop();
    m_socket.reset();
}

void ClientConnection::open(const QUrl &url)
{
    m_url = url;
    m_backoff.reset();
    m_retryTimer.stop();
    dropSocket();
    connectNow();
}

void ClientConnection::close()
{
    m_retryTimer.stop();
    m_keepAliveTimer.stop();
    setState(State::Closed);
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState) {
        m_socket->disconnect(this);
        m_socket->close(QWebSocketProtocol::CloseCodeNormal);
    }
}

void ClientConnection::retryNow()
{
    if (m_state == State::Waiting) {
        m_retryTimer.stop();
        connectNow();
    }
}

void ClientConnection::abort()
{
    if (m_socket && (m_state == State::Open || m_state == State::Connecting))
        m_socket->abort();
}

bool ClientConnection::send(const QByteArray &frame)
{
    if (m_state != State::Open || !m_socket)
        return false;
    // QWebSocket takes text as QString; the codec's bytes are UTF-8 by construction.
    m_socket->sendTextMessage(QString::fromUtf8(frame));
    return true;
}

void ClientConnection::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void ClientConnection::connectNow()
{
    if (!m_url.isValid())
        return;
    dropSocket();
    m_socket.reset(new QWebSocket(QString(), QWebSocketProtocol::VersionLatest));
    QWebSocket *socket = m_socket.get();
    socket->setMaxAllowedIncomingMessageSize(kMaxIncomingBytes);
    connect(socket, &QWebSocket::connected, this, &ClientConnection::onConnected);
    // stateChanged, not disconnected: a refused attempt never was connected, so it never
    // says disconnected, but it does fall back to UnconnectedState.
    connect(socket, &QWebSocket::stateChanged, this, [this](QAbstractSocket::SocketState s) {
        if (s == QAbstractSocket::UnconnectedState)
            onDisconnected();
    });
    connect(socket, &QWebSocket::textMessageReceived, this,
            [this](const QString &text) { Q_EMIT frameReceived(text.toUtf8()); });
    connect(socket, &QWebSocket::pong, this, [this] { m_awaitingPong = false; });
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this, socket](QAbstractSocket::SocketError) { m_lastError = socket->errorString(); });

    m_lastError.clear();
    setState(State::Connecting);
    qCDebug(lcClientConnection) << "connecting to" << m_url;
    socket->open(m_url);
}

void ClientConnection::onConnected()
{
    m_backoff.reset();
    m_awaitingPong = false;
    m_keepAliveTimer.start();
    setState(State::Open);
    Q_EMIT opened();
}

void ClientConnection::onDisconnected()
{
    m_keepAliveTimer.stop();
    if (m_state != State::Open && m_state != State::Connecting)
        return;
    QString reason = m_socket ? m_socket->closeReason() : QString();
    if (reason.isEmpty())
        reason = m_lastError.isEmpty() ? u"connection closed"_s : m_lastError;
    m_lastError = reason;
    qCDebug(lcClientConnection) << "link down:" << reason;
    scheduleRetry();
    Q_EMIT dropped(reason);
}

void ClientConnection::scheduleRetry()
{
    const auto delay = m_backoff.next();
    m_nextAttempt = QDateTime::currentDateTimeUtc().addMSecs(delay.count());
    m_retryTimer.start(delay);
    setState(State::Waiting);
}

void ClientConnection::onKeepAliveTick()
{
    if (!m_socket)
        return;
    if (m_awaitingPong) {
        m_lastError = u"the server stopped answering"_s;
        m_socket->abort();
        return;
    }
    m_awaitingPong = true;
    m_socket->ping();
}

} // namespace rill::client
