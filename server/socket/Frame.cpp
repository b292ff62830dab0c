#include "Frame.h"

#include <QtEndian>

namespace rill::server {

Frame Frame::text(QByteArrayView utf8)
{
    // RFC 6455 5.2: FIN + opcode 1, then the length in 7 bits, or 126 + 16 bits, or 127 + 64.
    const auto length = quint64(utf8.size());
    char header[10];
    header[0] = char(0x81);
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
    frame.m_bytes.reserve(headerSize + utf8.size());
    frame.m_bytes.append(header, headerSize).append(utf8);
    frame.m_headerSize = headerSize;
    return frame;
}

} // namespace rill::server
