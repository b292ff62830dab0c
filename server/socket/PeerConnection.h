#pragma once

#include "socket/Frame.h"
#include "socket/Transport.h"

#include "protocol/Limits.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <memory>
#include <vector>

namespace rill::server {

class SendRing;
class WriteBatcher;

// One WebSocket peer and the transport rules of the contract: text frames only (binary gets
// 1003), 64 KiB per frame and message (bigger gets 1009), and a bound on unsent bytes so a
// peer that stops reading is dropped instead of growing our memory or slowing anyone else.
//
// send() queues a frame; once per turn of the event loop the WriteBatcher has every connection
// that has frames hand them to its Transport, which writes them in one sendmsg() of the shared
// frame bytes where it can.
class PeerConnection : public QObject
{
    Q_OBJECT

public:
    PeerConnection(WriteBatcher &batcher, quint64 serial, qint64 maxBacklogBytes, QObject *parent = nullptr);
    ~PeerConnection() override;

    // Installs what carries the frames; once, before the connection is announced.
    void setTransport(std::unique_ptr<Transport> transport);

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
    // Has the batcher flush it at the end of this turn (the transport's writable again).
    void flushSoon();

    // Whether a user is logged in on it; anonymous connections are on the log-in clock.
    void setAuthenticated(bool authenticated);
    [[nodiscard]] bool isAuthenticated() const { return m_authenticated; }
    // Milliseconds since it became anonymous (opened or logged out).
    [[nodiscard]] qint64 anonymousFor() const { return m_anonymousSince.elapsed(); }

    // From the transport: a whole data message; anything at all from the peer; a close frame
    // written (no data frame may follow it); the peer gone.
    void received(Frame::Opcode opcode, QByteArray payload);
    void heard() { m_lastHeard.restart(); }
    void closing();
    void gone();

Q_SIGNALS:
    // A text message, UTF-8 (valid: the transport checked it).
    void textReceived(const QByteArray &utf8);
    void authenticatedChanged(bool authenticated);
    // Emitted once, when the peer is gone for whatever reason.
    void closed();
    // The peer stopped reading and is being dropped (closed() follows).
    void slowConsumerDropped();

private:
    [[nodiscard]] qint64 backlog() const;
    // The batcher's flush through a ring (see Transport::stage): false when the ring is full
    // and nothing was staged.
    [[nodiscard]] bool stageFlush(SendRing &ring, std::vector<PeerConnection *> &writesItself);
    // False when the connection broke; the batcher aborts it after the ring's other sends.
    [[nodiscard]] bool completeFlush(int result);
    void forgetQueue();

    std::unique_ptr<Transport> m_transport;
    WriteBatcher &m_batcher;
    std::vector<Frame> m_queue;
    qint64 m_queuedBytes = 0;
    quint64 m_serial;
    qint64 m_maxBacklog;
    QElapsedTimer m_lastHeard;
    QElapsedTimer m_anonymousSince;
    bool m_open = true;
    bool m_gone = false;
    bool m_scheduled = false;
    bool m_staged = false; // its frames are in a SendRing's submission
    bool m_authenticated = false;

    friend class WriteBatcher;
};

// Flushes, once per turn of the event loop, every connection that has frames queued: a
// posted event, so it runs after everything that was ready in this turn and before the loop
// waits again. A hub event for 100 recipients costs one write per recipient, and a burst of
// events to one connection one write in all. Where the kernel offers io_uring those writes
// go to it together, 256 to a system call (SendRing); elsewhere each is a sendmsg(2).
//
// With a hold, the first frame queued starts a timer instead, and every frame queued until it
// fires goes out in the same write: a busy connection then costs one write per hold rather
// than one per turn, for up to that much more latency. Off by default (--write-hold).
class WriteBatcher : public QObject
{
    Q_OBJECT

public:
    explicit WriteBatcher(QObject *parent = nullptr);
    ~WriteBatcher() override;

    void setHold(std::chrono::milliseconds hold) { m_hold = hold; }
    // Whether to write through io_uring where the kernel offers it (the default).
    void setUseSendRing(bool use);
    [[nodiscard]] bool usesSendRing() const { return bool(m_ring); }
    // The ring's submissions so far (0 without one), for tests and figures.
    [[nodiscard]] quint64 sendRingSubmissions() const;

    void schedule(PeerConnection *connection);
    void forget(PeerConnection *connection);
    // Flushes now.
    void flushAll();

protected:
    bool event(QEvent *event) override;

private:
    void flushThroughRing(const std::vector<PeerConnection *> &dirty);

    std::vector<PeerConnection *> m_dirty;
    std::vector<PeerConnection *> m_flushing; // the list being flushed, kept for its capacity
    std::vector<PeerConnection *> m_writesItself;
    std::vector<PeerConnection *> m_broken;
    std::unique_ptr<SendRing> m_ring;
    QTimer m_holdTimer;
    std::chrono::milliseconds m_hold{0};
    bool m_posted = false;
};

} // namespace rill::server
