#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace rill::server {

// One WebSocket text frame from the server, header and UTF-8 payload, encoded once.
//
// Server frames are not masked, so the bytes are the same for every recipient: the hub builds
// an event's frame once and every local session's connection writes those bytes (implicitly
// shared, never copied or converted per recipient).
class Frame
{
public:
    Frame() = default;
    // A final text frame carrying `utf8` (the caller guarantees it is valid UTF-8: our JSON).
    [[nodiscard]] static Frame text(QByteArrayView utf8);

    [[nodiscard]] bool isNull() const { return m_bytes.isNull(); }
    // The whole frame, as it goes on the wire.
    [[nodiscard]] const QByteArray &bytes() const { return m_bytes; }
    [[nodiscard]] qsizetype size() const { return m_bytes.size(); }
    // The text it carries.
    [[nodiscard]] QByteArrayView payload() const { return QByteArrayView(m_bytes).sliced(m_headerSize); }

private:
    QByteArray m_bytes;
    qsizetype m_headerSize = 0;
};

} // namespace rill::server
