#pragma once

#include "socket/FrameReader.h"
#include "socket/Transport.h"

#include <memory>

class QSocketNotifier;

namespace rill::server {

class PeerConnection;

// WebSocket frames on a plain TCP descriptor, after Qt's handshake (WebSocketListener adopts
// the descriptor): the peer's frames are read with FrameReader, ours go out with sendmsg(2),
// the closing handshake and pings are answered here.
//
// It exists for memory and for fewer hops. An idle connection on QWebSocket over QTcpSocket
// cost about 19 KiB (a 32 KiB write buffer Qt keeps after the handshake response, two private
// objects, about thirty signal connections); this holds a descriptor, a read notifier and no
// buffer while idle.
class DescriptorTransport final : public Transport
{
public:
    // Takes `descriptor` (non-blocking, connected); `early` is what the peer sent after its
    // handshake that Qt had already read.
    DescriptorTransport(PeerConnection &owner, int descriptor, QHostAddress address, quint16 port,
                        QByteArray early, qsizetype maxMessageBytes);
    ~DescriptorTransport() override;

    void write(std::vector<Frame> &frames) override;
    [[nodiscard]] Staging stage(SendRing &ring, std::vector<Frame> &frames, void *token) override;
    [[nodiscard]] bool completeStaged(std::vector<Frame> &frames, int result) override;
    [[nodiscard]] qint64 unsentBytes() const override { return m_unsentBytes; }
    void flush() override;
    void close(quint16 code, const QString &reason) override;
    void ping() override;
    void abort() override;
    [[nodiscard]] QHostAddress peerAddress() const override { return m_address; }
    [[nodiscard]] quint16 peerPort() const override { return m_port; }

private:
    void readable();
    void consume(QByteArrayView bytes);
    void deliver(FrameReader::Message &&message);
    void writeOne(Frame frame);
    // Writes frames[done...] (the first from `offset`) until the kernel takes no more;
    // advances both. False when the connection broke.
    [[nodiscard]] bool writeFrames(const std::vector<Frame> &frames, std::size_t &done, qsizetype &offset);
    // After a write of the caller's frames: keeps frames[done...] (the first from `offset`)
    // for when the peer reads, or forgets the queue.
    void keepUnsent(std::vector<Frame> &frames, std::size_t done, qsizetype offset);
    // After a write from m_unsent of `written` bytes: drops what went, waits for the rest.
    void settleUnsent(qint64 written);
    void watchWritable(bool on);
    // Closes the descriptor and tells the owner the peer is gone (once).
    void finish();

    PeerConnection &m_owner;
    int m_descriptor;
    QHostAddress m_address;
    quint16 m_port;
    FrameReader m_reader;
    std::unique_ptr<QSocketNotifier> m_readNotifier;
    std::unique_ptr<QSocketNotifier> m_writeNotifier; // only while the kernel is full
    std::vector<Frame> m_unsent;
    qsizetype m_unsentOffset = 0; // bytes of m_unsent.front() already written
    qint64 m_unsentBytes = 0;
    bool m_closeSent = false;
    bool m_finishWhenWritten = false; // the peer closed; our answer is still going out
    bool m_stagedUnsent = false;      // the ring's send of this turn starts in m_unsent
};

} // namespace rill::server
