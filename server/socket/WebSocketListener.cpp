#include "WebSocketListener.h"

#include "socket/DescriptorTransport.h"
#include "socket/QtWebSocketTransport.h"

#include <QFile>
#include <QLoggingCategory>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketCorsAuthenticator>

#include <algorithm>
#include <functional>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcListener, "rill.listener", QtInfoMsg)

namespace rill::server {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

QString normalizedOrigin(QString origin)
{
    origin = origin.trimmed().toLower();
    while (origin.endsWith(u'/'))
        origin.chop(1);
    return origin;
}

// Counted refusals are logged at the first and then every 1000th, so a flood cannot flood the log.
bool worthLogging(quint64 count)
{
    return count == 1 || count % 1000 == 0;
}

} // namespace

WebSocketListener::WebSocketListener(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_tcp(*this)
    , m_server(u"rill"_s, QWebSocketServer::NonSecureMode)
{
    for (QString &origin : m_options.allowedOrigins)
        origin = normalizedOrigin(origin);
    m_batcher.setHold(m_options.writeHold);
    m_batcher.setUseSendRing(m_options.sendRing);
    connect(&m_server, &QWebSocketServer::newConnection, this, &WebSocketListener::acceptPending);
    // Emitted inside the handshake with an authenticator on its stack: a direct connection.
    connect(&m_server, &QWebSocketServer::originAuthenticationRequired, this,
            [this](QWebSocketCorsAuthenticator *authenticator) {
                const bool allowed = originAllowed(authenticator->origin());
                if (!allowed)
                    qCInfo(lcListener).noquote() << "refused a WebSocket from origin" << authenticator->origin();
                authenticator->setAllowed(allowed);
            });
    connect(&m_tcp, &QTcpServer::acceptError, this, &WebSocketListener::handleAcceptError);

    m_sweepTimer.setInterval(m_options.pingInterval);
    connect(&m_sweepTimer, &QTimer::timeout, this, &WebSocketListener::sweep);
    // The clocks run at a tenth of the shorter one (at most once a second): a connection is
    // closed at most 10 % (or a second) past its clock.
    const auto shorter = std::min(m_options.handshakeTimeout, m_options.loginTimeout);
    m_clockTimer.setInterval(std::clamp<std::chrono::milliseconds>(shorter / 10, 10ms, 1000ms));
    connect(&m_clockTimer, &QTimer::timeout, this, &WebSocketListener::runClocks);
    m_resumeTimer.setSingleShot(true);
    m_resumeTimer.setInterval(250ms);
    connect(&m_resumeTimer, &QTimer::timeout, &m_tcp, &QTcpServer::resumeAccepting);
}

std::optional<QSslConfiguration> WebSocketListener::tlsConfiguration(const QString &certificateFile,
                                                                   const QString &keyFile, QString *error)
{
    if (!QSslSocket::supportsSsl()) {
        *error = u"TLS is not available (no OpenSSL for Qt's TLS backend)"_s;
        return std::nullopt;
    }
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(certificateFile, QSsl::Pem);
    if (chain.isEmpty()) {
        *error = u"no PEM certificate in "_s + certificateFile;
        return std::nullopt;
    }
    QFile file(keyFile);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"cannot read the TLS key "_s + keyFile + u": "_s + file.errorString();
        return std::nullopt;
    }
    const QByteArray pem = file.readAll();
    QSslKey key;
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
        key = QSslKey(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            break;
    }
    if (key.isNull()) {
        *error = u"no unencrypted PEM private key in "_s + keyFile;
        return std::nullopt;
    }
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(key);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    return configuration;
}

WebSocketListener::~WebSocketListener()
{
    // Connections first: they hold the batcher, a member that dies before our children do.
    const auto connections = findChildren<PeerConnection *>(Qt::FindDirectChildrenOnly);
    qDeleteAll(connections);
    // Then sockets still in a handshake, while the counts they release still exist.
    const auto sockets = findChildren<QTcpSocket *>(Qt::FindDirectChildrenOnly);
    qDeleteAll(sockets);
}

bool WebSocketListener::listen(const QHostAddress &address, quint16 port)
{
    if (!m_tcp.listen(address, port))
        return false;
    m_sweepTimer.start();
    m_clockTimer.start();
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
    m_resumeTimer.stop();
    m_tcp.close();
    m_server.close();
}

qsizetype WebSocketListener::connectionCount() const
{
    return findChildren<PeerConnection *>(Qt::FindDirectChildrenOnly).size();
}

