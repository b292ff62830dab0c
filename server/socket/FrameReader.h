#pragma once

#include "socket/Frame.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <functional>
#include <optional>

namespace rill::server {

// What a WebSocket peer sends, read as RFC 6455 section 5 says: messages in fragments,
// control frames between the fragments, nothing reserved; a server reads masked frames only,
// a client unmasked ones only (5.1). It holds only what is incomplete, so an idle
// connection's reader owns no buffer.
class FrameReader
{
public:
    // Which end reads: a server reads a client's frames, a client a server's.
    enum class Role { Server, Client };
    struct Message {
        Frame::Opcode opcode; // Text (a whole message, valid UTF-8), Binary, Close, Ping or Pong
        QByteArray payload;
    };
    // Why the connection must be failed, with the close code to send (1002, 1007 or 1009).
    struct Failure {
        quint16 code;
        QString reason;
    };
    using Deliver = std::function<void(Message &&)>;

    explicit FrameReader(qsizetype maxMessageBytes, Role role = Role::Server)
        : m_maxMessageBytes(maxMessageBytes), m_role(role)
    {
    }

    // Takes the next bytes from the peer and hands each complete message and control frame to
    // `deliver`, in order. After a failure the reader takes nothing more.
    [[nodiscard]] std::optional<Failure> read(QByteArrayView bytes, const Deliver &deliver);

    [[nodiscard]] bool failed() const { return m_failed; }
    // Bytes held for a frame or message not yet complete.
    [[nodiscard]] qsizetype heldBytes() const { return m_partial.size() + m_message.size(); }

private:
    enum class Step { Consumed, NeedMore, Failed };
    // Reads one frame at the start of `bytes`; `used` is its size when Consumed.
    Step readFrame(QByteArrayView bytes, qsizetype &used, const Deliver &deliver);
    Step fail(quint16 code, QString reason);

    qsizetype m_maxMessageBytes;
    Role m_role;
    QByteArray m_partial; // the start of a frame that has not fully arrived
    QByteArray m_message; // the fragments so far of a message not yet finished
    Frame::Opcode m_messageOpcode = Frame::Opcode::Text;
    bool m_inMessage = false;
    bool m_failed = false;
    std::optional<Failure> m_failure;
};

} // namespace rill::server
