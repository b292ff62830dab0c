#include "PeerConnection.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTimer>

#include <algorithm>

Q_LOGGING_CATEGORY(lcConnection, "rill.connection", QtInfoMsg)

namespace rill::server {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
const QEvent::Type kFlushEvent = QEvent::Type(QEvent::registerEventType());
constexpr std::size_t kKeptQueueCapacity = 8;
} // namespace

PeerConnection::PeerConnection(WriteBatcher &batcher, quint64 serial, qint64 maxBacklogBytes, QObject *parent)
    : QObject(parent)
    , m_batcher(batcher)
    , m_serial(serial)
    , m_maxBacklog(maxBacklogBytes)
{
    m_lastHeard.start();
    m_anonymousSince.start();
}

PeerConnection::~PeerConnection()
{
    if (m_scheduled)
        m_batcher.forget(this);
    // Before the QObject base goes: the transport's teardown may still call back.
    m_transport.reset();
}

void PeerConnection::setTransport(std::unique_ptr<Transport> transport)
{
    m_transport = std::move(transport);
}

QString PeerConnection::peer() const
{
    if (!m_transport)
        return QString();
    return m_transport->peerAddress().toString() + u':' + QString::number(m_transport->peerPort());
}

qint64 PeerConnection::backlog() const
{
    return m_queuedBytes + (m_transport ? m_transport->unsentBytes() : 0);
}

void PeerConnection::send(const Frame &frame)
{
    if (!m_open || !m_transport || frame.isNull())
        return;
    // A burst within one turn sits in the queue until the batcher flushes, so it can look
    // like a backlog. Push what the kernel will take (non-blocking) before judging: what is
    // left is what the peer has not read.
    if (backlog() > m_maxBacklog) {
        flush();
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
    m_queuedBytes = 0;
    if (m_open && m_transport)
        m_transport->write(m_queue);
    m_queue.clear();
    // The queue is reused turn after turn (no allocation per delivery) unless a burst grew it.
    if (m_queue.capacity() > kKeptQueueCapacity)
        std::vector<Frame>().swap(m_queue);
}

void PeerConnection::close(protocol::CloseCode code, const QString &reason)
{
    if (!m_open || !m_transport)
        return;
    flush(); // what was sent before the close goes before the close frame
    m_open = false;
    m_transport->close(quint16(code), reason);
    // A peer that does not read never completes the closing handshake; do not wait for it.
    QTimer::singleShot(2s, this, &PeerConnection::abort);
}

void PeerConnection::ping()
{
    if (m_open && m_transport)
        m_transport->ping();
}

void PeerConnection::abort()
{
    if (m_transport)
        m_transport->abort();
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

void PeerConnection::received(Frame::Opcode opcode, QByteArray payload)
{
    heard();
    if (!m_open)
        return;
    if (opcode == Frame::Opcode::Binary)
        close(protocol::CloseCode::UnsupportedData, u"binary frames are not supported; send JSON text"_s);
    else
        Q_EMIT textReceived(payload);
}

void PeerConnection::closing()
{
    m_open = false;
    m_queue.clear();
    m_queuedBytes = 0;
}

void PeerConnection::gone()
{
    if (m_gone)
        return;
    m_gone = true;
    closing();
    Q_EMIT closed();
}

WriteBatcher::WriteBatcher(QObject *parent)
    : QObject(parent)
{
    m_holdTimer.setSingleShot(true);
    // A coarse timer may fire up to 5 % late; a hold is a latency promise, so keep it to the ms.
    m_holdTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_holdTimer, &QTimer::timeout, this, &WriteBatcher::flushAll);
}

WriteBatcher::~WriteBatcher()
{
    for (PeerConnection *c : m_dirty)
        c->m_scheduled = false;
}

void WriteBatcher::schedule(PeerConnection *connection)
{
    m_dirty.push_back(connection);
    if (m_hold.count() > 0) {
        if (!m_holdTimer.isActive())
            m_holdTimer.start(m_hold);
    } else if (!m_posted) {
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
    m_holdTimer.stop();
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