void WebSocketListener::acceptDescriptor(qintptr descriptor)
{
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    QHostAddress address;
    if (::getpeername(int(descriptor), reinterpret_cast<sockaddr *>(&peer), &length) == 0)
        address.setAddress(reinterpret_cast<const sockaddr *>(&peer));
    const bool overTotal = m_options.maxConnections > 0 && m_socketCount >= m_options.maxConnections;
    const bool overAddress =
        m_options.maxConnectionsPerAddress > 0 && m_perAddress.value(address) >= m_options.maxConnectionsPerAddress;
    if (overTotal || overAddress) {
        // Before any object or buffer exists for it: a flood of connections costs a close each.
        ::close(int(descriptor));
        if (worthLogging(++m_refused))
            qCWarning(lcListener).noquote() << "refused a connection from" << address.toString()
                                            << (overTotal ? "(total connection cap)" : "(per-address connection cap)")
                                            << "; refused so far:" << m_refused;
        return;
    }

    QTcpSocket *socket = m_options.tls ? new QSslSocket(this) : new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcListener) << "cannot adopt an accepted socket:" << socket->errorString();
        delete socket;
        ::close(int(descriptor));
        return;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    accountSocket(socket, address);
    m_handshaking.insert(socket, QDeadlineTimer(m_options.handshakeTimeout));

    auto *tls = qobject_cast<QSslSocket *>(socket);
    if (!tls) {
        startWebSocketHandshake(socket);
        return;
    }
    tls->setSslConfiguration(*m_options.tls);
    connect(tls, &QAbstractSocket::disconnected, tls, &QObject::deleteLater);
    connect(tls, &QSslSocket::encrypted, this, [this, tls] {
        // QWebSocketServer deletes it on disconnection from here on.
        disconnect(tls, &QAbstractSocket::disconnected, tls, &QObject::deleteLater);
        startWebSocketHandshake(tls);
    });
    connect(tls, &QSslSocket::sslErrors, tls, [tls](const QList<QSslError> &errors) {
        qCDebug(lcListener) << "TLS handshake failed:" << errors;
        tls->abort();
    });
    tls->startServerEncryption();
}

void WebSocketListener::startWebSocketHandshake(QTcpSocket *socket)
{
    m_server.handleConnection(socket);
}

namespace {

// Counts a socket against the caps for as long as it lives. A child of the socket rather than a
// connection to its destroyed() signal: QWebSocketServer disconnects every signal of a socket
// it upgrades.
class CapSlot : public QObject
{
public:
    using Release = std::function<void(QTcpSocket *socket)>;
    CapSlot(QTcpSocket *socket, Release release) : QObject(socket), m_socket(socket), m_release(std::move(release))
    {
        setObjectName(name());
    }
    // How adoptDescriptor() finds it (a class without Q_OBJECT cannot be found by type).
    static QString name() { return u"rill-cap-slot"_s; }
    // Counts for `owner` from now on; the socket it was made for is gone (adopted).
    void moveTo(QObject *owner)
    {
        m_socket = nullptr;
        setParent(owner);
    }
    ~CapSlot() override { m_release(m_socket); }

private:
    QTcpSocket *m_socket;
    Release m_release;
};

} // namespace

void WebSocketListener::accountSocket(QTcpSocket *socket, const QHostAddress &address)
{
    ++m_socketCount;
    ++m_perAddress[address];
    new CapSlot(socket, [this, address](QTcpSocket *gone) { releaseSocket(gone, address); });
}

void WebSocketListener::releaseSocket(QTcpSocket *socket, const QHostAddress &address)
{
    // The key only; the object is going. None for an adopted socket: its handshake ended long
    // ago, and its address may be a new socket's by now.
    if (socket)
        m_handshaking.remove(socket);
    --m_socketCount;
    const auto it = m_perAddress.find(address);
    if (it != m_perAddress.end() && --it.value() <= 0)
        m_perAddress.erase(it);
    // A descriptor came free: if accepting stopped for want of one, try again now.
    if (m_resumeTimer.isActive()) {
        m_resumeTimer.stop();
        m_tcp.resumeAccepting();
    }
}

void WebSocketListener::handleAcceptError(QAbstractSocket::SocketError error)
{
    // QTcpServer has paused accepting (out of descriptors, typically: EMFILE). Without a
    // resume it would never accept again; resume when a socket closes or a moment has passed.
    if (worthLogging(++m_acceptErrors))
        qCWarning(lcListener).noquote() << "cannot accept connections:" << m_tcp.errorString() << "(" << error
                                        << "); retrying";
    m_tcp.pauseAccepting();
    m_resumeTimer.start();
}

bool WebSocketListener::originAllowed(const QString &origin) const
{
    // Browsers always send Origin; other clients (the app, bots, the load tool) need not.
    if (origin.isEmpty())
        return true;
    const QString wanted = normalizedOrigin(origin);
    return std::any_of(m_options.allowedOrigins.cbegin(), m_options.allowedOrigins.cend(),
                       [&wanted](const QString &allowed) { return allowed == "*"_L1 || allowed == wanted; });
}

