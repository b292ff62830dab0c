#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <array>

class QString;

namespace rill::server {

// One WebSocket frame, header and payload, encoded once.
//
// Server frames are not masked, so the bytes are the same for every recipient: the hub builds
// an event's frame once and every local session's connection writes those bytes (implicitly
// shared, never copied or converted per recipient). A client's frames are masked (masked()),
// each with a key of its own.
class Frame
{
public:
    // RFC 6455 5.2 opcodes.
    enum class Opcode : quint8 { Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA };
    // RFC 6455 5.3: the four bytes a client's frame is masked with.
    using MaskingKey = std::array<char, 4>;

    Frame() = default;
    // A final text frame carrying `utf8` (the caller guarantees it is valid UTF-8: our JSON).
    [[nodiscard]] static Frame text(QByteArrayView utf8);
    // A ping or pong; the payload is cut to the 125 bytes a control frame may carry.
    [[nodiscard]] static Frame control(Opcode opcode, QByteArrayView payload = {});
    // A close frame: the code, then the reason cut (at a character) to the 123 bytes left.
    [[nodiscard]] static Frame close(quint16 code, const QString &reason);
    // What a close frame carries: the code, then the reason cut (at a character) to fit.
    [[nodiscard]] static QByteArray closePayload(quint16 code, const QString &reason);
    // A final frame as a client sends it, masked with `key` (a control payload is cut to 125
    // bytes). Its payload() is the masked bytes.
    [[nodiscard]] static Frame masked(Opcode opcode, QByteArrayView payload, MaskingKey key);
    // XORs `size` bytes with the key repeated from its first byte, `from` into `to` (which may
    // be the same): masks, and unmasks what was masked.
    static void applyMask(const char *from, char *to, qsizetype size, MaskingKey key);

    [[nodiscard]] bool isNull() const { return m_bytes.isNull(); }
    // The whole frame, as it goes on the wire.
    [[nodiscard]] const QByteArray &bytes() const { return m_bytes; }
    [[nodiscard]] qsizetype size() const { return m_bytes.size(); }
    // What it carries.
    [[nodiscard]] QByteArrayView payload() const { return QByteArrayView(m_bytes).sliced(m_headerSize); }

private:
    [[nodiscard]] static Frame encode(Opcode opcode, QByteArrayView payload, const MaskingKey *key = nullptr);

    QByteArray m_bytes;
    qsizetype m_headerSize = 0;
};

} // namespace rill::server
