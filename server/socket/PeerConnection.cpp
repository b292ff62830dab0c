#include "PeerConnection.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <cerrno>

#include <climits>
#include <sys/socket.h>
#include <sys/uio.h>

Q_LOGGING_CATEGORY(lcConnection, "rill.connection", QtInfoMsg)

namespace rill::server {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QEvent::Type kFlushEvent = QEvent::Type(QEvent::registerEventType());
constexpr std::size_t kMaxIovecs = 256;
} // namespace

PeerConnection::PeerConnection(QWebSocket *socket, QTcpSocket *transport, WriteBatcher &batcher, quint64 serial,
                       qint64 maxBacklogBytes, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_transport(transport)
    , m_batcher(batcher)
    , m_serial(serial)
    , m_maxBacklog(maxBacklogBytes)
    , m_rawWrites(transport && !qobject_cast<QSslSocket *>(transport))
{
    socket->setParent(this);
    // QWebSocketServer lets go of the socket it upgraded; it is ours, and dies after `socket`
    // (children die in order), which uses it to the end.
    if (transport)
        transport->setParent(this);
    socket->setMaxAllowedIncomingFrameSize(quint64(protocol::kMaxFrameBytes));
    socket->setMaxAllowedIncomingMessageSize(quint64(protocol::kMaxFrameBytes));
    m_lastHeard.start();
    m_anonymousSince.start();

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
    // QWebSocket has written a close frame (ours, or its answer to the peer's): no data
    // frame may follow it.
    connect(socket, &QWebSocket::aboutToClose, this, [this] {
        m_open = false;
        m_queue.clear();
        m_queuedBytes = 0;
    });
    connect(socket, &QWebSocket::disconnected, this, &PeerConnection::handleDisconnected);
}

PeerConnection::~PeerConnection()
{
    if (m_scheduled)
        m_batcher.forget(this);
    // The socket is our child and dies after this body; its last signals must not reach us.
    if (m_socket)
        m_socket->disconnect(this);
}

QString PeerConnection::peer() const
{
    if (!m_socket)
        return QString();
    return m_socket->peerAddress().toString() + u':' + QString::number(m_socket->peerPort());
}

qint64 PeerConnection::backlog() const
{
    return m_queuedBytes + (m_transport ? m_transport->bytesToWrite() : 0);
}

void PeerConnection::send(const Frame &frame)
{
    if (!m_open || !m_socket || frame.isNull())
        return;
    // A burst within one turn sits in the queue until the batcher flushes, so it can look
    // like a backlog. Push what the kernel will take (non-blocking) before judging: what is
    // left is what the peer has not read.
    if (backlog() > m_maxBacklog) {
        flush();
        if (m_transport)
            m_transport->flush();
        if (backlog() > m_maxBacklog) {
            qCInfo(lcConnection).noquote() << peer() << "is not reading; dropped with" << backlog() << "bytes unsent";
            Q_EMIT slowConsumerDropped();
            close(protocol::CloseCode::Policy, u"too far behind: the client is not reading"_s);
            return;
        }
    }
    m_queue.push_back(frame);
    m_queuedBytes += frame.size();
    if (!m_scheduled) {
        m_scheduled = true;
        m_batcher.schedule(this);
    }
}

void PeerConnection::flush()
{
    if (m_queue.empty())
        return;
    std::vector<Frame> queue;
    queue.swap(m_queue);
    m_queuedBytes = 0;
    if (!m_open || !m_socket)
        return;
    if (!m_transport) { // not expected: QWebSocket frames each message itself
        for (const Frame &frame : queue)
            m_socket->sendTextMessage(QString::fromUtf8(frame.payload()));
        return;
    }
    if (m_transport->state() != QAbstractSocket::ConnectedState)
        return;

    std::size_t written = 0;
    qsizetype partial = 0; // bytes of queue[written] the kernel took
    // Straight to the kernel only while the socket's own buffer is empty: anything in it
    // (a pong, an earlier remainder) must leave first.
    if (m_rawWrites && m_transport->bytesToWrite() == 0) {
        if (!writeToKernel(queue, written, partial))
            return; // reset by the peer: the socket reports it when it next reads
    }
    // The rest waits in the socket's buffer for its write notifier (or, with TLS, is encrypted
    // and written by QSslSocket).
    for (std::size_t i = written; i < queue.size(); ++i) {
        const QByteArray &bytes = queue[i].bytes();
        if (partial > 0) {
            m_transport->write(bytes.constData() + partial, bytes.size() - partial);
            partial = 0;
        } else {
            m_transport->write(bytes);
        }
    }
}

bool PeerConnection::writeToKernel(const std::vector<Frame> &queue, std::size_t &written, qsizetype &partial)
{
    const int fd = int(m_transport->socketDescriptor());
    iovec iov[kMaxIovecs];
    while (written < queue.size()) {
        std::size_t count = 0;
        for (std::size_t i = written; i < queue.size() && count < kMaxIovecs; ++i, ++count) {
            const QByteArray &bytes = queue[i].bytes();
            const qsizetype skip = count == 0 ? partial : 0;
            iov[count].iov_base = const_cast<char *>(bytes.constData() + skip);
            iov[count].iov_len = std::size_t(bytes.size() - skip);
        }
        msghdr message{};
        message.msg_iov = iov;
        message.msg_iovlen = count;
        const ssize_t sent = ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK;
        }
        auto left = qsizetype(sent);
        while (left > 0) {
            const qsizetype rest = queue[written].size() - partial;
            if (left < rest) {
                partial += left;
                return true; // the kernel's buffer is full
            }
            left -= rest;
            partial = 0;
            ++written;
        }
    }
    return true;
}