void WebSocketListener::acceptPending()
{
    while (QWebSocket *socket = m_server.nextPendingConnection()) {
        QTcpSocket *tcp = takeHandshaking(socket);
        auto *connection = new PeerConnection(m_batcher, m_nextSerial++, m_options.maxBacklogBytes, this);
        if (!adoptDescriptor(*connection, socket, tcp)) {
            connection->setTransport(
                std::make_unique<QtWebSocketTransport>(*connection, socket, tcp, protocol::kMaxFrameBytes));
        }
        m_anonymous.insert(connection);
        connect(connection, &PeerConnection::authenticatedChanged, this, [this, connection](bool authenticated) {
            if (authenticated || !connection->isOpen())
                m_anonymous.remove(connection);
            else
                m_anonymous.insert(connection);
        });
        connect(connection, &PeerConnection::closed, connection, &QObject::deleteLater);
        // Whatever happened last (a session logging out as its connection closed), a deleted
        // connection is off the clock.
        connect(connection, &QObject::destroyed, this, [this, connection] { m_anonymous.remove(connection); });
        Q_EMIT connectionOpened(connection);
    }
}

bool WebSocketListener::adoptDescriptor(PeerConnection &connection, QWebSocket *socket, QTcpSocket *tcp)
{
    // Plain TCP only (TLS needs QSslSocket to the end), and only once Qt's handshake answer
    // has left: what is still in QTcpSocket's buffer would be lost with it.
    if (!tcp || qobject_cast<QSslSocket *>(tcp) || tcp->state() != QAbstractSocket::ConnectedState)
        return false;
    tcp->flush();
    if (tcp->bytesToWrite() > 0)
        return false;
    // A second descriptor for the same connection: Qt closes its own with the socket objects,
    // and the connection lives on in ours (close(2) of one of two descriptors sends nothing).
    const int descriptor = ::fcntl(int(tcp->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (descriptor < 0)
        return false;
    QByteArray early = tcp->readAll();
    const QHostAddress address = tcp->peerAddress();
    const quint16 port = tcp->peerPort();
    // The socket counts against the caps for as long as the connection lives, not the object.
    if (QObject *slot = tcp->findChild<QObject *>(CapSlot::name(), Qt::FindDirectChildrenOnly))
        static_cast<CapSlot *>(slot)->moveTo(&connection); // only CapSlots have that name
    // Nobody hears of the QWebSocket any more; it still hears of its socket, so that it knows
    // it is unconnected and its destructor sends no close frame.
    socket->disconnect();
    // abort(), not close(): no FIN (a shutdown would end our descriptor's connection too),
    // nothing more read.
    tcp->abort();
    const QPointer<QTcpSocket> tcpAlive(tcp);
    delete socket;
    delete tcpAlive.data();
    connection.setTransport(std::make_unique<DescriptorTransport>(connection, descriptor, address, port,
                                                                  std::move(early), protocol::kMaxFrameBytes));
    return true;
}

QTcpSocket *WebSocketListener::takeHandshaking(const QWebSocket *socket)
{
    // QWebSocket does not tell which socket it runs on; the peer's address and port do.
    const quint16 port = socket->peerPort();
    const QHostAddress address = socket->peerAddress();
    for (auto it = m_handshaking.begin(); it != m_handshaking.end(); ++it) {
        QTcpSocket *candidate = it.key();
        if (candidate->peerPort() == port && candidate->peerAddress() == address) {
            m_handshaking.erase(it);
            return candidate;
        }
    }
    return nullptr;
}

void WebSocketListener::runClocks()
{
    QList<QTcpSocket *> late;
    for (auto it = m_handshaking.cbegin(); it != m_handshaking.cend(); ++it) {
        if (it.value().hasExpired())
            late.append(it.key());
    }
    for (QTcpSocket *socket : std::as_const(late)) {
        m_handshaking.remove(socket);
        socket->abort(); // no WebSocket yet to close politely; it is deleted on disconnection
    }

    QList<PeerConnection *> anonymous;
    const qint64 limit = m_options.loginTimeout.count();
    for (PeerConnection *c : std::as_const(m_anonymous)) {
        if (c->anonymousFor() >= limit)
            anonymous.append(c);
    }
    for (PeerConnection *c : std::as_const(anonymous)) {
        m_anonymous.remove(c);
        c->close(protocol::CloseCode::Policy,
                 u"log in within "_s + QString::number(limit / 1000.0) + u" seconds"_s);
    }
}

void WebSocketListener::sweep()
{
    const qint64 interval = m_options.pingInterval.count();
    for (PeerConnection *c : findChildren<PeerConnection *>(Qt::FindDirectChildrenOnly)) {
        const qint64 silent = c->silentFor();
        if (silent >= 2 * interval)
            c->abort();
        else if (silent >= interval - interval / 10)
            c->ping();
    }
}

} // namespace rill::server
