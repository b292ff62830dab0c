#include "Frame.h"

#include <QString>
#include <QtEndian>

#include <cstring>

namespace rill::server {

namespace {
constexpr qsizetype kMaxControlPayload = 125;

bool isControl(Frame::Opcode opcode)
{
    return quint8(opcode) >= 0x8;
}
} // namespace

void Frame::applyMask(const char *from, char *to, qsizetype size, MaskingKey key)
{
    // Eight bytes at a time: the key repeated twice is one 64-bit word.
    quint64 wide;
    char repeated[8];
    for (int i = 0; i < 8; ++i)
        repeated[i] = key[std::size_t(i % 4)];
    std::memcpy(&wide, repeated, 8);
    qsizetype i = 0;
    for (; i + 8 <= size; i += 8) {
        quint64 word;
        std::memcpy(&word, from + i, 8);
        word ^= wide;
        std::memcpy(to + i, &word, 8);
    }
    for (; i < size; ++i)
        to[i] = char(from[i] ^ key[std::size_t(i % 4)]);
}

Frame Frame::encode(Opcode opcode, QByteArrayView payload, const MaskingKey *key)
{
    // RFC 6455 5.2: FIN + opcode, then the mask bit and the length in 7 bits, or 126 + 16 bits,
    // or 127 + 64; then the masking key, if any.
    const auto length = quint64(payload.size());
    const char maskBit = key ? char(0x80) : char(0);
    char header[14];
    header[0] = char(0x80 | quint8(opcode));
    qsizetype headerSize = 2;
    if (length < 126) {
        header[1] = char(maskBit | char(length));
    } else if (length <= 0xffff) {
        header[1] = char(maskBit | char(126));
        qToBigEndian(quint16(length), header + 2);
        headerSize = 4;
    } else {
        header[1] = char(maskBit | char(127));
        qToBigEndian(length, header + 2);
        headerSize = 10;
    }
    if (key) {
        std::memcpy(header + headerSize, key->data(), key->size());
        headerSize += qsizetype(key->size());
    }
    Frame frame;
    frame.m_bytes.reserve(headerSize + payload.size());
    frame.m_bytes.append(header, headerSize);
    if (key) {
        frame.m_bytes.resize(headerSize + payload.size());
        applyMask(payload.data(), frame.m_bytes.data() + headerSize, payload.size(), *key);
    } else {
        frame.m_bytes.append(payload);
    }
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

Frame Frame::masked(Opcode opcode, QByteArrayView payload, MaskingKey key)
{
    if (isControl(opcode))
        payload = payload.first(std::min(payload.size(), kMaxControlPayload));
    return encode(opcode, payload, &key);
}

QByteArray Frame::closePayload(quint16 code, const QString &reason)
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
    return payload;
}

Frame Frame::close(quint16 code, const QString &reason)
{
    return encode(Opcode::Close, closePayload(code, reason));
}

} // namespace rill::server
