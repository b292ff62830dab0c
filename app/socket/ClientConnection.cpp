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

QString ClientConnection::serverKey(const QUrl &url)
{
    return url.host().toLower() + u':' + QString::number(url.port(url.scheme() == "ws"_L1 ? 80 : 443));
}

void ClientConnection::open(const QUrl &url, TlsFallback fallback)
{
    m_url = url;
    m_fallback = fallback;
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

void ClientConnection::setTrustedCertificate(const QByteArray &sha256)
{
    m_trustedCertificate = sha256;
}

void ClientConnection::trustRejectedCertificate()
{
    if (m_rejectedCertificate.isEmpty())
        return;
    m_trustedCertificate = m_rejectedCertificate;
    if (m_state == State::Untrusted)
        connectNow();
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
            [this, socket](QAbstractSocket::SocketError error) {
                if (shouldFallBackToPlain(error))
                    m_plainNext = true; // acted on when the socket is down (onDisconnected)
                m_lastError = socket->errorString();
            });
    connect(socket, &QWebSocket::sslErrors, this, &ClientConnection::onSslErrors);

    m_lastError.clear();
    m_plainNext = false;
    m_rejectedCertificate.clear();
    m_rejectionReason.clear();
    setState(State::Connecting);
    qCDebug(lcClientConnection) << "connecting to" << m_url;
    socket->open(m_url);
}

void ClientConnection::onSslErrors(const QList<QSslError> &errors)
{
    // Whatever happens next, this server speaks TLS: never fall back to plain text for it.
    m_fallback = TlsFallback::Never;
    const QByteArray presented = m_socket->sslConfiguration().peerCertificate().digest(QCryptographicHash::Sha256);
    if (!presented.isEmpty() && presented == m_trustedCertificate) {
        // The user compared this very certificate with what the server's admin gave them; the
        // store's opinion of it (self-signed, issued for another name) no longer matters.
        // Only these errors are ignored, for this certificate, on this attempt.
        m_socket->ignoreSslErrors(errors);
        return;
    }
    QStringList reasons;
    for (const QSslError &error : errors)
        reasons << error.errorString();
    m_rejectedCertificate = presented;
    m_rejectionReason = reasons.join(u"; "_s);
    qCInfo(lcClientConnection) << "certificate of" << m_url.host() << "not trusted:" << m_rejectionReason;
    // Retrying cannot help until someone decides; the handshake ends without us.
    m_retryTimer.stop();
    m_keepAliveTimer.stop();
    setState(State::Untrusted);
    Q_EMIT certificateRejected(m_rejectedCertificate, m_rejectionReason);
}

bool ClientConnection::shouldFallBackToPlain(QAbstractSocket::SocketError error)
{
    // A server without TLS answers a TLS hello by closing or with garbage; refused, unreachable
    // and timed-out attempts say nothing about TLS and keep the scheme.
    const bool tlsNotSpoken = error == QAbstractSocket::SslHandshakeFailedError || error == QAbstractSocket::RemoteHostClosedError;
    return m_fallback == TlsFallback::PlainWhenServerHasNoTls && m_state == State::Connecting && tlsNotSpoken
        && m_url.scheme() == u"wss"_s;
}

void ClientConnection::onConnected()
{
    m_fallback = TlsFallback::Never;
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
    if (m_plainNext) {
        m_fallback = TlsFallback::Never;
        m_url.setScheme(u"ws"_s);
        qCInfo(lcClientConnection) << m_url.host() << "does not speak TLS; trying" << m_url;
        Q_EMIT urlChanged(m_url);
        connectNow(); // the failed socket goes through deleteLater: safe inside its signal
        return;
    }
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
