#include "Frame.h"

#include <QString>
#include <QtEndian>

namespace rill::server {

namespace {
constexpr qsizetype kMaxControlPayload = 125;
} // namespace

Frame Frame::encode(Opcode opcode, QByteArrayView payload)
{
    // RFC 6455 5.2: FIN + opcode, then the length in 7 bits, or 126 + 16 bits, or 127 + 64.
    const auto length = quint64(payload.size());
    char header[10];
    header[0] = char(0x80 | quint8(opcode));
    qsizetype headerSize = 2;
    if (length < 126) {
        header[1] = char(length);
    } else if (length <= 0xffff) {
        header[1] = char(126);
        qToBigEndian(quint16(length), header + 2);
        headerSize = 4;
    } else {
        header[1] = char(127);
        qToBigEndian(length, header + 2);
        headerSize = 10;
    }
    Frame frame;
    frame.m_bytes.reserve(headerSize + payload.size());
    frame.m_bytes.append(header, headerSize).append(payload);
    frame.m_headerSize = headerSize;
    return frame;
}

Frame Frame::text(QByteArrayView utf8)
{
    return encode(Opcode::Text, utf8);
}

Frame Frame::control(Opcode opcode, QByteArrayView payload)
{
    return encode(opcode, payload.first(std::min(payload.size(), kMaxControlPayload)));
}

Frame Frame::close(quint16 code, const QString &reason)
{
    QByteArray payload(2, Qt::Uninitialized);
    qToBigEndian(code, payload.data());
    QByteArray text = reason.toUtf8();
    qsizetype room = kMaxControlPayload - 2;
    if (text.size() > room) {
        // Back off to the start of a character: a continuation byte is 10xxxxxx.
        while (room > 0 && (quint8(text[room]) & 0xC0) == 0x80)
            --room;
        text.truncate(room);
    }
    payload.append(text);
    return encode(Opcode::Close, payload);
}

} // namespace rill::server
