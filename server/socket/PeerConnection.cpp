#include "PeerConnection.h"

#include "socket/SendRing.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTimer>

#include <algorithm>
#include <utility>

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
    if (!m_staged && backlog() > m_maxBacklog) {
        flush();
        m_transport->flush();
        if (!m_staged && backlog() > m_maxBacklog) {
            qCInfo(lcConnection).noquote() << peer() << "is not reading; dropped with" << backlog() << "bytes unsent";
            Q_EMIT slowConsumerDropped();
            close(protocol::CloseCode::Policy, u"too far behind: the client is not reading"_s);
            return;
        }
    }
    m_queue.push_back(frame);
    m_queuedBytes += frame.size();
    flushSoon();
}

void PeerConnection::flush()
{
    if (m_staged) // the batcher's ring is sending them
        return;
    if (m_queue.empty()) {
        if (m_transport)
            m_transport->flush(); // what waits for the peer to read
        return;
    }
    if (m_open && m_transport)
        m_transport->write(m_queue);
    forgetQueue();
}

void PeerConnection::flushSoon()
{
    if (!m_scheduled) {
        m_scheduled = true;
        m_batcher.schedule(this);
    }
}

bool PeerConnection::stageFlush(SendRing &ring, std::vector<PeerConnection *> &writesItself)
{
    if (!m_transport)
        return true;
    if (!m_open) {
        writesItself.push_back(this);
        return true;
    }
    switch (m_transport->stage(ring, m_queue, this)) {
    case Transport::Staging::Staged:
        m_staged = true;
        return true;
    case Transport::Staging::Nothing:
        return true;
    case Transport::Staging::WritesItself:
        writesItself.push_back(this);
        return true;
    case Transport::Staging::RingFull:
        return false;
    }
    Q_UNREACHABLE();
    return false;
}

bool PeerConnection::completeFlush(int result)
{
    m_staged = false;
    const bool ok = !m_transport || m_transport->completeStaged(m_queue, result);
    forgetQueue();
    return ok;
}

void PeerConnection::forgetQueue()
{
    m_queuedBytes = 0;
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
    , m_ring(SendRing::open())
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

void WriteBatcher::setUseSendRing(bool use)
{
    if (!use)
        m_ring.reset();
    else if (!m_ring)
        m_ring = SendRing::open();
}

quint64 WriteBatcher::sendRingSubmissions() const
{
    return m_ring ? m_ring->submissions() : 0;
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
    // into a fresh list and are flushed in this pass too. The lists trade places, so neither
    // is allocated again turn after turn.
    while (!m_dirty.empty()) {
        std::vector<PeerConnection *> dirty = std::exchange(m_dirty, std::move(m_flushing));
        for (PeerConnection *c : dirty)
            c->m_scheduled = false;
        if (m_ring)
            flushThroughRing(dirty);
        else
            for (PeerConnection *c : dirty)
                c->flush();
        dirty.clear();
        m_flushing = std::move(dirty);
    }
    m_holdTimer.stop();
}

void WriteBatcher::flushThroughRing(const std::vector<PeerConnection *> &dirty)
{
    std::size_t next = 0;
    while (next < dirty.size()) {
        // Staging and settling the results call out to nothing, so no handler can see a
        // connection whose frames are in flight; what may call out (a broken connection's end,
        // a transport that writes itself) runs once the ring is settled.
        while (next < dirty.size() && dirty[next]->stageFlush(*m_ring, m_writesItself))
            ++next;
        if (next < dirty.size() && m_ring->isEmpty()) // not even an empty ring takes it
            m_writesItself.push_back(dirty[next++]);
        for (const SendRing::Completion &done : m_ring->submit()) {
            auto *connection = static_cast<PeerConnection *>(done.token);
            if (!connection->completeFlush(done.result))
                m_broken.push_back(connection);
        }
        for (PeerConnection *c : m_broken)
            c->abort();
        for (PeerConnection *c : m_writesItself)
            c->flush();
        m_broken.clear();
        m_writesItself.clear();
    }
    if (m_ring->isBroken())
        m_ring.reset(); // sendmsg from now on (SendRing said why)
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
