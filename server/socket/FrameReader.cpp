#include "FrameReader.h"

#include <QtEndian>

#include <cstring>

namespace rill::server {

using namespace Qt::StringLiterals;

namespace {

constexpr quint16 kProtocolError = 1002;
constexpr quint16 kInvalidPayload = 1007;
constexpr quint16 kTooBig = 1009;

// A payload as it was sent: unmasked with `key`, or copied when the frame was not masked.
void takePayload(const char *from, char *to, qsizetype size, const char *key)
{
    if (!key) {
        std::memcpy(to, from, std::size_t(size));
        return;
    }
    Frame::MaskingKey maskingKey;
    std::memcpy(maskingKey.data(), key, maskingKey.size());
    Frame::applyMask(from, to, size, maskingKey);
}

bool isControl(quint8 opcode)
{
    return opcode >= 0x8;
}

// RFC 6455 7.4: the codes a peer may send in a close frame.
bool isSendableCloseCode(quint16 code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

} // namespace

FrameReader::Step FrameReader::fail(quint16 code, QString reason)
{
    m_failed = true;
    m_failure = Failure{code, std::move(reason)};
    m_partial = QByteArray();
    m_message = QByteArray();
    return Step::Failed;
}

std::optional<FrameReader::Failure> FrameReader::read(QByteArrayView bytes, const Deliver &deliver)
{
    if (m_failed)
        return std::nullopt;
    // Whole frames are read where they lie; only an incomplete tail is copied, and only the
    // frame it belongs to waits in m_partial.
    QByteArrayView rest = bytes;
    if (!m_partial.isEmpty()) {
        m_partial.append(bytes);
        rest = m_partial;
    }
    qsizetype offset = 0;
    for (;;) {
        qsizetype used = 0;
        const Step step = readFrame(rest.sliced(offset), used, deliver);
        if (step == Step::Failed)
            return std::exchange(m_failure, std::nullopt);
        if (step == Step::NeedMore)
            break;
        offset += used;
    }
    const QByteArrayView tail = rest.sliced(offset);
    if (tail.isEmpty())
        m_partial = QByteArray(); // an idle connection holds no buffer
    else if (rest.data() == m_partial.constData())
        m_partial.remove(0, offset);
    else
        m_partial = tail.toByteArray();
    return std::nullopt;
}

FrameReader::Step FrameReader::readFrame(QByteArrayView bytes, qsizetype &used, const Deliver &deliver)
{
    if (bytes.size() < 2)
        return Step::NeedMore;
    const auto first = quint8(bytes[0]);
    const auto second = quint8(bytes[1]);
    const bool fin = first & 0x80;
    const quint8 opcode = first & 0x0F;
    if (first & 0x70)
        return fail(kProtocolError, u"reserved bits set: no extension was agreed"_s);
    const bool masked = second & 0x80;
    if (m_role == Role::Server && !masked)
        return fail(kProtocolError, u"a client's frames must be masked"_s);
    if (m_role == Role::Client && masked)
        return fail(kProtocolError, u"a server's frames must not be masked"_s);
    if (isControl(opcode)) {
        if (opcode > 0xA)
            return fail(kProtocolError, u"unknown opcode"_s);
        if (!fin || (second & 0x7F) > 125)
            return fail(kProtocolError, u"a control frame must be final and at most 125 bytes"_s);
    } else if (opcode > 0x2) {
        return fail(kProtocolError, u"unknown opcode"_s);
    } else if (opcode == 0x0 && !m_inMessage) {
        return fail(kProtocolError, u"a continuation frame without a message to continue"_s);
    } else if (opcode != 0x0 && m_inMessage) {
        return fail(kProtocolError, u"a new message inside a fragmented one"_s);
    }

    qsizetype header = 2;
    quint64 length = second & 0x7F;
    if (length == 126) {
        if (bytes.size() < 4)
            return Step::NeedMore;
        length = qFromBigEndian<quint16>(bytes.data() + 2);
        header = 4;
    } else if (length == 127) {
        if (bytes.size() < 10)
            return Step::NeedMore;
        length = qFromBigEndian<quint64>(bytes.data() + 2);
        header = 10;
    }
    // Judged on the header, before the payload is waited for or held.
    const quint64 soFar = isControl(opcode) ? 0 : quint64(m_message.size());
    if (length > quint64(m_maxMessageBytes) || soFar + length > quint64(m_maxMessageBytes))
        return fail(kTooBig, u"a message may be at most %1 bytes"_s.arg(m_maxMessageBytes));
    const qsizetype payloadSize = qsizetype(length);
    const qsizetype keySize = masked ? 4 : 0;
    if (bytes.size() < header + keySize + payloadSize)
        return Step::NeedMore;
    const char *key = masked ? bytes.data() + header : nullptr;
    const char *sent = bytes.data() + header + keySize;
    used = header + keySize + payloadSize;

    if (isControl(opcode)) {
        QByteArray payload(payloadSize, Qt::Uninitialized);
        takePayload(sent, payload.data(), payloadSize, key);
        if (opcode == quint8(Frame::Opcode::Close)) {
            if (payloadSize == 1)
                return fail(kProtocolError, u"a close frame's code takes two bytes"_s);
            if (payloadSize >= 2 && !isSendableCloseCode(qFromBigEndian<quint16>(payload.constData())))
                return fail(kProtocolError, u"invalid close code"_s);
            if (!QByteArrayView(payload).sliced(std::min<qsizetype>(2, payloadSize)).isValidUtf8())
                return fail(kInvalidPayload, u"a close reason must be UTF-8"_s);
        }
        deliver(Message{Frame::Opcode(opcode), std::move(payload)});
        return Step::Consumed;
    }

    if (opcode != 0x0) {
        m_messageOpcode = Frame::Opcode(opcode);
        m_inMessage = true;
    }
    QByteArray whole;
    if (fin && m_message.isEmpty()) {
        // The usual case, one frame per message: straight into what is delivered.
        whole = QByteArray(payloadSize, Qt::Uninitialized);
        takePayload(sent, whole.data(), payloadSize, key);
    } else {
        const qsizetype at = m_message.size();
        m_message.resize(at + payloadSize);
        takePayload(sent, m_message.data() + at, payloadSize, key);
        if (!fin)
            return Step::Consumed;
        whole = std::exchange(m_message, QByteArray());
    }
    m_inMessage = false;
    if (m_messageOpcode == Frame::Opcode::Text && !QByteArrayView(whole).isValidUtf8())
        return fail(kInvalidPayload, u"a text message must be UTF-8"_s);
    deliver(Message{m_messageOpcode, std::move(whole)});
    return Step::Consumed;
}

} // namespace rill::server
