#pragma once

#include "socket/Frame.h"

#include "protocol/Limits.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

#include <vector>

class QTcpSocket;
class QWebSocket;

namespace rill::server {

class WriteBatcher;

// One WebSocket peer and the transport rules of the contract: text frames only (binary gets
// 1003), 64 KiB per frame and message (bigger gets 1009), and a bound on unsent bytes so a
// peer that stops reading is dropped instead of growing our memory or slowing anyone else.
//
// QWebSocket does the handshake, reads, and answers control frames; data frames go out here.
// send() queues a frame; once per turn of the event loop the WriteBatcher has every connection
// that has frames write them, plain TCP in one sendmsg() of the shared frame bytes. What the
// kernel does not take goes into the socket's own buffer, behind which everything else then
// queues, so frames stay whole and in order with what QWebSocket writes (pongs, the close).
class PeerConnection : public QObject
{
    Q_OBJECT

public:
    // Takes ownership of `socket`; `transport` is the socket under it (a QSslSocket for TLS).
    PeerConnection(QWebSocket *socket, QTcpSocket *transport, WriteBatcher &batcher, quint64 serial,
               qint64 maxBacklogBytes, QObject *parent = nullptr);
    ~PeerConnection() override;

    [[nodiscard]] quint64 serial() const { return m_serial; }
    [[nodiscard]] QString peer() const;
    [[nodiscard]] bool isOpen() const { return m_open; }
    // Milliseconds since the peer last sent anything (a frame or a pong).
    [[nodiscard]] qint64 silentFor() const { return m_lastHeard.elapsed(); }

    void send(const Frame &frame);
    void close(protocol::CloseCode code, const QString &reason);
    void ping();
    // Drops the TCP connection without a closing handshake (a peer that does not answer).
    void abort();
    // Writes what send() queued. The batcher calls it once per turn; close() and a backlog
    // check call it early.
    void flush();

    // Whether a user is logged in on it; anonymous connections are on the log-in clock.
    void setAuthenticated(bool authenticated);
    [[nodiscard]] bool isAuthenticated() const { return m_authenticated; }
    // Milliseconds since it became anonymous (opened or logged out).
    [[nodiscard]] qint64 anonymousFor() const { return m_anonymousSince.elapsed(); }

Q_SIGNALS:
    void textReceived(const QString &frame);
    void authenticatedChanged(bool authenticated);
    // Emitted once, when the peer is gone for whatever reason.
    void closed();
    // The peer stopped reading and is being dropped (closed() follows).
    void slowConsumerDropped();

private:
    void handleDisconnected();
    [[nodiscard]] qint64 backlog() const;
    // Writes queue[written...] to the descriptor until the kernel takes no more; advances
    // `written` and `partial` (bytes of the first unwritten frame already sent). False when
    // the connection is broken.
    [[nodiscard]] bool writeToKernel(const std::vector<Frame> &queue, std::size_t &written, qsizetype &partial);

    QPointer<QWebSocket> m_socket;
    QPointer<QTcpSocket> m_transport;
    WriteBatcher &m_batcher;
    std::vector<Frame> m_queue;
    qint64 m_queuedBytes = 0;
    quint64 m_serial;
    qint64 m_maxBacklog;
    QElapsedTimer m_lastHeard;
    QElapsedTimer m_anonymousSince;
    bool m_open = true;
    bool m_scheduled = false;
    bool m_rawWrites = false; // plain TCP: the descriptor can take the frames directly
    bool m_authenticated = false;

    friend class WriteBatcher;
};

// Flushes, once per turn of the event loop, every connection that has frames queued: a
// posted event, so it runs after everything that was ready in this turn and before the loop
// waits again. A hub event for 100 recipients costs one write per recipient, and a burst of
// events to one connection one write in all.
class WriteBatcher : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    ~WriteBatcher() override;

    void schedule(PeerConnection *connection);
    void forget(PeerConnection *connection);
    // Flushes now.
    void flushAll();

protected:
    bool event(QEvent *event) override;

private:
    std::vector<PeerConnection *> m_dirty;
    bool m_posted = false;
};

} // namespace rill::server
