#pragma once

#include "socket/Frame.h"

#include <QHostAddress>
#include <QString>

#include <vector>

namespace rill::server {

class SendRing;

// How a PeerConnection's frames reach the peer, and the peer's messages reach it. Two kinds:
// DescriptorTransport speaks WebSocket frames on the plain TCP descriptor itself (the lean
// path every unencrypted connection takes after Qt's handshake), QtWebSocketTransport keeps
// QWebSocket (TLS, where the descriptor carries ciphertext).
//
// Each reports to its PeerConnection through the connection's received(), heard(), closing()
// and gone(); it never outlives the connection that owns it.
class Transport
{
public:
    virtual ~Transport() = default;

    // Writes the frames in order, as far as the kernel takes them now, and keeps (moves out)
    // what must follow as the peer reads; the caller then clears `frames` and may reuse it.
    virtual void write(std::vector<Frame> &frames) = 0;
    // Sending through a SendRing, with other connections' frames in one system call: stage()
    // prepares the send of what waits and then `frames` (which may move into the transport;
    // either way they stay put until completeStaged()), and completeStaged() takes the ring's
    // result as write() takes sendmsg's, keeping what the kernel did not take. It returns false
    // when the connection broke; the caller abort()s it once every send of the ring is settled.
    enum class Staging { Staged, Nothing, WritesItself, RingFull };
    [[nodiscard]] virtual Staging stage(SendRing &, std::vector<Frame> &, void * /*token*/)
    {
        return Staging::WritesItself;
    }
    [[nodiscard]] virtual bool completeStaged(std::vector<Frame> &, int /*result*/) { return true; }
    // Bytes written but not yet taken by the kernel.
    [[nodiscard]] virtual qint64 unsentBytes() const = 0;
    // Pushes the unsent bytes as far as the kernel takes them now, without waiting.
    virtual void flush() = 0;
    // Starts the closing handshake: no data frame may follow.
    virtual void close(quint16 code, const QString &reason) = 0;
    virtual void ping() = 0;
    // Drops the connection now, without a closing handshake.
    virtual void abort() = 0;
    [[nodiscard]] virtual QHostAddress peerAddress() const = 0;
    [[nodiscard]] virtual quint16 peerPort() const = 0;
};

} // namespace rill::server