void PeerConnection::close(protocol::CloseCode code, const QString &reason)
{
    if (!m_open || !m_socket)
        return;
    flush(); // what was sent before the close goes before the close frame
    m_open = false;
    m_socket->close(QWebSocketProtocol::CloseCode(code), reason);
    // A peer that does not read never completes the closing handshake; do not wait for it.
    QTimer::singleShot(2s, this, &PeerConnection::abort);
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

void PeerConnection::setAuthenticated(bool authenticated)
{
    if (authenticated == m_authenticated)
        return;
    m_authenticated = authenticated;
    if (!authenticated)
        m_anonymousSince.restart();
    Q_EMIT authenticatedChanged(authenticated);
}

void PeerConnection::handleDisconnected()
{
    m_open = false;
    m_queue.clear();
    m_queuedBytes = 0;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->deleteLater();
    }
    if (m_transport)
        m_transport->deleteLater();
    Q_EMIT closed();
}

WriteBatcher::~WriteBatcher()
{
    for (PeerConnection *c : m_dirty)
        c->m_scheduled = false;
}

void WriteBatcher::schedule(PeerConnection *connection)
{
    m_dirty.push_back(connection);
    if (!m_posted) {
        m_posted = true;
        QCoreApplication::postEvent(this, new QEvent(kFlushEvent));
    }
}

void WriteBatcher::forget(PeerConnection *connection)
{
    m_dirty.erase(std::remove(m_dirty.begin(), m_dirty.end(), connection), m_dirty.end());
}

void WriteBatcher::flushAll()
{
    // Flushing may close a connection, whose handlers may queue frames to others: those go
    // into a fresh list and are flushed in this pass too.
    while (!m_dirty.empty()) {
        std::vector<PeerConnection *> dirty;
        dirty.swap(m_dirty);
        for (PeerConnection *c : dirty)
            c->m_scheduled = false;
        for (PeerConnection *c : dirty)
            c->flush();
    }
}

bool WriteBatcher::event(QEvent *event)
{
    if (event->type() != kFlushEvent)
        return QObject::event(event);
    m_posted = false;
    flushAll();
    return true;
}

} // namespace rill::server
